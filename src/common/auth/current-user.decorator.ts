import { createParamDecorator, ExecutionContext } from '@nestjs/common';

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

export interface RequestWithUser {
  user?: AuthenticatedUser;
}

export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext) => {
  return ctx.switchToHttp().getRequest<RequestWithUser>().user;
});
