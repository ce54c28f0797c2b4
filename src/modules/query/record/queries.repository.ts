import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { RecordQueryStatus, ResponderFailure, StoredQuery, StoredResponse } from './record.types';

/** CV3's collections of record queries and their responses. */
export const QUERIES_COLLECTION = 'query.queries';
export const RESPONSES_COLLECTION = 'query.responses';

type QueryDoc = StoredQuery & { _id: string };
type ResponseDoc = StoredResponse & { _id: string };

const NO_ID = { projection: { _id: 0 } } as const;
/** Deletions go by this many queries at a time. */
const DELETE_BATCH = 500;

/** A response's `_id`: a retried job writes the same key again, so it overwrites instead of duplicating. */
export function responseKey(queryId: string, responderId: string, sourceId: string): string {
  return `${queryId}:${responderId}:${sourceId}`;
}

/**
 * `query.queries` (`_id` = queryId) and `query.responses` (`_id` = queryId:responderId:sourceId). Reads of one query
 * go by `_id`; a query's responses, the history and the cleanup filter on other fields, served by the indexes below
 * on MongoDB (FerretDB scans).
 */
@Injectable()
export class QueriesRepository implements OnModuleInit {
  private readonly logger = new Logger(QueriesRepository.name);

  constructor(@InjectConnection() private readonly connection: Connection) {}

  private get queries() {
    return this.connection.collection<QueryDoc>(QUERIES_COLLECTION);
  }

  private get responses() {
    return this.connection.collection<ResponseDoc>(RESPONSES_COLLECTION);
  }

  async onModuleInit(): Promise<void> {
    try {
      // Serves a user's history, newest first.
      await this.queries.createIndex({ userId: 1, createdAt: -1 }, { name: 'userId_createdAt' });
      // Serves the admins' history and the retention cleanup.
      await this.queries.createIndex({ createdAt: -1 }, { name: 'createdAt' });
      // Serves the timeout marking (running queries older than the timeout).
      await this.queries.createIndex({ status: 1, createdAt: 1 }, { name: 'status_createdAt' });
      // Serves a query's responses (polling) and their deletion.
      await this.responses.createIndex({ queryId: 1 }, { name: 'queryId' });
    } catch (err) {
      this.logger.error({ err }, 'could not create the query.queries / query.responses indexes');
    }
  }

  async insert(query: StoredQuery): Promise<void> {
    await this.queries.insertOne({ _id: query.queryId, ...query });
  }

  async find(queryId: string): Promise<StoredQuery | null> {
    return this.queries.findOne({ _id: queryId }, NO_ID);
  }

  /** Newest first, created at or after `since`; every user's when `userId` is undefined. */
  async list(userId: string | undefined, since: Date, limit: number): Promise<StoredQuery[]> {
    const filter = userId === undefined ? { createdAt: { $gte: since } } : { userId, createdAt: { $gte: since } };
    return this.queries.find(filter, NO_ID).sort({ createdAt: -1 }).limit(limit).toArray();
  }

  /**
   * Writes responses in one round trip, replacing any with the same key, then lists their keys on their queries
   * (after the write, so every listed response exists).
   */
  async saveResponses(responses: StoredResponse[]): Promise<void> {
    if (responses.length === 0) {
      return;
    }
    const byQuery = new Map<string, string[]>();
    await this.responses.bulkWrite(
      responses.map((r) => {
        const _id = responseKey(r.queryId, r.responderId, r.sourceId);
        byQuery.set(r.queryId, [...(byQuery.get(r.queryId) ?? []), _id]);
        return { replaceOne: { filter: { _id }, replacement: { _id, ...r }, upsert: true } };
      }),
      { ordered: false },
    );
    await Promise.all(
      [...byQuery].map(([queryId, ids]) =>
        this.queries.updateOne({ _id: queryId }, { $addToSet: { responseIds: { $each: ids } } }),
      ),
    );
  }

  /** One query's responses, each read by its `_id` (a query stored before the key list existed: by `queryId`). */
  async responsesOf(query: StoredQuery): Promise<StoredResponse[]> {
    if (!query.responseIds) {
      return this.findResponses([query.queryId]);
    }
    const docs = await Promise.all(
      query.responseIds.map((_id) => this.responses.findOne<StoredResponse>({ _id }, NO_ID)),
    );
    return docs.filter((d) => d !== null);
  }

  /** The responses of several queries (the history list): one query on `queryId`. */
  async findResponses(queryIds: string[]): Promise<StoredResponse[]> {
    if (queryIds.length === 0) {
      return [];
    }
    const filter = queryIds.length === 1 ? { queryId: queryIds[0] } : { queryId: { $in: queryIds } };
    return this.responses.find(filter, NO_ID).toArray();
  }

  /** Adds a responder to `responders.finished` (and to `failed` with its error) once; a no-op when already there. */
  async markResponderFinished(queryId: string, responderId: string, failure?: ResponderFailure): Promise<void> {
    await this.queries.updateOne(
      { _id: queryId, 'responders.finished': { $ne: responderId } },
      failure
        ? { $addToSet: { 'responders.finished': responderId }, $push: { 'responders.failed': failure } }
        : { $addToSet: { 'responders.finished': responderId } },
    );
  }

  /** Ends a running query; null when it was not running any more (another attempt or the cleanup ended it). */
  async finish(
    queryId: string,
    status: Exclude<RecordQueryStatus, 'running'>,
    extra: { error?: string; timedOut?: boolean } = {},
  ): Promise<StoredQuery | null> {
    // No projection: FerretDB's findAndModify does not take one.
    const doc = await this.queries.findOneAndUpdate(
      { _id: queryId, status: 'running' },
      { $set: { status, completedAt: new Date(), ...extra } },
      { returnDocument: 'after' },
    );
    if (!doc) {
      return null;
    }
    const { _id, ...query } = doc;
    return query;
  }

  /** Running queries created before `before`, oldest first (lost jobs, to be marked as timed out). */
  async findRunningBefore(before: Date, limit: number): Promise<StoredQuery[]> {
    return this.queries
      .find({ status: 'running', createdAt: { $lt: before } }, NO_ID)
      .sort({ createdAt: 1 })
      .limit(limit)
      .toArray();
  }

  /** Deletes queries created before `cutoff` and their responses (responses first, so none is orphaned). */
  async deleteCreatedBefore(cutoff: Date): Promise<{ queries: number; responses: number }> {
    const deleted = { queries: 0, responses: 0 };
    for (;;) {
      const ids = (
        await this.queries
          .find({ createdAt: { $lt: cutoff } }, { projection: { _id: 1 } })
          .limit(DELETE_BATCH)
          .toArray()
      ).map((d) => d._id);
      if (ids.length === 0) {
        return deleted;
      }
      deleted.responses += (await this.responses.deleteMany({ queryId: { $in: ids } })).deletedCount;
      deleted.queries += (await this.queries.deleteMany({ _id: { $in: ids } })).deletedCount;
    }
  }
}
