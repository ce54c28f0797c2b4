import { Injectable } from '@nestjs/common';
import type { QueryBuilder, QueryResponse } from '../query.types';
import type { QueryResponder, Requester } from './responder';

/** This installation's sources. (Being written: the lead replaces this body.) */
@Injectable()
export class LocalResponder implements QueryResponder {
  readonly id = 'local';

  respond(
    _queryId: string,
    _query: QueryBuilder,
    _requester: Requester,
    _emit: (response: QueryResponse) => Promise<void>,
  ): Promise<void> {
    return Promise.reject(new Error('LocalResponder is not written yet'));
  }
}
