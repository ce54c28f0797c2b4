import type { QueryBuilder, QueryResponse } from '../query.types';

/** `complete` and `failed` are final; a `running` query past its timeout is shown (and later stored) as failed. */
export const RECORD_QUERY_STATUSES = ['running', 'complete', 'failed'] as const;
export type RecordQueryStatus = (typeof RECORD_QUERY_STATUSES)[number];

/** A responder that finished without answering (it rejected, or did not finish in time). */
export interface ResponderFailure {
  responderId: string;
  error: string;
}

/** A document of `query.queries` (without `_id`, which is the queryId). */
export interface StoredQuery {
  queryId: string;
  /** The submitter's Keycloak ID, or `anonymous`. */
  userId: string;
  anonymous: boolean;
  /** The normalised QueryBuilder. */
  query: QueryBuilder;
  createdAt: Date;
  status: RecordQueryStatus;
  responders: {
    /** Every responder the query was sent to. */
    expected: string[];
    /** Those that have finished (failed ones included): a retried job skips them. */
    finished: string[];
    failed: ResponderFailure[];
  };
  completedAt?: Date;
  /** Why the query failed as a whole. */
  error?: string;
  /** The query's job was lost and the query was given up on at its timeout. */
  timedOut?: boolean;
  /**
   * The `_id`s of its stored responses (internal; empty at submit): polling reads them by `_id`, which every
   * server answers from its primary key (FerretDB would scan all responses of every query for a `queryId` filter).
   */
  responseIds?: string[];
}

/** A document of `query.responses`: one per (query, responder, source); `_id` is `queryId:responderId:sourceId`. */
export type StoredResponse = QueryResponse & {
  queryId: string;
  responderId: string;
  receivedAt: Date;
};

/** What the routes answer for one query. */
export interface RecordQueryView {
  queryId: string;
  userId: string;
  anonymous: boolean;
  query: QueryBuilder;
  createdAt: Date;
  status: RecordQueryStatus;
  /** No more responses will come (status complete or failed). */
  complete: boolean;
  responders: StoredQuery['responders'];
  completedAt?: Date;
  error?: string;
  timedOut?: boolean;
}

export interface RecordResultView {
  query: RecordQueryView;
  responses: QueryResponse[];
  complete: boolean;
  status: RecordQueryStatus;
  responders: StoredQuery['responders'];
}
