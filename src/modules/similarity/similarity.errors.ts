import { AppError } from '@/common/errors/app-error';

export enum SimilarityErrorCode {
  /** Neither `HPO.OboPath` (nor `CV3_HPO_DIR`) nor `Neo4j.Enabled`: this installation has no ontology. */
  NotConfigured = 'SIMILARITY_NOT_CONFIGURED',
  /** The ontology is still loading (or a reload is under way after a failure). */
  Loading = 'SIMILARITY_LOADING',
  /** The last load failed (file missing or malformed, Neo4j down or empty); retried on a later request. */
  LoadFailed = 'SIMILARITY_LOAD_FAILED',
  TermIdInvalid = 'TERM_ID_INVALID',
  /** Another parameter out of range (depth, threshold, query length). */
  RequestInvalid = 'TERM_REQUEST_INVALID',
  TooManyTerms = 'TERM_LIST_TOO_LONG',
  TermNotFound = 'TERM_NOT_FOUND',
}

/** The ontology cannot answer now; the rest of the app keeps working. */
export class SimilarityUnavailableError extends AppError {
  readonly httpStatus = 503;
}

/** Input the service refuses; `details.field` names the field and `details.invalid` the offending values. */
export class TermRequestError extends AppError {
  readonly httpStatus = 400;
  constructor(code: SimilarityErrorCode, field: string, message: string, invalid?: string[]) {
    super(code, `${field}: ${message}`, invalid ? { field, invalid } : { field });
  }
}

export class TermNotFoundError extends AppError {
  readonly httpStatus = 404;
  constructor(termId: string) {
    super(SimilarityErrorCode.TermNotFound, `No HPO term ${termId}`);
  }
}
