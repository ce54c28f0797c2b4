import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Role } from './permissions';

/** The caller as proven by a verified Keycloak access token. */
export interface AuthenticatedUser {
  /** Keycloak user ID (`sub`), which is also CV3's `userId`. */
  userId: string;
  username?: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  /** The client the token was issued to (`azp`). */
  clientId?: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

/** The caller's local user row (`user.info`), loaded by the guard for routes that need a permission. */
export interface LocalUserRecord {
  userId: string;
  email: string;
  username: string;
  firstName: string;
  lastName: string;
  affiliation: string;
  role: Role;
  active: boolean;
  allowLogin: boolean;
  budget: number;
}

export interface RequestWithUser {
  user?: AuthenticatedUser;
  localUser?: LocalUserRecord;
}

export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext) => {
  return ctx.switchToHttp().getRequest<RequestWithUser>().user;
});

/** The caller's local user; only on routes with @RequirePermission (the guard loads it). */
export const LocalUser = createParamDecorator((_data: unknown, ctx: ExecutionContext) => {
  return ctx.switchToHttp().getRequest<RequestWithUser>().localUser;
});
