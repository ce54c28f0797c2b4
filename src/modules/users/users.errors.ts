import { AppError } from '@/common/errors/app-error';

export enum UsersErrorCode {
  UserExists = 'USER_EXISTS',
  UserNotFound = 'USER_NOT_FOUND',
  UserInvalid = 'USER_INVALID',
  RoleNotGrantable = 'USER_ROLE_NOT_GRANTABLE',
  KeycloakUnavailable = 'KEYCLOAK_UNAVAILABLE',
  KeycloakRequestFailed = 'KEYCLOAK_REQUEST_FAILED',
  AccessRequestNotFound = 'ACCESS_REQUEST_NOT_FOUND',
  AccessRequestDecided = 'ACCESS_REQUEST_ALREADY_DECIDED',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
}

export class UserConflictError extends AppError {
  readonly httpStatus = 409;
}

export class UserNotFoundError extends AppError {
  readonly httpStatus = 404;
  constructor(userId: string) {
    super(UsersErrorCode.UserNotFound, `No local user ${userId}`);
  }
}

/** Keycloak refused the user's data (e.g. a username its user profile does not allow). */
export class UserInvalidError extends AppError {
  readonly httpStatus = 400;
}

/** Nobody grants (or takes away) a role above their own. */
export class RoleNotGrantableError extends AppError {
  readonly httpStatus = 403;
}

/** Keycloak down, not answering in time, or refusing the service account (a deployment problem). */
export class KeycloakUnavailableError extends AppError {
  readonly httpStatus = 503;
}

export class AccessRequestNotFoundError extends AppError {
  readonly httpStatus = 404;
  constructor(requestId: string) {
    super(UsersErrorCode.AccessRequestNotFound, `No access request ${requestId}`);
  }
}

export class AccessRequestDecidedError extends AppError {
  readonly httpStatus = 409;
}

export class PayloadTooLargeError extends AppError {
  readonly httpStatus = 413;
}
