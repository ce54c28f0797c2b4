import { AppError } from '@/common/errors/app-error';

export enum DataErrorCode {
  SourceNotFound = 'SOURCE_NOT_FOUND',
  SourceExists = 'SOURCE_EXISTS',
  SourceInvalid = 'SOURCE_INVALID',
  PipelineNotFound = 'PIPELINE_NOT_FOUND',
  PipelineExists = 'PIPELINE_EXISTS',
  PipelineInvalid = 'PIPELINE_INVALID',
  DataFileNotFound = 'DATA_FILE_NOT_FOUND',
  /** The chunk or the assembled file breaks a rule (fields, names, sizes, format). */
  UploadInvalid = 'UPLOAD_INVALID',
  UploadFormatNotAllowed = 'UPLOAD_FORMAT_NOT_ALLOWED',
  UploadTooLarge = 'UPLOAD_TOO_LARGE',
  UploadSourceNotInternal = 'UPLOAD_SOURCE_NOT_INTERNAL',
  UploadTokenMissing = 'UPLOAD_TOKEN_MISSING',
  UploadTokenInvalid = 'UPLOAD_TOKEN_INVALID',
}

export class SourceNotFoundError extends AppError {
  readonly httpStatus = 404;
  constructor(sourceId: string) {
    super(DataErrorCode.SourceNotFound, `No source ${sourceId}`);
  }
}

export class DataConflictError extends AppError {
  readonly httpStatus = 409;
}

/** A body that passes the DTO but breaks a rule that spans fields; `details.field` names the field. */
export class DataInvalidError extends AppError {
  readonly httpStatus = 400;
  constructor(code: DataErrorCode, field: string, message: string) {
    super(code, `${field}: ${message}`, { field });
  }
}

export class PipelineNotFoundError extends AppError {
  readonly httpStatus = 404;
  constructor(pipelineId: string) {
    super(DataErrorCode.PipelineNotFound, `No pipeline ${pipelineId}`);
  }
}

export class DataFileNotFoundError extends AppError {
  readonly httpStatus = 404;
  constructor(dataFileId: string) {
    super(DataErrorCode.DataFileNotFound, `No data file ${dataFileId}`);
  }
}

/** An upload refused for its content or fields (the chunks received so far are deleted). */
export class UploadRefusedError extends AppError {
  readonly httpStatus: number;
  constructor(code: DataErrorCode, message: string, httpStatus = 400) {
    super(code, message);
    this.httpStatus = httpStatus;
  }
}

/**
 * The upload token is missing, expired, forged or for another source or user. 403, not 401: CV3's frontend
 * logs the user out on a 401, and the user's own access token is fine.
 */
export class UploadTokenError extends AppError {
  readonly httpStatus = 403;
}
