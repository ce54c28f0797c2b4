import { EventEmitter } from 'node:events';
import type { Queue } from 'bullmq';
import { Registry } from 'prom-client';
import type { MetricsService } from '@/modules/metrics/metrics.service';
import type { QueryResponder } from '../execution/responder';
import { QueryMetrics } from '../query.metrics';
import { queryBuilder, type QueryResponse } from '../query.types';
import { type QueriesRepository, responseKey } from './queries.repository';
import { ANONYMOUS_VIEWER, type Viewer } from './record.access';
import type { QueryEndSignal } from './record.events';
import { RecordQueryService } from './record-query.service';
import type { RecordJobData } from './record.queue';
import type { RecordQueryStatus, ResponderFailure, StoredQuery, StoredResponse } from './record.types';

const QUERY = queryBuilder({ hpo: [{ terms: ['0001250'], similarity: 1, minimumMatch: 1, useOrphanet: false }] });
const ALICE: Viewer = { userId: 'alice', anonymous: false, admin: false };
const BOB: Viewer = { userId: 'bob', anonymous: false, admin: false };
const ADMIN: Viewer = { userId: 'root', anonymous: false, admin: true };

const clone = <T>(v: T): T => structuredClone(v);

/** The repository's behaviour in memory (the real one is covered by the e2e test). */
class FakeRepo {
  queries = new Map<string, StoredQuery>();
  responses = new Map<string, StoredResponse>();
  /** Save calls to fail, by call number (1-based). */
  failSaves = new Set<number>();
  saves = 0;

  insert(q: StoredQuery) {
    this.queries.set(q.queryId, clone(q));
    return Promise.resolve();
  }
  find(id: string) {
    const q = this.queries.get(id);
    return Promise.resolve(q ? clone(q) : null);
  }
  list(userId: string | undefined, since: Date, limit: number) {
    const all = [...this.queries.values()]
      .filter((q) => (userId === undefined || q.userId === userId) && q.createdAt >= since)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    return Promise.resolve(clone(all.slice(0, limit)));
  }
  saveResponses(docs: StoredResponse[]) {
    this.saves += 1;
    if (this.failSaves.has(this.saves)) {
      return Promise.reject(new Error('connection reset'));
    }
    docs.forEach((d) => this.responses.set(responseKey(d.queryId, d.responderId, d.sourceId), clone(d)));
    return Promise.resolve();
  }
  responsesOf(q: StoredQuery) {
    return this.findResponses([q.queryId]);
  }
  findResponses(ids: string[]) {
    return Promise.resolve([...this.responses.values()].filter((r) => ids.includes(r.queryId)).map(clone));
  }
  markResponderFinished(id: string, responderId: string, failure?: ResponderFailure) {
    const q = this.queries.get(id);
    if (q && !q.responders.finished.includes(responderId)) {
      q.responders.finished.push(responderId);
      if (failure) {
        q.responders.failed.push(failure);
      }
    }
    return Promise.resolve();
  }
  finish(id: string, status: RecordQueryStatus, extra: object = {}) {
    const q = this.queries.get(id);
    if (!q || q.status !== 'running') {
      return Promise.resolve(null);
    }
    Object.assign(q, { status, completedAt: new Date(), ...extra });
    return Promise.resolve(clone(q));
  }
  findRunningBefore(before: Date) {
    return Promise.resolve([...this.queries.values()].filter((q) => q.status === 'running' && q.createdAt < before));
  }
  deleteCreatedBefore(cutoff: Date) {
    let queries = 0;
    let responses = 0;
    for (const q of [...this.queries.values()].filter((x) => x.createdAt < cutoff)) {
      for (const [k, r] of this.responses) {
        if (r.queryId === q.queryId) {
          this.responses.delete(k);
          responses += 1;
        }
      }
      this.queries.delete(q.queryId);
      queries += 1;
    }
    return Promise.resolve({ queries, responses });
  }
}

class FakeSignal implements QueryEndSignal {
  readonly events = new EventEmitter();
  wait(queryId: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.events.once(queryId, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

function answer(sourceId: string, extra: Partial<QueryResponse> = {}): QueryResponse {
  return { sourceId, sourceName: `Source ${sourceId}`, granularity: 'count', recordCount: 3, ...extra };
}

/** A responder from a function, counting its calls. */
function responder(id: string, respond: QueryResponder['respond']): QueryResponder & { calls: number } {
  const r = {
    id,
    calls: 0,
    respond: (...args: Parameters<QueryResponder['respond']>) => {
      r.calls += 1;
      return respond(...args);
    },
  };
  return r;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(RecordQueryService.name, () => {
  let repo: FakeRepo;
  let signal: FakeSignal;
  let queue: { add: jest.Mock; upsertJobScheduler: jest.Mock; getJobScheduler: jest.Mock };
  let registry: Registry;
  const cfg = { retentionDays: 30, timeoutSeconds: 120 };

  function service(responders: QueryResponder[]): RecordQueryService {
    return new RecordQueryService(
      queue as unknown as Queue<RecordJobData>,
      repo as unknown as QueriesRepository,
      responders,
      signal,
      new QueryMetrics({ registry } as unknown as MetricsService),
      cfg,
    );
  }

  const outcomes = async () =>
    Object.fromEntries(
      (await registry.getSingleMetric('cv3_record_queries_total')!.get()).values.map((v) => [
        v.labels.outcome,
        v.value,
      ]),
    );

  beforeEach(() => {
    repo = new FakeRepo();
    signal = new FakeSignal();
    queue = {
      add: jest.fn().mockResolvedValue({}),
      upsertJobScheduler: jest.fn().mockResolvedValue({}),
      getJobScheduler: jest.fn().mockResolvedValue(undefined),
    };
    registry = new Registry();
  });

  it('should schedule the hourly cleanup once, leaving an existing schedule alone', async () => {
    const svc = service([]);
    svc.onApplicationBootstrap();
    await sleep(10);
    expect(queue.upsertJobScheduler).toHaveBeenCalledWith(
      'record-query-cleanup',
      { every: 3_600_000 },
      { name: 'cleanup' },
    );
    queue.upsertJobScheduler.mockClear();
    queue.getJobScheduler.mockResolvedValue({ key: 'record-query-cleanup', every: 3_600_000 });
    svc.onApplicationBootstrap();
    await sleep(10);
    expect(queue.upsertJobScheduler).not.toHaveBeenCalled();
  });

  it('should store a running query and queue its job under the queryId', async () => {
    const svc = service([responder('local', () => Promise.resolve()), responder('node-1', () => Promise.resolve())]);
    const id = await svc.submit(QUERY, { userId: 'alice', anonymous: false });
    expect(repo.queries.get(id)).toMatchObject({
      queryId: id,
      userId: 'alice',
      anonymous: false,
      query: QUERY,
      status: 'running',
      responders: { expected: ['local', 'node-1'], finished: [], failed: [] },
      responseIds: [],
    });
    expect(queue.add).toHaveBeenCalledWith('run', { queryId: id }, { jobId: id });
  });

  it('should mark the query failed and answer 503 when the queue refuses it', async () => {
    queue.add.mockRejectedValue(new Error('ECONNREFUSED'));
    const svc = service([responder('local', () => Promise.resolve())]);
    await expect(svc.submit(QUERY, { userId: 'alice', anonymous: false })).rejects.toMatchObject({ httpStatus: 503 });
    expect([...repo.queries.values()][0]).toMatchObject({ status: 'failed', error: 'could not be queued' });
  });

  it('should call the responders in parallel and complete when all have finished', async () => {
    let started = 0;
    let release!: () => void;
    const bothStarted = new Promise<void>((r) => (release = r));
    const gate = async () => {
      if (++started === 2) {
        release();
      }
      await bothStarted; // a sequential run would never get past this
    };
    const svc = service([
      responder('local', async (_q, _b, _r, emit) => {
        await gate();
        await emit(answer('s1'));
        await emit(answer('s2'));
      }),
      responder('node-1', async (_q, _b, _r, emit) => {
        await gate();
        await emit(answer('s3', { error: 'database unavailable', recordCount: undefined }));
      }),
    ]);
    const id = await svc.submit(QUERY, { userId: 'alice', anonymous: false });
    await svc.run(id, 1, 3);

    const stored = repo.queries.get(id)!;
    expect(stored).toMatchObject({ status: 'complete', responders: { failed: [] } });
    expect(stored.responders.finished.sort()).toEqual(['local', 'node-1']);
    expect(stored.completedAt).toBeInstanceOf(Date);
    const result = await svc.result(id, ALICE);
    expect(result).toMatchObject({ complete: true, status: 'complete' });
    expect(result.responses.map((r) => r.sourceId)).toEqual(['s1', 's2', 's3']);
    expect(result.responses[0]).toEqual(answer('s1')); // no internal fields
    expect(await outcomes()).toEqual({ complete: 1 });
  });

  it('should complete with partial results when a responder fails', async () => {
    const svc = service([
      responder('local', async (_q, _b, _r, emit) => emit(answer('s1'))),
      responder('node-1', () => Promise.reject(new Error('ECONNRESET 10.0.0.3'))),
    ]);
    const id = await svc.submit(QUERY, { userId: 'alice', anonymous: false });
    await svc.run(id, 1, 3);
    expect(repo.queries.get(id)).toMatchObject({
      status: 'complete',
      responders: { failed: [{ responderId: 'node-1', error: 'internal error; see the server log' }] },
    });
    expect(repo.queries.get(id)!.responders.finished.sort()).toEqual(['local', 'node-1']);
    expect((await svc.result(id, ALICE)).responses).toHaveLength(1);
    expect(await outcomes()).toEqual({ partial: 1 });
  });

  it('should count a query whose every responder failed as failed', async () => {
    const svc = service([responder('local', () => Promise.reject(new Error('down')))]);
    const id = await svc.submit(QUERY, { userId: 'alice', anonymous: false });
    await svc.run(id, 1, 3);
    expect(repo.queries.get(id)!.status).toBe('complete');
    expect(await outcomes()).toEqual({ failed: 1 });
  });

  it('should rerun only unfinished responders on retry, without duplicating responses', async () => {
    const local = responder('local', async (_q, _b, _r, emit) => emit(answer('s1')));
    const node = responder('node-1', async (_q, _b, _r, emit) => {
      await sleep(20);
      await emit(answer('s2'));
      await emit(answer('s3'));
    });
    const svc = service([local, node]);
    const id = await svc.submit(QUERY, { userId: 'alice', anonymous: false });
    repo.failSaves.add(2); // node-1's answers fail to store in the first attempt
    await expect(svc.run(id, 1, 3)).rejects.toThrow('connection reset');
    expect(repo.queries.get(id)).toMatchObject({ status: 'running', responders: { finished: ['local'] } });

    await svc.run(id, 2, 3);
    expect(local.calls).toBe(1);
    expect(node.calls).toBe(2);
    expect([...repo.responses.keys()].sort()).toEqual([`${id}:local:s1`, `${id}:node-1:s2`, `${id}:node-1:s3`]);
    expect(repo.queries.get(id)).toMatchObject({ status: 'complete', responders: { failed: [] } });

    await svc.run(id, 3, 3); // a duplicate delivery of a completed job does nothing
    expect(local.calls + node.calls).toBe(3);
  });

  it('should mark the query failed when its last attempt fails', async () => {
    const svc = service([responder('local', async (_q, _b, _r, emit) => emit(answer('s1')))]);
    const id = await svc.submit(QUERY, { userId: 'alice', anonymous: false });
    repo.failSaves.add(1);
    await expect(svc.run(id, 3, 3)).rejects.toThrow();
    expect(repo.queries.get(id)).toMatchObject({ status: 'failed', error: 'internal error; see the server log' });
    expect(await outcomes()).toEqual({ failed: 1 });
  });

  it('should give up on a responder at the deadline and drop its late answers', async () => {
    let lateEmit!: () => Promise<void>;
    const svc = service([
      responder('local', async (_q, _b, _r, emit) => emit(answer('s1'))),
      responder('node-1', (_q, _b, _r, emit) => {
        lateEmit = () => emit(answer('late'));
        return new Promise<void>(() => undefined); // never answers
      }),
    ]);
    const id = await svc.submit(QUERY, { userId: 'alice', anonymous: false });
    repo.queries.get(id)!.createdAt = new Date(Date.now() - cfg.timeoutSeconds * 1000 + 100);
    await svc.run(id, 1, 3);
    expect(repo.queries.get(id)).toMatchObject({
      status: 'complete',
      responders: { failed: [{ responderId: 'node-1', error: 'timed out' }] },
    });
    await lateEmit();
    expect([...repo.responses.values()].map((r) => r.sourceId)).toEqual(['s1']);
  });

  it('should return from a wait as soon as the query completes', async () => {
    const svc = service([responder('local', () => Promise.resolve())]);
    const id = await svc.submit(QUERY, { userId: 'alice', anonymous: false });
    setTimeout(() => {
      void repo.finish(id, 'complete').then(() => signal.events.emit(id));
    }, 50);
    const started = Date.now();
    const result = await svc.result(id, ALICE, 30);
    expect(result.complete).toBe(true);
    expect(Date.now() - started).toBeLessThan(30_000); // (the test's own timeout is 5 s)
  });

  it('should notice completion by polling when no event arrives', async () => {
    const svc = service([responder('local', () => Promise.resolve())]);
    const id = await svc.submit(QUERY, { userId: 'alice', anonymous: false });
    setTimeout(() => void repo.finish(id, 'complete'), 50);
    expect((await svc.result(id, ALICE, 30)).complete).toBe(true);
  });

  it('should answer a running query when the wait runs out', async () => {
    const svc = service([responder('local', () => Promise.resolve())]);
    const id = await svc.submit(QUERY, { userId: 'alice', anonymous: false });
    const result = await svc.result(id, ALICE, 1);
    expect(result).toMatchObject({ complete: false, status: 'running', responses: [] });
  });

  it('should let the owner, admins and (for anonymous queries) anyone read a query, and hide it from others', async () => {
    const svc = service([responder('local', () => Promise.resolve())]);
    const own = await svc.submit(QUERY, { userId: 'alice', anonymous: false });
    const anon = await svc.submit(QUERY, { userId: 'anonymous', anonymous: true });
    await expect(svc.get(own, ALICE)).resolves.toMatchObject({ queryId: own, userId: 'alice' });
    await expect(svc.get(own, ADMIN)).resolves.toMatchObject({ queryId: own });
    await expect(svc.get(own, BOB)).rejects.toMatchObject({ httpStatus: 404, code: 'RECORD_QUERY_NOT_FOUND' });
    await expect(svc.result(own, ANONYMOUS_VIEWER)).rejects.toMatchObject({ httpStatus: 404 });
    await expect(svc.result(anon, BOB)).resolves.toMatchObject({ query: { anonymous: true } });
    await expect(svc.result(anon, ANONYMOUS_VIEWER)).resolves.toMatchObject({ query: { queryId: anon } });
    await expect(svc.get('00000000-0000-4000-8000-000000000000', ADMIN)).rejects.toMatchObject({ httpStatus: 404 });
  });

  it('should list own queries newest first within the retention period, and every user’s to admins', async () => {
    const svc = service([responder('local', () => Promise.resolve())]);
    const a1 = await svc.submit(QUERY, { userId: 'alice', anonymous: false });
    const b1 = await svc.submit(QUERY, { userId: 'bob', anonymous: false });
    const a2 = await svc.submit(QUERY, { userId: 'alice', anonymous: false });
    const old = await svc.submit(QUERY, { userId: 'alice', anonymous: false });
    repo.queries.get(a1)!.createdAt = new Date(Date.now() - 2000);
    repo.queries.get(b1)!.createdAt = new Date(Date.now() - 1000);
    repo.queries.get(old)!.createdAt = new Date(Date.now() - 31 * 86_400_000);
    expect((await svc.history(ALICE)).map((r) => r.query.queryId)).toEqual([a2, a1]);
    expect((await svc.history(ADMIN)).map((r) => r.query.queryId)).toEqual([a2, b1, a1]);
    expect((await svc.history(ADMIN, 1)).map((r) => r.query.queryId)).toEqual([a2]);
  });

  it('should show a lost query as failed and timed out, and let the cleanup store that and delete expired ones', async () => {
    const svc = service([responder('local', () => Promise.resolve())]);
    const lost = await svc.submit(QUERY, { userId: 'alice', anonymous: false });
    const expired = await svc.submit(QUERY, { userId: 'alice', anonymous: false });
    const fresh = await svc.submit(QUERY, { userId: 'alice', anonymous: false });
    repo.queries.get(lost)!.createdAt = new Date(Date.now() - 200_000);
    repo.queries.get(expired)!.createdAt = new Date(Date.now() - 31 * 86_400_000);
    await repo.saveResponses([{ ...answer('s1'), queryId: expired, responderId: 'local', receivedAt: new Date() }]);

    await expect(svc.get(lost, ALICE)).resolves.toMatchObject({
      status: 'failed',
      complete: true,
      timedOut: true,
      error: 'timed out',
    });
    await expect(svc.cleanup()).resolves.toEqual({ timedOut: 2, queries: 1, responses: 1 });
    expect(repo.queries.get(lost)).toMatchObject({ status: 'failed', timedOut: true });
    expect(repo.queries.has(expired)).toBe(false);
    expect(repo.responses.size).toBe(0);
    expect(repo.queries.get(fresh)!.status).toBe('running');
    expect(await outcomes()).toEqual({ failed: 2 });
  });
});
