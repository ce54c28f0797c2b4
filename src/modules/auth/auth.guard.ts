import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { IS_PUBLIC_KEY } from '@/common/auth/public.decorator';
import type { RequestWithUser } from '@/common/auth/current-user.decorator';
import { AuthErrorCode, UnauthorizedError } from './auth.errors';
import { KeycloakTokenVerifier } from './keycloak-token.verifier';

const BEARER = /^Bearer ([A-Za-z0-9\-_=]+\.[A-Za-z0-9\-_=]+\.[A-Za-z0-9\-_.+/=]*)$/;

/** Global guard: every route needs a verified bearer token unless it is marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: KeycloakTokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic || context.getType() !== 'http') {
      return true;
    }
    const req = context.switchToHttp().getRequest<Request & RequestWithUser>();
    const header = req.headers.authorization;
    if (!header) {
      throw new UnauthorizedError(AuthErrorCode.TokenMissing, 'Access token required');
    }
    const match = BEARER.exec(header);
    if (!match) {
      throw new UnauthorizedError(AuthErrorCode.TokenInvalid, 'Authorization header must be "Bearer <access token>"');
    }
    req.user = await this.verifier.verify(match[1]);
    return true;
  }
}
