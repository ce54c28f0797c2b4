import neo4j, { type Driver, type RecordShape } from 'neo4j-driver';
import { SimilarityErrorCode, SimilarityUnavailableError } from '../similarity.errors';

/** What the client needs of the `Neo4j` config section (`neo4jConfig`). */
export interface Neo4jConnectionConfig {
  uri: string;
  user: string;
  password: string;
}

export interface Neo4jClientOptions {
  /** Bolt connect (TCP + handshake). */
  connectTimeoutMs?: number;
  /** Each read: the server ends the transaction after it, and the client stops waiting shortly after. */
  queryTimeoutMs?: number;
  /** Each write transaction of the loader (one batch). */
  writeTimeoutMs?: number;
  /** Connections kept in the pool (the loader needs MaxJobs of them at once). */
  poolSize?: number;
  /** How long `read` and `write` retry transient failures (a deadlock between loader batches, a lost connection). */
  retryMs?: number;
}

/** Neo4j Community has one user database; the graph lives there. */
export const NEO4J_DATABASE = 'neo4j';

const DEFAULTS: Required<Neo4jClientOptions> = {
  connectTimeoutMs: 5_000,
  queryTimeoutMs: 15_000,
  writeTimeoutMs: 120_000,
  poolSize: 16,
  retryMs: 5_000,
};

/**
 * The one adapter to Neo4j: owns the driver, and puts a deadline on every call (DESIGN: nothing waits forever).
 * Each call has a server-side transaction timeout (Neo4j aborts the transaction) and a client-side one a little
 * longer (covers a server that stopped answering, or a pool with no free connection). Driver failures become
 * `SimilarityUnavailableError`s that do not carry Neo4j's text to clients (it stays in `cause` for the logs).
 */
export class Neo4jClient {
  private readonly driver: Driver;
  private readonly opts: Required<Neo4jClientOptions>;

  constructor(
    private readonly cfg: Neo4jConnectionConfig,
    options: Neo4jClientOptions = {},
  ) {
    this.opts = { ...DEFAULTS, ...options };
    // No credentials (a server with auth off, as the dev stack) when no password is configured.
    const auth = cfg.password ? neo4j.auth.basic(cfg.user, cfg.password) : undefined;
    this.driver = neo4j.driver(cfg.uri, auth, {
      connectionTimeout: this.opts.connectTimeoutMs,
      connectionAcquisitionTimeout: this.opts.connectTimeoutMs * 2,
      maxConnectionPoolSize: this.opts.poolSize,
      maxTransactionRetryTime: this.opts.retryMs,
      // Counts and depths are small: plain JS numbers instead of neo4j Integers.
      disableLosslessIntegers: true,
      logging: { level: 'error', logger: () => undefined },
    });
  }

  get uri(): string {
    return this.cfg.uri;
  }

  /** A read query in its own transaction; the rows as plain objects. */
  async read<T extends RecordShape>(cypher: string, params: Record<string, unknown> = {}, timeoutMs?: number) {
    const ms = timeoutMs ?? this.opts.queryTimeoutMs;
    const res = await this.call(
      this.driver.executeQuery(cypher, params, {
        database: NEO4J_DATABASE,
        routing: neo4j.routing.READ,
        transactionConfig: { timeout: ms },
        signal: AbortSignal.timeout(ms + 1_000),
      }),
      ms + 2_000,
      'query',
    );
    return res.records.map((r) => r.toObject() as T);
  }

  /** A read query without the driver's retries: a probe that must fail at once when Neo4j is down. */
  async readOnce<T extends RecordShape>(cypher: string, params: Record<string, unknown> = {}, timeoutMs?: number) {
    const ms = timeoutMs ?? this.opts.queryTimeoutMs;
    const session = this.driver.session({ database: NEO4J_DATABASE, defaultAccessMode: neo4j.session.READ });
    try {
      const res = await this.call(session.run(cypher, params, { timeout: ms }), ms + 2_000, 'query');
      return res.records.map((r) => r.toObject() as T);
    } finally {
      await session.close().catch(() => undefined);
    }
  }

  /**
   * One write transaction (retried by the driver on transient errors such as deadlocks); returns the counters.
   */
  async write(cypher: string, params: Record<string, unknown> = {}, timeoutMs?: number) {
    const ms = timeoutMs ?? this.opts.writeTimeoutMs;
    const res = await this.call(
      this.driver.executeQuery(cypher, params, {
        database: NEO4J_DATABASE,
        routing: neo4j.routing.WRITE,
        transactionConfig: { timeout: ms },
        signal: AbortSignal.timeout(ms * 2 + 1_000),
      }),
      ms * 2 + 2_000,
      'write',
    );
    return res.summary.counters.updates();
  }

  /** Several statements in one write transaction (retried as a whole on transient errors). */
  async writeAll(statements: { cypher: string; params: Record<string, unknown> }[], timeoutMs?: number): Promise<void> {
    const ms = timeoutMs ?? this.opts.writeTimeoutMs;
    const session = this.driver.session({ database: NEO4J_DATABASE, defaultAccessMode: neo4j.session.WRITE });
    try {
      await this.call(
        session.executeWrite(
          async (tx) => {
            for (const s of statements) {
              await tx.run(s.cypher, s.params);
            }
          },
          { timeout: ms },
        ),
        ms * 2 + 2_000,
        'write',
      );
    } finally {
      await session.close().catch(() => undefined);
    }
  }

  /**
   * An auto-commit query: the only way to run `CALL { … } IN TRANSACTIONS` and schema commands. Not retried.
   */
  async autoCommit(cypher: string, params: Record<string, unknown> = {}, timeoutMs?: number): Promise<void> {
    const ms = timeoutMs ?? this.opts.writeTimeoutMs;
    const session = this.driver.session({ database: NEO4J_DATABASE, defaultAccessMode: neo4j.session.WRITE });
    try {
      await this.call(session.run(cypher, params, { timeout: ms }).summary(), ms + 2_000, 'write');
    } finally {
      await session.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.driver.close();
  }

  private async call<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Neo4jTimeoutError(`Neo4j ${what} at ${this.cfg.uri}`, ms)), ms);
      // The pending query keeps the process alive while it runs; the deadline alone must not.
      timer.unref();
    });
    try {
      return await Promise.race([work, deadline]);
    } catch (err) {
      throw new SimilarityUnavailableError(
        SimilarityErrorCode.LoadFailed,
        `The similarity graph (Neo4j) is unavailable: ${describe(err)}`,
        undefined,
        { cause: err },
      );
    } finally {
      clearTimeout(timer);
    }
  }
}

class Neo4jTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not answer within ${ms} ms`);
  }
}

/** A short reason without Neo4j's own (possibly query-revealing) message. */
function describe(err: unknown): string {
  if (err instanceof Neo4jTimeoutError) {
    return err.message;
  }
  const code = (err as { code?: unknown } | undefined)?.code;
  if (code === neo4j.error.SERVICE_UNAVAILABLE) {
    return 'cannot connect';
  }
  if (typeof code === 'string' && code.startsWith('Neo.ClientError.Transaction.TransactionTimedOut')) {
    return 'the query timed out';
  }
  if (err instanceof Error && err.name === 'AbortError') {
    return 'the query timed out';
  }
  return typeof code === 'string' && code ? code : 'query failed';
}
