import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { AppError, ServiceUnavailableError } from '@/common/errors/app-error';
import { withTimeout } from '@/common/health/with-timeout';
import { queryConfig } from '@/config/configs';
import { QUERY_RESPONDERS, type QueryResponder, type Requester } from '../execution/responder';
import { QueryMetrics, type RecordQueryOutcome } from '../query.metrics';
import type { QueryBuilder, QueryResponse } from '../query.types';
import { BatchWriter } from './batch-writer';
import { QueriesRepository } from './queries.repository';
import { canRead, type Viewer } from './record.access';
import { RecordErrorCode, RecordQueryNotFoundError } from './record.errors';
import { RecordQueryEvents, type QueryEndSignal } from './record.events';
import {
  CLEANUP_EVERY_MS,
  CLEANUP_SCHEDULER_ID,
  RECORD_QUERY_QUEUE,
  RecordJob,
  type RecordJobData,
} from './record.queue';
import type { RecordQueryView, RecordResultView, ResponderFailure, StoredQuery, StoredResponse } from './record.types';

/** A running query this long past its timeout has lost its job (a live job ends itself at the timeout). */
export const LOST_GRACE_MS = 30_000;
/** A waiting reader re-reads the query at least this often (events may be missed). */
export const WAIT_POLL_MS = 1000;
export const MAX_WAIT_SECONDS = 30;
export const DEFAULT_HISTORY_LIMIT = 100;
export const MAX_HISTORY_LIMIT = 500;
const QUEUE_TIMEOUT_MS = 5000;
const INTERNAL_ERROR = 'internal error; see the server log';
const TIMED_OUT = 'timed out';

const RESPONSE_FIELDS = [
  'sourceId',
  'sourceName',
  'sourceOwner',
  'ownerEmail',
  'sourceUrl',
  'granularity',
  'exist',
  'recordRange',
  'recordCount',
  'resultDetails',
  'error',
] as const satisfies ReadonlyArray<keyof QueryResponse>;

/**
 * The record query lifecycle (CV3 reference 5.2): a query is stored and queued; its job sends it to every responder
 * in parallel and stores each answer as it arrives; the query completes when every responder has finished, failed
 * ones included (partial results are normal in a network). Readers poll, or wait a few seconds, for completion.
 */
@Injectable()
export class RecordQueryService implements OnApplicationBootstrap {
  private readonly logger = new Logger(RecordQueryService.name);

  constructor(
    @InjectQueue(RECORD_QUERY_QUEUE) private readonly queue: Queue<RecordJobData>,
    private readonly repo: QueriesRepository,
    @Inject(QUERY_RESPONDERS) private readonly responders: QueryResponder[],
    @Inject(RecordQueryEvents) private readonly signal: QueryEndSignal,
    private readonly metrics: QueryMetrics,
    @Inject(queryConfig.KEY) private readonly cfg: ConfigType<typeof queryConfig>,
  ) {}

  /**
   * Schedules the hourly cleanup once per Redis (not awaited, so a start with Redis down is not held up). An
   * existing schedule is left alone: upserting it again replaces its next job, which fails a worker that is
   * running that job at the moment (every API and worker process starts here).
   */
  onApplicationBootstrap(): void {
    const schedule = async () => {
      const existing = await this.queue.getJobScheduler(CLEANUP_SCHEDULER_ID);
      if (existing?.every !== CLEANUP_EVERY_MS) {
        await this.queue.upsertJobScheduler(
          CLEANUP_SCHEDULER_ID,
          { every: CLEANUP_EVERY_MS },
          { name: RecordJob.Cleanup },
        );
      }
    };
    withTimeout(schedule(), 10_000, 'Redis').catch((err: unknown) =>
      this.logger.warn({ err: (err as Error).message }, 'could not schedule the record query cleanup'),
    );
  }

  // ---- requests ---------------------------------------------------------------------------------------------

  /** Stores the query and queues its job; answers the queryId. */
  async submit(query: QueryBuilder, requester: Requester): Promise<string> {
    const queryId = randomUUID();
    await this.repo.insert({
      queryId,
      userId: requester.userId,
      anonymous: requester.anonymous,
      query,
      createdAt: new Date(),
      status: 'running',
      responders: { expected: this.responders.map((r) => r.id), finished: [], failed: [] },
      responseIds: [],
    });
    try {
      // jobId = queryId: the same query is never queued twice.
      await withTimeout(this.queue.add(RecordJob.Run, { queryId }, { jobId: queryId }), QUEUE_TIMEOUT_MS, 'Redis');
    } catch (err) {
      this.logger.error({ err, queryId }, 'could not queue a record query');
      await this.end(queryId, 'failed', { error: 'could not be queued' }).catch(() => undefined);
      throw new ServiceUnavailableError(
        RecordErrorCode.QueueUnavailable,
        'The query could not be queued; try again later',
        undefined,
        { cause: err },
      );
    }
    return queryId;
  }

  /** The stored query; 404 when there is none or the viewer may not read it. */
  async get(queryId: string, viewer: Viewer): Promise<RecordQueryView> {
    return this.toView(await this.readable(queryId, viewer));
  }

  /** The query with its responses; with `waitSeconds`, first waits up to that long for it to complete. */
  async result(queryId: string, viewer: Viewer, waitSeconds = 0): Promise<RecordResultView> {
    let stored = await this.readable(queryId, viewer);
    if (waitSeconds > 0) {
      stored = await this.waitForEnd(stored, Math.min(waitSeconds, MAX_WAIT_SECONDS) * 1000);
    }
    return this.toResult(stored, await this.repo.responsesOf(stored));
  }

  /** The viewer's queries within the retention period (every user's for admins), newest first. */
  async history(viewer: Viewer, limit = DEFAULT_HISTORY_LIMIT): Promise<RecordResultView[]> {
    const since = new Date(Date.now() - this.cfg.retentionDays * 86_400_000);
    const n = Math.max(1, Math.min(limit, MAX_HISTORY_LIMIT));
    const queries = await this.repo.list(viewer.admin ? undefined : viewer.userId, since, n);
    const responses = await this.repo.findResponses(queries.map((q) => q.queryId));
    const byQuery = new Map<string, StoredResponse[]>();
    for (const r of responses) {
      const list = byQuery.get(r.queryId);
      if (list) {
        list.push(r);
      } else {
        byQuery.set(r.queryId, [r]);
      }
    }
    return queries.map((q) => this.toResult(q, byQuery.get(q.queryId) ?? []));
  }

  // ---- processing -------------------------------------------------------------------------------------------

  /**
   * The job of one query. Responders that finished in an earlier attempt are skipped, and responses are keyed by
   * (query, responder, source), so a retry neither repeats nor duplicates. A storage failure fails the attempt.
   */
  async run(queryId: string, attempt: number, attempts: number): Promise<void> {
    const stored = await this.repo.find(queryId);
    if (!stored || stored.status !== 'running') {
      return; // gone, or ended by another attempt or the cleanup
    }
    const deadline = stored.createdAt.getTime() + this.cfg.timeoutSeconds * 1000;
    const requester: Requester = { userId: stored.userId, anonymous: stored.anonymous };
    const writer = new BatchWriter<StoredResponse>((docs) => this.repo.saveResponses(docs));
    const pending = stored.responders.expected.filter((id) => !stored.responders.finished.includes(id));
    const runs = await Promise.allSettled(
      pending.map((id) => this.runResponder(stored, id, requester, writer, deadline)),
    );
    const failure = runs.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) {
      if (attempt >= attempts) {
        await this.end(queryId, 'failed', { error: INTERNAL_ERROR });
      }
      throw failure.reason;
    }
    const answered = runs.reduce((n, r) => n + (r.status === 'fulfilled' ? r.value : 0), 0);
    await this.end(queryId, 'complete', {}, answered);
  }

  /** Marks lost queries as timed out and deletes the ones past the retention period (the hourly job). */
  async cleanup(now = new Date()): Promise<{ timedOut: number; queries: number; responses: number }> {
    let timedOut = 0;
    const lostBefore = new Date(now.getTime() - this.cfg.timeoutSeconds * 1000 - LOST_GRACE_MS);
    for (const q of await this.repo.findRunningBefore(lostBefore, 1000)) {
      if (await this.end(q.queryId, 'failed', { error: TIMED_OUT, timedOut: true })) {
        timedOut += 1;
      }
    }
    const deleted = await this.repo.deleteCreatedBefore(new Date(now.getTime() - this.cfg.retentionDays * 86_400_000));
    if (timedOut > 0 || deleted.queries > 0) {
      this.logger.log({ timedOut, ...deleted }, 'record query cleanup');
    }
    return { timedOut, ...deleted };
  }

  /**
   * Runs one responder until it finishes or the query's deadline passes, then marks it finished (failed, with a
   * message, when it rejected or ran out of time). Answers the number of sources that answered without error.
   */
  private async runResponder(
    stored: StoredQuery,
    responderId: string,
    requester: Requester,
    writer: BatchWriter<StoredResponse>,
    deadline: number,
  ): Promise<number> {
    const responder = this.responders.find((r) => r.id === responderId);
    let open = true;
    let answered = 0;
    const emit = (response: QueryResponse): Promise<void> => {
      if (!open) {
        return Promise.resolve(); // a late answer, after the deadline
      }
      const doc = toStoredResponse(stored.queryId, responderId, response);
      if (!doc) {
        this.logger.warn({ queryId: stored.queryId, responderId }, 'dropped a response without sourceId/sourceName');
        return Promise.resolve();
      }
      answered += doc.error === undefined ? 1 : 0;
      return writer.add(doc);
    };
    let failure: ResponderFailure | undefined;
    if (!responder) {
      failure = { responderId, error: 'no longer available' };
    } else if (deadline <= Date.now()) {
      failure = { responderId, error: TIMED_OUT };
    } else {
      try {
        const work = Promise.resolve().then(() => responder.respond(stored.queryId, stored.query, requester, emit));
        if (!(await finishesWithin(work, deadline - Date.now()))) {
          failure = { responderId, error: TIMED_OUT };
        }
      } catch (err) {
        failure = { responderId, error: err instanceof AppError ? err.message : INTERNAL_ERROR };
        this.logger.warn({ queryId: stored.queryId, responderId, err }, 'a responder failed');
      }
    }
    open = false;
    // Throws when a write failed: the responder stays unfinished and the job's next attempt runs it again.
    await writer.flush();
    await this.repo.markResponderFinished(stored.queryId, responderId, failure);
    return failure ? 0 : answered;
  }

  /** Ends a running query (once: null when something else ended it) and counts it. */
  private async end(
    queryId: string,
    status: 'complete' | 'failed',
    extra: { error?: string; timedOut?: boolean } = {},
    answered?: number,
  ): Promise<StoredQuery | null> {
    const ended = await this.repo.finish(queryId, status, extra);
    if (ended) {
      const outcome = status === 'failed' ? 'failed' : outcomeOf(ended);
      this.metrics.queryFinished(outcome, (Date.now() - ended.createdAt.getTime()) / 1000, answered);
    }
    return ended;
  }

  // ---- reading ----------------------------------------------------------------------------------------------

  private async readable(queryId: string, viewer: Viewer): Promise<StoredQuery> {
    const stored = await this.repo.find(queryId);
    if (!stored || !canRead(viewer, stored)) {
      throw new RecordQueryNotFoundError(queryId); // the same answer either way: existence is not revealed
    }
    return stored;
  }

  /** Waits for the query's job to end (an event, with a re-read at least every second) or for `ms` to pass. */
  private async waitForEnd(stored: StoredQuery, ms: number): Promise<StoredQuery> {
    const until = Date.now() + ms;
    let current = stored;
    while (!this.toView(current).complete && Date.now() < until) {
      await this.signal.wait(current.queryId, Math.min(WAIT_POLL_MS, until - Date.now()));
      current = (await this.repo.find(current.queryId)) ?? current;
    }
    return current;
  }

  /** A running query whose job was lost (past its timeout and grace) is shown as failed and timed out. */
  private toView(q: StoredQuery, now = Date.now()): RecordQueryView {
    const lost = q.status === 'running' && q.createdAt.getTime() + this.cfg.timeoutSeconds * 1000 + LOST_GRACE_MS < now;
    const status = lost ? 'failed' : q.status;
    const view: RecordQueryView = {
      queryId: q.queryId,
      userId: q.userId,
      anonymous: q.anonymous,
      query: q.query,
      createdAt: q.createdAt,
      status,
      complete: status !== 'running',
      responders: q.responders,
    };
    if (q.completedAt) {
      view.completedAt = q.completedAt;
    }
    if (lost || q.error !== undefined) {
      view.error = lost ? TIMED_OUT : q.error;
    }
    if (lost || q.timedOut) {
      view.timedOut = true;
    }
    return view;
  }

  private toResult(q: StoredQuery, responses: StoredResponse[]): RecordResultView {
    const query = this.toView(q);
    const sorted = [...responses].sort(
      (a, b) => a.responderId.localeCompare(b.responderId) || a.sourceName.localeCompare(b.sourceName),
    );
    return {
      query,
      responses: sorted.map(toQueryResponse),
      complete: query.complete,
      status: query.status,
      responders: query.responders,
    };
  }
}

/** True when `work` settles within `ms`; rethrows its rejection. */
async function finishesWithin(work: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function outcomeOf(q: StoredQuery): RecordQueryOutcome {
  const failed = q.responders.failed.length;
  if (failed === 0) {
    return 'complete';
  }
  return failed < q.responders.expected.length ? 'partial' : 'failed';
}

/** Copies the QueryResponse fields (a responder may be another installation: nothing else is stored). */
function toStoredResponse(queryId: string, responderId: string, response: QueryResponse): StoredResponse | null {
  if (typeof response?.sourceId !== 'string' || response.sourceId === '' || typeof response.sourceName !== 'string') {
    return null;
  }
  const doc: Record<string, unknown> = { queryId, responderId, receivedAt: new Date() };
  for (const field of RESPONSE_FIELDS) {
    if (response[field] !== undefined) {
      doc[field] = response[field];
    }
  }
  return doc as unknown as StoredResponse;
}

function toQueryResponse(stored: StoredResponse): QueryResponse {
  const { queryId: _q, responderId: _r, receivedAt: _t, ...response } = stored;
  return response;
}
