import { Injectable, Logger } from '@nestjs/common';
import { canGrant, type Role } from '@/common/auth/permissions';
import { VaultService } from '@/modules/vault/vault.service';
import type { LocalUserResponseDto, RealmUserResponseDto } from './dto/users.dto';
import { KeycloakAdminClient, NEW_USER_ACTIONS, type KeycloakUser } from './keycloak-admin.client';
import type { User } from './schemas/user.schema';
import { RoleNotGrantableError, UserNotFoundError, UsersErrorCode } from './users.errors';
import { UsersRepository, type UserRecord } from './users.repository';

/** Who is acting: the caller's local row (role decides what they may grant). */
export interface Actor {
  userId: string;
  role: Role;
}

export interface CreateUserInput {
  username: string;
  email: string;
  firstName: string;
  lastName: string;
  affiliation?: string;
  role: Role;
  budget?: number;
  active?: boolean;
  allowLogin?: boolean;
}

export type UpdateUserInput = Partial<Pick<User, 'role' | 'affiliation' | 'firstName' | 'lastName' | 'budget'>>;

const DEFAULT_BUDGET = 100;

export function toLocalUserResponse(u: UserRecord): LocalUserResponseDto {
  return {
    userId: u.userId,
    email: u.email,
    username: u.username,
    firstName: u.firstName,
    lastName: u.lastName,
    affiliation: u.affiliation ?? '',
    role: u.role,
    active: u.active,
    allowLogin: u.allowLogin,
    budget: u.budget,
  };
}

/** Realm users and local rows, matched by Keycloak user ID; the local row's fields win. */
export function mergeUsers(realm: KeycloakUser[], local: UserRecord[]): RealmUserResponseDto[] {
  const byId = new Map(local.map((u) => [u.userId, u]));
  const merged: RealmUserResponseDto[] = realm.map((k) => {
    const l = byId.get(k.id);
    byId.delete(k.id);
    return l
      ? { ...toLocalUserResponse(l), local: true, inKeycloak: true }
      : {
          userId: k.id,
          email: k.email ?? '',
          username: k.username,
          firstName: k.firstName ?? '',
          lastName: k.lastName ?? '',
          affiliation: '',
          role: null,
          active: false,
          allowLogin: false,
          budget: null,
          local: false,
          inKeycloak: true,
        };
  });
  // Local rows whose Keycloak account is gone still show, so an admin can clean them up.
  for (const l of byId.values()) {
    merged.push({ ...toLocalUserResponse(l), local: true, inKeycloak: false });
  }
  return merged;
}

/**
 * Local users (`user.info`) and their management: Keycloak accounts through the admin API, transit keys (the
 * right to log in) in Vault. Nobody grants, or acts on someone holding, a role above their own.
 */
@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    private readonly repo: UsersRepository,
    private readonly keycloak: KeycloakAdminClient,
    private readonly vault: VaultService,
  ) {}

  create(user: User): Promise<UserRecord> {
    return this.repo.create(user);
  }

  findByUserId(userId: string): Promise<UserRecord | null> {
    return this.repo.findByUserId(userId);
  }

  delete(userId: string): Promise<boolean> {
    return this.repo.deleteByUserId(userId);
  }

  /** Local rows of users with any of these roles (e.g. whom to tell about access requests). */
  findByRoles(roles: readonly Role[]): Promise<UserRecord[]> {
    return this.repo.findByRoles(roles);
  }

  async listAll(): Promise<RealmUserResponseDto[]> {
    const [realm, local] = await Promise.all([this.keycloak.listAllUsers(), this.repo.findAll()]);
    return mergeUsers(realm, local);
  }

  async listLocal(): Promise<LocalUserResponseDto[]> {
    return (await this.repo.findAll()).map(toLocalUserResponse);
  }

  async get(userId: string): Promise<LocalUserResponseDto> {
    return toLocalUserResponse(await this.require(userId));
  }

  /**
   * Creates the Keycloak account and the local row (and the transit key when `allowLogin`), then has Keycloak
   * mail the set-password link. Any failure after the account exists undoes what was created, so a retry
   * starts clean.
   */
  async createUser(input: CreateUserInput, actor: Actor): Promise<LocalUserResponseDto> {
    this.assertMayGrant(actor, input.role);
    const userId = await this.keycloak.createUser({
      username: input.username,
      email: input.email,
      firstName: input.firstName,
      lastName: input.lastName,
    });
    let rowCreated = false;
    let keyCreated = false;
    try {
      let row = await this.repo.create({
        userId,
        email: input.email,
        username: input.username,
        firstName: input.firstName,
        lastName: input.lastName,
        affiliation: input.affiliation ?? '',
        role: input.role,
        active: input.active ?? false,
        allowLogin: false,
        budget: input.budget ?? DEFAULT_BUDGET,
      });
      rowCreated = true;
      if (input.allowLogin) {
        await this.vault.createTransitKey(userId, 'rsa-4096', { deletionAllowed: true });
        keyCreated = true;
        row = (await this.repo.update(userId, { allowLogin: true })) ?? row;
      }
      await this.keycloak.executeActionsEmail(userId, NEW_USER_ACTIONS);
      this.logger.log(`user ${userId} created by ${actor.userId} with role ${input.role}`);
      return toLocalUserResponse(row);
    } catch (err) {
      await this.undoCreate(userId, rowCreated, keyCreated);
      throw err;
    }
  }

  /**
   * First start: makes the realm user with this e-mail (created in Keycloak, with the set-password mail, when
   * missing) an active developer who may log in. Idempotent: run again, it only repairs what is missing.
   */
  async bootstrapDeveloper(email: string, affiliation: string): Promise<{ userId: string; created: string[] }> {
    const created: string[] = [];
    let account = await this.keycloak.findByEmail(email);
    if (!account) {
      const username = email.split('@')[0];
      const userId = await this.keycloak.createUser({ username, email, firstName: username, lastName: 'Admin' });
      await this.keycloak.executeActionsEmail(userId, NEW_USER_ACTIONS);
      account = { id: userId, username, email, firstName: username, lastName: 'Admin', enabled: true };
      created.push('keycloak account');
    }
    const userId = account.id;
    const existing = await this.repo.findByUserId(userId);
    if (!existing) {
      await this.repo.create({
        userId,
        email: account.email ?? email,
        username: account.username ?? email,
        firstName: account.firstName || account.username || 'Admin',
        lastName: account.lastName || 'Admin',
        affiliation,
        role: 'developer',
        active: true,
        allowLogin: false,
        budget: DEFAULT_BUDGET,
      });
      created.push('local user');
    } else if (existing.role !== 'developer' || !existing.active) {
      await this.repo.update(userId, { role: 'developer', active: true });
      created.push('developer role');
    }
    if (!(await this.vault.transitKeyExists(userId))) {
      await this.vault.createTransitKey(userId, 'rsa-4096', { deletionAllowed: true });
      created.push('transit key');
    }
    await this.repo.update(userId, { allowLogin: true });
    return { userId, created };
  }

  async update(userId: string, changes: UpdateUserInput, actor: Actor): Promise<LocalUserResponseDto> {
    const target = await this.require(userId);
    this.assertMayManage(actor, target);
    if (changes.role !== undefined) {
      this.assertMayGrant(actor, changes.role);
    }
    const updated = await this.repo.update(userId, changes);
    if (!updated) {
      throw new UserNotFoundError(userId);
    }
    return toLocalUserResponse(updated);
  }

  /**
   * Removes the local row and the transit key. The Keycloak account stays: Keycloak is the identity provider of
   * the whole realm, whose users may also belong to other installations.
   */
  async remove(userId: string, actor: Actor): Promise<void> {
    const target = await this.require(userId);
    this.assertMayManage(actor, target);
    await this.deleteKeyIfExists(userId);
    await this.repo.deleteByUserId(userId);
    this.logger.log(`user ${userId} removed by ${actor.userId}`);
  }

  async setActive(userId: string, active: boolean, actor: Actor): Promise<void> {
    this.assertMayManage(actor, await this.require(userId));
    await this.repo.update(userId, { active });
  }

  /** Creates the user's transit key (rsa-4096, deletable), which is what lets a local user log in. */
  async permitLogin(userId: string, actor: Actor): Promise<void> {
    this.assertMayManage(actor, await this.require(userId));
    if (!(await this.vault.transitKeyExists(userId))) {
      await this.vault.createTransitKey(userId, 'rsa-4096', { deletionAllowed: true });
    }
    await this.repo.update(userId, { allowLogin: true });
  }

  async revokeLogin(userId: string, actor: Actor): Promise<void> {
    this.assertMayManage(actor, await this.require(userId));
    await this.deleteKeyIfExists(userId);
    await this.repo.update(userId, { allowLogin: false });
  }

  private async require(userId: string): Promise<UserRecord> {
    const user = await this.repo.findByUserId(userId);
    if (!user) {
      throw new UserNotFoundError(userId);
    }
    return user;
  }

  private assertMayGrant(actor: Actor, role: Role): void {
    if (!canGrant(actor.role, role)) {
      throw new RoleNotGrantableError(UsersErrorCode.RoleNotGrantable, `Role ${actor.role} may not grant role ${role}`);
    }
  }

  /** Acting on a user takes at least their role: a server admin cannot demote, disable or delete a developer. */
  private assertMayManage(actor: Actor, target: UserRecord): void {
    if (!canGrant(actor.role, target.role)) {
      throw new RoleNotGrantableError(
        UsersErrorCode.RoleNotGrantable,
        `Role ${actor.role} may not manage a user with role ${target.role}`,
      );
    }
  }

  private async deleteKeyIfExists(userId: string): Promise<void> {
    if (await this.vault.transitKeyExists(userId)) {
      await this.vault.deleteTransitKey(userId);
    }
  }

  private async undoCreate(userId: string, rowCreated: boolean, keyCreated: boolean): Promise<void> {
    const steps: [string, () => Promise<unknown>][] = [
      ['transit key', () => (keyCreated ? this.vault.deleteTransitKey(userId) : Promise.resolve())],
      ['local row', () => (rowCreated ? this.repo.deleteByUserId(userId) : Promise.resolve())],
      ['Keycloak account', () => this.keycloak.deleteUser(userId)],
    ];
    for (const [what, undo] of steps) {
      try {
        await undo();
      } catch (err) {
        this.logger.error({ err, userId }, `could not undo the ${what} of a failed user creation`);
      }
    }
  }
}
