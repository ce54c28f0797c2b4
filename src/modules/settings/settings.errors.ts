import { AppError } from '@/common/errors/app-error';

export enum SettingsErrorCode {
  /** Maintenance mode is on: every route but the toggle and liveness answers this. */
  Maintenance = 'MAINTENANCE',
  SharedSecretMissing = 'SHARED_SECRET_MISSING',
  SharedSecretInvalid = 'SHARED_SECRET_INVALID',
  /** Vault holds no usable shared secret, or cannot be read. */
  SharedSecretUnavailable = 'SHARED_SECRET_UNAVAILABLE',
  TimestampInvalid = 'MAINTENANCE_TIMESTAMP_INVALID',
  TimestampStale = 'MAINTENANCE_TIMESTAMP_STALE',
  TimestampReplayed = 'MAINTENANCE_TIMESTAMP_REPLAYED',
}

export class MaintenanceModeError extends AppError {
  readonly httpStatus = 503;
  constructor(message: string) {
    super(SettingsErrorCode.Maintenance, message);
  }
}

/** The shared secret is missing or wrong. */
export class SharedSecretUnauthorizedError extends AppError {
  readonly httpStatus = 401;
}

/** The secret was right but the request is refused (stale or replayed timestamp). */
export class SharedSecretForbiddenError extends AppError {
  readonly httpStatus = 403;
}

export class SharedSecretBadRequestError extends AppError {
  readonly httpStatus = 400;
}

export class SharedSecretUnavailableError extends AppError {
  readonly httpStatus = 503;
  constructor(message = 'The shared secret cannot be read from Vault', options?: { cause?: unknown }) {
    super(SettingsErrorCode.SharedSecretUnavailable, message, undefined, options);
  }
}
