import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { IS_PUBLIC_KEY, OWN_CREDENTIALS_KEY } from '@/common/auth/public.decorator';
import type { RequestWithUser } from '@/common/auth/current-user.decorator';
import { Permission, PERMISSION_KEY, PERMISSION_ROLES } from '@/common/auth/permissions';
import { AuthErrorCode, ForbiddenError, UnauthorizedError } from './auth.errors';
import { KeycloakTokenVerifier } from './keycloak-token.verifier';
import { UsersService } from '@/modules/users/users.service';

const BEARER = /^Bearer ([A-Za-z0-9\-_=]+\.[A-Za-z0-9\-_=]+\.[A-Za-z0-9\-_.+/=]*)$/;

/**
 * Global guard, deny by default: every route needs a verified bearer token unless it is @Public(); a route with
 * @RequirePermission also needs an active local user whose role has that permission (CV3's matrix).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: KeycloakTokenVerifier,
    private readonly users: UsersService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') {
      return true;
    }
    const targets = [context.getHandler(), context.getClass()];
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets);
    const req = context.switchToHttp().getRequest<Request & RequestWithUser>();
    if (isPublic) {
      // A public route may still use the caller's identity when a valid token is sent, unless its
      // Authorization holds a credential of another kind, checked by the route's own guard.
      const ownCredentials = this.reflector.getAllAndOverride<boolean>(OWN_CREDENTIALS_KEY, targets);
      if (req.headers.authorization && !ownCredentials) {
        req.user = await this.verifier.verify(this.bearer(req));
      }
      return true;
    }
    req.user = await this.verifier.verify(this.bearer(req));

    const permission = this.reflector.getAllAndOverride<Permission | undefined>(PERMISSION_KEY, targets);
    if (permission === undefined) {
      return true;
    }
    const local = await this.users.findByUserId(req.user.userId);
    if (!local) {
      throw new ForbiddenError(AuthErrorCode.UserNotRegistered, 'User is not registered at this installation');
    }
    if (!local.active) {
      throw new ForbiddenError(AuthErrorCode.UserInactive, 'User is not active at this installation');
    }
    if (!PERMISSION_ROLES[permission].includes(local.role)) {
      throw new ForbiddenError(AuthErrorCode.RoleNotPermitted, `Role ${local.role} may not use this route`);
    }
    req.localUser = local;
    return true;
  }

  private bearer(req: Request): string {
    const header = req.headers.authorization;
    if (!header) {
      throw new UnauthorizedError(AuthErrorCode.TokenMissing, 'Access token required');
    }
    const match = BEARER.exec(header);
    if (!match) {
      throw new UnauthorizedError(AuthErrorCode.TokenInvalid, 'Authorization header must be "Bearer <access token>"');
    }
    return match[1];
  }
}
