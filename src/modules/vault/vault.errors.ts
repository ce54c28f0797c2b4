import { AppError } from '@/common/errors/app-error';

export enum VaultErrorCode {
  Unavailable = 'VAULT_UNAVAILABLE',
  LoginFailed = 'VAULT_LOGIN_FAILED',
  SecretNotFound = 'VAULT_SECRET_NOT_FOUND',
  PermissionDenied = 'VAULT_PERMISSION_DENIED',
  RequestFailed = 'VAULT_REQUEST_FAILED',
}

/** Vault down, sealed, or not answering in time. */
export class VaultUnavailableError extends AppError {
  readonly httpStatus = 503;
}

export class VaultSecretNotFoundError extends AppError {
  readonly httpStatus = 404;
}

/** Vault refused or failed a request the backend made: a deployment problem, not the caller's. */
export class VaultRequestError extends AppError {
  readonly httpStatus = 503;
}
