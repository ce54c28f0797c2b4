/*
 * A responder answers a record query for a set of sources: this installation's own sources (LocalResponder), and
 * later another installation of the network (the federation issue adds one responder per approved node). The
 * lifecycle (job, storage, completion marker) only knows this interface.
 */
import type { QueryBuilder, QueryResponse } from '../query.types';

/** Who asks: a local user, or the internal anonymous user (`ANONYMOUS_USER_ID`). */
export interface Requester {
  userId: string;
  anonymous: boolean;
}

export interface QueryResponder {
  /** Stable name stored with each response: `local`, or a node ID. */
  readonly id: string;
  /**
   * Answers every source this responder holds that the requester may see, calling `emit` once per source as soon
   * as that source has answered (a source that fails is emitted with `error`). Resolves when all have been
   * emitted; rejects only when the responder as a whole could not answer.
   */
  respond(
    queryId: string,
    query: QueryBuilder,
    requester: Requester,
    emit: (response: QueryResponse) => Promise<void>,
  ): Promise<void>;
}

/** Nest token for the list of responders a query is sent to. */
export const QUERY_RESPONDERS = Symbol('QUERY_RESPONDERS');
