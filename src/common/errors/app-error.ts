/**
 * Base class of every domain error. Services throw these (not HttpException) so the same code works in
 * HTTP handlers, processors and scripts; the global filter maps them to `{statusCode, code, message, requestId}`.
 */
export abstract class AppError extends Error {
  abstract readonly httpStatus: number;

  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A dependency (Vault, Keycloak, Redis, …) did not answer in time or is down. */
export class ServiceUnavailableError extends AppError {
  readonly httpStatus = 503;
}
