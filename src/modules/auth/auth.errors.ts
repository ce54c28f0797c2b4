import { AppError } from '@/common/errors/app-error';

export enum AuthErrorCode {
  TokenMissing = 'AUTH_TOKEN_MISSING',
  TokenInvalid = 'AUTH_TOKEN_INVALID',
  TokenExpired = 'AUTH_TOKEN_EXPIRED',
  IdentityProviderUnavailable = 'AUTH_IDP_UNAVAILABLE',
  UserNotRegistered = 'AUTH_USER_NOT_REGISTERED',
  UserInactive = 'AUTH_USER_INACTIVE',
  LoginNotPermitted = 'AUTH_LOGIN_NOT_PERMITTED',
  RoleNotPermitted = 'AUTH_ROLE_NOT_PERMITTED',
  GrantRejected = 'AUTH_GRANT_REJECTED',
}

export class UnauthorizedError extends AppError {
  readonly httpStatus = 401;
}

export class ForbiddenError extends AppError {
  readonly httpStatus = 403;
}

export class IdentityProviderUnavailableError extends AppError {
  readonly httpStatus = 503;
  constructor(message = 'The identity provider (Keycloak) is unavailable', options?: { cause?: unknown }) {
    super(AuthErrorCode.IdentityProviderUnavailable, message, undefined, options);
  }
}
