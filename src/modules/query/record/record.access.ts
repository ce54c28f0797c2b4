import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser, LocalUserRecord } from '@/common/auth/current-user.decorator';
import { Permission, PERMISSION_ROLES, type Role } from '@/common/auth/permissions';
import { AuthErrorCode, ForbiddenError, UnauthorizedError } from '@/modules/auth/auth.errors';
import { SettingsService } from '@/modules/settings/settings.service';
import { UsersService } from '@/modules/users/users.service';
import type { Requester } from '../execution/responder';
import { ANONYMOUS_USER_ID } from '../query.types';
import type { StoredQuery } from './record.types';

/** Who asks for a record query: the requester, and whether they may read every user's queries. */
export interface Viewer extends Requester {
  admin: boolean;
}

/** Roles that read every user's record queries (data and user administration). */
const ADMIN_ROLES: ReadonlySet<Role> = new Set([
  ...PERMISSION_ROLES[Permission.DataManagement],
  ...PERMISSION_ROLES[Permission.UserManagement],
]);

export const ANONYMOUS_VIEWER: Viewer = { userId: ANONYMOUS_USER_ID, anonymous: true, admin: false };

export function viewerOf(local: Pick<LocalUserRecord, 'userId' | 'role'>): Viewer {
  return { userId: local.userId, anonymous: false, admin: ADMIN_ROLES.has(local.role) };
}

/**
 * The owner and admins read a query; an anonymous query is read by anyone holding its ID (the random UUID is the
 * capability, as nothing ties an anonymous caller to it).
 */
export function canRead(viewer: Viewer, query: Pick<StoredQuery, 'userId' | 'anonymous'>): boolean {
  return viewer.admin || query.anonymous || query.userId === viewer.userId;
}

/** Resolves the caller of the optional-auth record routes, with the guard's errors. */
@Injectable()
export class RecordAccess {
  constructor(
    private readonly users: UsersService,
    private readonly settings: SettingsService,
  ) {}

  /**
   * With a token: an active local user whose role may query (403 otherwise, as the guard). Without one: the internal
   * anonymous user when the system setting `federationSettings.anonymousAccess` is on, else 401.
   */
  async viewer(user: AuthenticatedUser | undefined): Promise<Viewer> {
    if (!user) {
      const { federationSettings } = await this.settings.getSystemConfig();
      if (!federationSettings.anonymousAccess) {
        throw new UnauthorizedError(AuthErrorCode.TokenMissing, 'Access token required');
      }
      return ANONYMOUS_VIEWER;
    }
    const local = await this.users.findByUserId(user.userId);
    if (!local) {
      throw new ForbiddenError(AuthErrorCode.UserNotRegistered, 'User is not registered at this installation');
    }
    if (!local.active) {
      throw new ForbiddenError(AuthErrorCode.UserInactive, 'User is not active at this installation');
    }
    if (!PERMISSION_ROLES[Permission.Query].includes(local.role)) {
      throw new ForbiddenError(AuthErrorCode.RoleNotPermitted, `Role ${local.role} may not use this route`);
    }
    return viewerOf(local);
  }
}
