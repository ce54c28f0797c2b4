import { SetMetadata } from '@nestjs/common';

/** Local roles, highest first. A role outranks the ones after it (who may grant what). */
export const ROLES = ['developer', 'serverAdmin', 'dataAdmin', 'user'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_RANK: Record<Role, number> = { developer: 4, serverAdmin: 3, dataAdmin: 2, user: 1 };

/** May `actor` give `target` to someone? Nobody grants a role above their own (only a developer makes a developer). */
export function canGrant(actor: Role, target: Role): boolean {
  return ROLE_RANK[target] <= ROLE_RANK[actor];
}

/** CV3's permission matrix (reference 3.3): what each capability needs. */
export enum Permission {
  /** Query sources (anonymous only when the system settings allow it). */
  Query = 'query',
  /** The caller's own settings. */
  UserSettings = 'userSettings',
  /** Dashboard statistics. */
  Statistics = 'statistics',
  /** Pipelines, data sources, discovery networks and groups, Beacon endpoints, discovery settings. */
  DataManagement = 'dataManagement',
  /** Nexus settings, user management, information settings (access requests included). */
  UserManagement = 'userManagement',
  /** System settings. */
  SystemSettings = 'systemSettings',
  /** The debug page. */
  Debug = 'debug',
}

export const PERMISSION_ROLES: Record<Permission, readonly Role[]> = {
  [Permission.Query]: ['user', 'dataAdmin', 'serverAdmin', 'developer'],
  [Permission.UserSettings]: ['user', 'dataAdmin', 'serverAdmin', 'developer'],
  [Permission.Statistics]: ['dataAdmin', 'serverAdmin', 'developer'],
  [Permission.DataManagement]: ['dataAdmin', 'developer'],
  [Permission.UserManagement]: ['serverAdmin', 'developer'],
  [Permission.SystemSettings]: ['dataAdmin', 'serverAdmin', 'developer'],
  [Permission.Debug]: ['developer'],
};

export const PERMISSION_KEY = 'cv3:permission';

/**
 * The caller must be an active local user whose role has this permission. Without it, a route only needs a
 * valid token (or nothing, with @Public()).
 */
export const RequirePermission = (permission: Permission) => SetMetadata(PERMISSION_KEY, permission);
