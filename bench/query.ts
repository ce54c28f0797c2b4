/*
 * Record query benchmark: a fixed, named mix of queries through our endpoint (`POST /query/record/`, then
 * `GET /query/record/history/:id?wait=30` until complete, over HTTP on a listening app with a real Keycloak token),
 * and in the same run, interleaved repetition by repetition, a baseline: the raw MongoDB driver executing the very
 * filters the endpoint runs (obtained from LocalResponder's plan + expand + compile, once, outside the timing), with
 * the database operation the access level needs, every source in parallel.
 *
 * Two layouts: A = 1 source × 100,000 subjects, B = 10 sources × 10,000. Subjects are generated (bench/query-data.ts:
 * real HPO annotations, a disease, demographics, lab values, variants), built with `buildSubject` (so they carry
 * the derived query keys) and bulk-inserted; the sources' record indexes are then rebuilt. Setup is not timed.
 *
 *   BENCH_SCALE=0.1 npm run bench -- query     (subject counts × 0.1: 10,000 and 10 × 1,000)
 *   BENCH_REPS=5                               (repetitions per query at `count`; default 5)
 *   BENCH_EXTRA_REPS=2                         (repetitions at `boolean` and `list`; default ⌈reps / 2⌉)
 *   BENCH_LEVELS=count,boolean,list            (levels to run; default all three)
 *   BENCH_ONLY=A | B                           (one layout)
 *   BENCH_DIRECT=1                             (also time LocalResponder.respond called in-process: the query's
 *                                               own work without HTTP, queue and storage; a third run per rep)
 *
 * FerretDB (the stack's server) scans a collection for every filter but `_id`, at a few thousand documents a
 * second: a full-scale run takes long (the estimate is printed first). Needs the service stack and the HPO it
 * caches (`eval "$(bin/cv3-stack env)"` sets CV3_HPO_DIR; the built-in similarity backend loads it at start).
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getConnectionToken } from '@nestjs/mongoose';
import { type Connection, mongo } from 'mongoose';
import type { QueryBuilder, QueryResponse } from '@/modules/query/query.types';
import type { MongoFilter } from '@/modules/query/builder/compile';
import { readPhenotypes, SubjectGenerator } from './query-data';

const scale = Number(process.env.BENCH_SCALE ?? 1);
const REPS = Math.max(1, Number(process.env.BENCH_REPS ?? 5));
const EXTRA_REPS = Math.max(1, Number(process.env.BENCH_EXTRA_REPS ?? Math.ceil(REPS / 2)));
const LEVELS = (process.env.BENCH_LEVELS ?? 'count,boolean,list').split(',').map((s) => s.trim()) as Level[];
const only = process.env.BENCH_ONLY?.toUpperCase();
const DIRECT = !!process.env.BENCH_DIRECT && process.env.BENCH_DIRECT !== '0';
const DB = 'cv3_bench_query';
const SEED = 42;
const BATCH = 1000;
/** A query still running after this long is taken as lost (its job taken by some other process). */
const QUERY_GIVE_UP_MS = 20 * 60_000;
/**
 * FerretDB's scan rate on these documents (~0.9 KB each), documents/s, for the first time estimate only: about
 * 3,000–5,000 on the 2-CPU development machine (the warm-up measures it again and revises the estimate).
 */
const SCAN_RATE = 3000;

type Level = 'count' | 'boolean' | 'list';

interface OursRun {
  ms: number;
  postMs: number;
  jobMs: number;
  tailMs: number;
  responses: QueryResponse[];
}

interface Layout {
  name: 'A' | 'B';
  sources: number;
  subjectsPerSource: number;
}

const LAYOUTS: Layout[] = (
  [
    { name: 'A', sources: 1, subjectsPerSource: Math.max(1, Math.round(100_000 * scale)) },
    { name: 'B', sources: 10, subjectsPerSource: Math.max(1, Math.round(10_000 * scale)) },
  ] as Layout[]
).filter((l) => !only || l.name === only);

const fmt = (n: number) => n.toLocaleString('en');
const msf = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The fixed query mix, as HTTP bodies (CV3 QueryBuilder JSON). `common` are HPO IDs by annotation count. */
function queryMix(common: string[]): Array<{ name: string; body: Record<string, unknown> }> {
  const hp = (id: string) => `HP:${id}`;
  return [
    { name: 'hpo-exact', body: { hpo: [{ terms: [hp(common[0])] }] } },
    {
      name: 'hpo-sim0.6-min2',
      body: { hpo: [{ terms: common.slice(1, 4).map(hp), similarity: 0.6, minimumMatch: 2 }] },
    },
    {
      name: 'eav-range',
      body: {
        eav: [
          { attribute: 'crp', relation: 'numericGreaterThanOrEqual', value: 5 },
          { attribute: 'crp', relation: 'numericLessThanOrEqual', value: 20 },
        ],
      },
    },
    { name: 'subject-age', body: { subject: { age: { min: 18, max: 40 } } } },
    { name: 'variant-gene', body: { variant: [{ genes: ['BRCA1', 'TP53'], mutation: ['missense'] }] } },
    {
      name: 'variant-maxAf',
      body: {
        variant: [
          { genes: ['SCN1A', 'KCNQ2', 'CDKL5'], mutation: ['missense', 'nonsense', 'frameshift'], maxAf: 0.01 },
        ],
      },
    },
    {
      name: 'combination',
      body: {
        hpo: [{ terms: [hp(common[1])] }],
        eav: [{ attribute: 'hb', relation: 'numericLessThan', value: 12 }],
        variant: [{ genes: ['SCN1A', 'SCN2A', 'KCNQ2', 'STXBP1'], mutation: ['missense', 'nonsense'] }],
      },
    },
    { name: 'empty', body: {} },
  ];
}

/** Which index (of the subject collection's) MongoDB could use for a filter: from the fields it tests. */
function usableIndex(filter: MongoFilter, indexByField: ReadonlyMap<string, string>): string | undefined {
  const options: string[] = [];
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$and') {
      for (const c of v as MongoFilter[]) {
        const u = usableIndex(c, indexByField);
        if (u) {
          options.push(u);
        }
      }
    } else if (k === '$or') {
      const branches = (v as MongoFilter[]).map((c) => usableIndex(c, indexByField));
      if (branches.every(Boolean)) {
        options.push(`OR(${[...new Set(branches)].join(', ')}) ×${branches.length}`);
      }
    } else if (indexByField.has(k)) {
      options.push(indexByField.get(k)!);
    }
  }
  return options.length ? [...new Set(options)].join(' | ') : undefined;
}

interface PlanStage {
  stage?: string;
  indexName?: string;
  inputStage?: PlanStage;
  inputStages?: PlanStage[];
  queryPlan?: PlanStage;
}

interface Explain {
  queryPlanner?: { winningPlan?: PlanStage; Plan?: string[] };
  filterPushdown?: boolean;
}

/** A short form of the server's explain: MongoDB's winning plan stages, or FerretDB's SQLite plan and pushdown. */
function planSummary(explain: Explain): string {
  const qp = explain.queryPlanner ?? {};
  if (qp.winningPlan) {
    const stages: string[] = [];
    const walk = (s: PlanStage | undefined) => {
      if (!s) {
        return;
      }
      if (s.stage) {
        stages.push(s.indexName ? `${s.stage}(${s.indexName})` : s.stage);
      }
      walk(s.queryPlan);
      walk(s.inputStage);
      (s.inputStages ?? []).forEach(walk);
    };
    walk(qp.winningPlan);
    return stages.join(' ← ');
  }
  if (Array.isArray(qp.Plan)) {
    const detail = qp.Plan.map((p) => p.replace(/^.*detail=/, '').replace(/_[0-9a-f]{8}$/, '')).join('; ');
    return `${detail}; filterPushdown ${String(explain.filterPushdown)}`;
  }
  return JSON.stringify(qp).slice(0, 120);
}

async function main(): Promise<void> {
  const base = process.env.INSTANCE_CONFIG_PATH;
  const hpoDir = process.env.CV3_HPO_DIR;
  if (!base || !hpoDir) {
    throw new Error('run `eval "$(bin/cv3-stack env)"` first (INSTANCE_CONFIG_PATH and CV3_HPO_DIR)');
  }
  if (LAYOUTS.length === 0) {
    throw new Error('BENCH_ONLY must be A or B');
  }
  const dir = mkdtempSync(join(tmpdir(), 'cv3-bench-'));
  const cfg = JSON.parse(readFileSync(base, 'utf8')) as {
    MongoDB: { Database: string };
    Logging: { Level: string };
    Data: { UploadPath: string };
    Neo4j?: Record<string, unknown>;
    Query?: Record<string, unknown>;
  };
  cfg.MongoDB.Database = DB;
  cfg.Logging.Level = 'WARNING';
  cfg.Data.UploadPath = dir;
  // The built-in similarity backend (CV3_HPO_DIR stays set: the similarity query needs it).
  cfg.Neo4j = { ...cfg.Neo4j, Enabled: false };
  const { InstanceConfig } = await import('@/config/instance-config.schema');
  if ('Query' in new InstanceConfig()) {
    // A full-scale query on FerretDB may scan for minutes; the bench waits for it rather than time it out.
    cfg.Query = { ...cfg.Query, TimeoutSeconds: 3600 };
  }
  process.env.INSTANCE_CONFIG_PATH = join(dir, 'instance_config.json');
  writeFileSync(process.env.INSTANCE_CONFIG_PATH, JSON.stringify(cfg));

  // ---- estimate -------------------------------------------------------------------------------------------
  const queriesPerLevel = queryMix(['', '', '', '']).length;
  const executions = LEVELS.reduce((n, l) => n + (l === 'count' ? REPS : l === 'boolean' ? 0 : EXTRA_REPS), 0);
  let estimate = 0;
  for (const l of LAYOUTS) {
    const total = l.sources * l.subjectsPerSource;
    // Each timed run scans every subject once per side (boolean mostly stops early: not counted); plus warm-up.
    estimate += ((queriesPerLevel * executions * 2 + 2) * total) / SCAN_RATE;
    estimate += total / 1000; // generation, insert and index rebuild
  }
  console.log(
    `query bench: scale ${scale}, layouts ${LAYOUTS.map((l) => `${l.name} = ${l.sources} × ${fmt(l.subjectsPerSource)}`).join(', ')}; ` +
      `levels ${LEVELS.join(', ')}; ${REPS} reps at count, ${EXTRA_REPS} at boolean/list`,
  );
  console.log(
    `estimated time ≈ ${Math.ceil(estimate / 60)} min (FerretDB scans ~${fmt(SCAN_RATE)} documents/s; ` +
      'every filter but _id scans)',
  );

  // ---- phenotypes, database, app --------------------------------------------------------------------------
  let t = Date.now();
  const phenotypes = readPhenotypes(hpoDir);
  const common = phenotypes.mostAnnotated.slice(0, 4);
  console.log(
    `HPO annotations: ${fmt(phenotypes.diseases.length)} diseases, ${fmt(phenotypes.terms.length)} annotated terms ` +
      `(read in ${Date.now() - t} ms); most annotated: ${common.map((c) => `HP:${c}`).join(', ')}`,
  );

  // Drop leftovers of an earlier run before the app creates its indexes.
  {
    const { mongoConfig } = await import('@/config/configs');
    const client = new mongo.MongoClient(mongoConfig().uri);
    await client.connect();
    await client.db(DB).dropDatabase();
    await client.close();
  }

  const { AppModule } = await import('@/app.module');
  const { configureApp } = await import('@/app.setup');
  const { SourcesService } = await import('@/modules/data/sources.service');
  const { SubjectsRepository } = await import('@/modules/data/subjects/subjects.repository');
  const { IndexService } = await import('@/modules/data/subjects/index.service');
  const { buildSubject } = await import('@/modules/data/subjects/subject-writer');
  const { subjectCollection } = await import('@/modules/data/data.types');
  const { SimilarityService } = await import('@/modules/similarity/similarity.service');
  const { GroupsService } = await import('@/modules/query/groups/groups.service');
  const { LocalResponder } = await import('@/modules/query/execution/local.responder');
  const { parseQueryBuilder } = await import('@/modules/query/builder/parse');
  const { QUERIES_COLLECTION: QUERIES, RESPONSES_COLLECTION: RESPONSES } =
    await import('@/modules/query/record/queries.repository');
  const { insertLocalUser } = await import('../test/e2e/setup/local-users');
  const { passwordGrant } = await import('../test/e2e/setup/tokens');

  t = Date.now();
  const app: INestApplication = await NestFactory.create(AppModule, { bufferLogs: true });
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer() as { address(): AddressInfo };
  const url = `http://127.0.0.1:${server.address().port}`;
  const connection = app.get<Connection>(getConnectionToken());
  const db = connection.db!;
  const sources = app.get(SourcesService);
  const subjectsRepo = app.get(SubjectsRepository);
  const indexService = app.get(IndexService);
  const groups = app.get(GroupsService);
  const responder = app.get(LocalResponder);
  // The similarity backend loads the HPO at start: wait until it answers.
  const similarity = app.get(SimilarityService);
  for (let i = 0; ; i++) {
    try {
      await similarity.info();
      break;
    } catch (err) {
      if (i > 600) {
        throw err;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  console.log(`app listening at ${url}, HPO loaded, in ${Date.now() - t} ms`);

  // ---- the bench user, its token and its discovery group ------------------------------------------------
  const userId = await insertLocalUser(app, 'user');
  let token = { value: '', until: 0 };
  const bearer = async () => {
    if (Date.now() > token.until) {
      const grant = await passwordGrant('user');
      token = { value: grant.access_token, until: Date.now() + (grant.expires_in * 1000) / 2 };
    }
    return `Bearer ${token.value}`;
  };
  const group = await groups.create({
    groupName: `bench-query-${Date.now()}`,
    groupDescription: 'query benchmark',
    discoveryPolicy: 'count',
    assignedUsers: [userId],
    assignedSources: [],
  });

  // ---- our endpoint and the baseline ---------------------------------------------------------------------
  /**
   * Submits a query and waits for its completed answer. Besides the total, splits it by the server's own clock
   * (same machine): `post` until the 202, `job` from the stored createdAt to completedAt (queue, plan, expansion,
   * compile, database, responses stored), `tail` from completedAt until the answer is read (wake-up, reads).
   */
  const ours = async (body: Record<string, unknown>): Promise<OursRun> => {
    // The token is fetched before the clock starts; only a GET after a 30-second wait may refresh it.
    let headers = { authorization: await bearer(), 'content-type': 'application/json' };
    const wall = Date.now();
    const start = performance.now();
    const post = await fetch(`${url}/query/record/`, { method: 'POST', headers, body: JSON.stringify(body) });
    const posted = (await post.json()) as { queryID?: string; queryId?: string };
    const postMs = performance.now() - start;
    if (post.status !== 202) {
      throw new Error(`POST /query/record/: ${post.status} ${JSON.stringify(posted)}`);
    }
    const id = posted.queryID ?? posted.queryId;
    for (let round = 0; ; round++) {
      if (round > 0) {
        headers = { ...headers, authorization: await bearer() };
      }
      const res = await fetch(`${url}/query/record/history/${id}?wait=30`, { headers });
      const view = (await res.json()) as {
        complete?: boolean;
        status?: string;
        responses?: QueryResponse[];
        query?: { createdAt: string; completedAt?: string; error?: string };
      };
      if (res.status !== 200) {
        throw new Error(`GET /query/record/history/${id}: ${res.status} ${JSON.stringify(view)}`);
      }
      const ms = performance.now() - start;
      if (view.complete) {
        if (view.status !== 'complete') {
          throw new Error(`query ${id} ended ${view.status}: ${view.query?.error}`);
        }
        const created = Date.parse(view.query!.createdAt);
        const completed = Date.parse(view.query!.completedAt!);
        return {
          ms,
          postMs,
          jobMs: completed - created,
          tailMs: wall + ms - completed,
          responses: view.responses ?? [],
        };
      }
      if (ms > QUERY_GIVE_UP_MS) {
        throw new Error(
          `query ${id} still running after ${(ms / 1000).toFixed(0)} s: is another process on this Redis taking ` +
            'record-query jobs (e.g. an app running older code)?',
        );
      }
    }
  };
  /** The result size of our answers: matching subjects (count), sources with a match (boolean), IDs (list). */
  const oursSize = (level: Level, responses: QueryResponse[]): number => {
    const failed = responses.find((r) => r.error);
    if (failed) {
      throw new Error(`source ${failed.sourceId} answered with an error: ${failed.error}`);
    }
    return responses.reduce(
      (n, r) =>
        n +
        (level === 'count'
          ? (r.recordCount ?? 0)
          : level === 'boolean'
            ? r.exist
              ? 1
              : 0
            : (r.resultDetails?.subjects.length ?? 0)),
      0,
    );
  };
  /** The same filters by the raw driver, every source in parallel, with the operation the level needs. */
  const raw = async (level: Level, compiled: Array<{ sourceId: string; filter: MongoFilter }>) => {
    const start = performance.now();
    const sizes = await Promise.all(
      compiled.map(async ({ sourceId, filter }) => {
        const c = db.collection(subjectCollection(sourceId));
        switch (level) {
          case 'count':
            return c.countDocuments(filter);
          case 'boolean':
            return (await c.findOne(filter, { projection: { _id: 1 } })) ? 1 : 0;
          case 'list':
            return (await c.find(filter, { projection: { _id: 1 } }).toArray()).length;
        }
      }),
    );
    return { ms: performance.now() - start, size: sizes.reduce((a, b) => a + b, 0) };
  };

  const mix = queryMix(common);
  const summary: string[] = [];

  for (const layout of LAYOUTS) {
    // ---- data ----------------------------------------------------------------------------------------------
    t = Date.now();
    const ids: string[] = [];
    let stored = 0;
    for (let k = 0; k < layout.sources; k++) {
      const source = await sources.create({
        sourceName: `bench_${layout.name}_${k}_${Date.now()}`,
        displayName: `Query benchmark ${layout.name}${k}`,
        sourceDescription: 'synthetic subjects',
        owner: 'bench',
        ownerEmail: 'bench@example.org',
        online: true,
        sourceType: 'internal',
      } as never);
      ids.push(source.sourceId);
      await subjectsRepo.ensureIndexes(source.sourceId);
      const collection = db.collection(subjectCollection(source.sourceId));
      const gen = new SubjectGenerator(phenotypes, SEED * 1000 + (layout.name === 'A' ? 0 : 100) + k);
      const fileId = randomUUID();
      for (let i = 0; i < layout.subjectsPerSource; i += BATCH) {
        const docs = [];
        for (let j = i; j < Math.min(i + BATCH, layout.subjectsPerSource); j++) {
          const subjectId = `${layout.name}${k}-${String(j).padStart(6, '0')}`;
          const doc = buildSubject(subjectId, { [fileId]: gen.next() })!;
          stored += JSON.stringify(doc).length;
          docs.push(doc);
        }
        await collection.insertMany(docs as never[], { ordered: false });
      }
      await indexService.rebuild(source.sourceId);
    }
    await groups.update(group.groupId, { assignedSources: ids, discoveryPolicy: 'count' });
    const total = layout.sources * layout.subjectsPerSource;
    console.log(
      `\nlayout ${layout.name}: ${layout.sources} source(s) × ${fmt(layout.subjectsPerSource)} subjects ` +
        `(${(stored / total).toFixed(0)} bytes of JSON per subject on average), generated, inserted and indexed in ` +
        `${((Date.now() - t) / 1000).toFixed(1)} s`,
    );

    // ---- the filters the endpoint runs (compiled once, outside the timing) --------------------------------
    const requester = { userId, anonymous: false };
    const indexes = await db.collection(subjectCollection(ids[0])).indexes();
    const indexByField = new Map<string, string>();
    for (const ix of indexes) {
      const fields = Object.keys(ix.key);
      if (fields.length === 1) {
        indexByField.set(fields[0], String(ix.name));
      }
    }
    console.log(`  subject collection indexes: ${indexes.map((ix) => ix.name).join(', ')}`);
    const compiledFor = async (query: QueryBuilder) => {
      const planned = await responder.plan(query, requester);
      const expansions = await responder.expand(query);
      const compiled = await Promise.all(
        planned.map(async (p) => ({
          sourceId: p.source.sourceId,
          filter: await responder.compile(p, query, expansions),
        })),
      );
      return { compiled, expansions };
    };
    const prepared = [];
    console.log('  filters (compiled once by LocalResponder.plan/expand/compile; the baseline runs these):');
    for (const q of mix) {
      const query = parseQueryBuilder(q.body);
      const { compiled, expansions } = await compiledFor(query);
      if (compiled.length !== layout.sources) {
        throw new Error(`${q.name}: planned ${compiled.length} sources, expected ${layout.sources}`);
      }
      const filter = compiled[0].filter;
      const explain: Explain = await db.command({
        explain: { count: subjectCollection(compiled[0].sourceId), query: filter },
        verbosity: 'queryPlanner',
      });
      const groupSizes = expansions.hpo.flat().map((g) => g.own.length);
      console.log(
        `    ${q.name.padEnd(16)} index on MongoDB: ${usableIndex(filter, indexByField) ?? (Object.keys(filter).length ? 'none (collection scan)' : 'none needed (every document)')}` +
          `; filter ${fmt(JSON.stringify(filter).length)} B` +
          (groupSizes.length ? `; HPO groups of ${groupSizes.join('/')} terms` : '') +
          `; server plan: ${planSummary(explain)}`,
      );
      prepared.push({ ...q, query, compiled });
    }

    // ---- each layout starts with an empty query history ------------------------------------------------------
    // The history (query.queries, query.responses) grows with every query of the run, and on FerretDB reading a
    // query's responses scans all of it: cleared here so that layout B does not pay for layout A's history.
    await db.collection(QUERIES).deleteMany({});
    await db.collection(RESPONSES).deleteMany({});

    // ---- warm-up: one full scan each way (caches), not recorded -------------------------------------------
    const empty = prepared.find((p) => p.name === 'empty')!;
    await ours(empty.body);
    const warm = await raw('count', empty.compiled);
    const measured = (total / warm.ms) * 1000;
    const levelRuns = LEVELS.reduce((n, l) => n + (l === 'count' ? REPS : l === 'list' ? EXTRA_REPS : 0), 0);
    console.log(
      `  warm-up: a full count took ${msf(warm.ms)} ms (${fmt(Math.round(measured))} documents/s); ` +
        `this layout's timed runs should take ≈ ${Math.ceil((mix.length * levelRuns * 2 * warm.ms) / 60_000)} min`,
    );

    // ---- timed runs ----------------------------------------------------------------------------------------
    for (const level of LEVELS) {
      await groups.update(group.groupId, { discoveryPolicy: level });
      const reps = level === 'count' ? REPS : EXTRA_REPS;
      const levelStart = Date.now();
      console.log(`\n  layout ${layout.name}, level ${level}, ${reps} rep(s) per query (ours and raw alternate):`);
      console.log(
        `    ${'query'.padEnd(16)} ${'ours p50'.padStart(9)} ${'p95'.padStart(8)}   ${'raw p50'.padStart(9)} ${'p95'.padStart(8)}` +
          `   ${'ratio'.padStart(6)}  ${'overhead'.padStart(9)}   ours p50 = post + job + tail` +
          `${DIRECT ? '  [direct p50]' : ''}   result`,
      );
      const ratios: number[] = [];
      const overheads: number[] = [];
      let sumOurs = 0;
      let sumRaw = 0;
      for (const q of prepared) {
        const o: number[] = [];
        const parts = { post: [] as number[], job: [] as number[], tail: [] as number[] };
        const r: number[] = [];
        const d: number[] = [];
        let oSize = -1;
        let rSize = -1;
        for (let i = 0; i < reps; i++) {
          // Alternate which side goes first, so neither always follows the other.
          const runOurs = async () => {
            const res = await ours(q.body);
            o.push(res.ms);
            parts.post.push(res.postMs);
            parts.job.push(res.jobMs);
            parts.tail.push(res.tailMs);
            oSize = oursSize(level, res.responses);
          };
          const runRaw = async () => {
            const res = await raw(level, q.compiled);
            r.push(res.ms);
            rSize = res.size;
          };
          if (i % 2 === 0) {
            await runOurs();
            await runRaw();
          } else {
            await runRaw();
            await runOurs();
          }
          if (DIRECT) {
            const t0 = performance.now();
            const got: QueryResponse[] = [];
            await responder.respond(randomUUID(), q.query, requester, (res) => {
              got.push(res);
              return Promise.resolve();
            });
            d.push(performance.now() - t0);
            if (oursSize(level, got) !== rSize) {
              throw new Error(`${q.name}: LocalResponder.respond answered ${oursSize(level, got)}, raw ${rSize}`);
            }
          }
        }
        const op50 = percentile(o, 50);
        const rp50 = percentile(r, 50);
        ratios.push(op50 / rp50);
        overheads.push(op50 - rp50);
        sumOurs += op50;
        sumRaw += rp50;
        const unit = level === 'count' ? 'subjects' : level === 'boolean' ? 'sources with a match' : 'IDs';
        console.log(
          `    ${q.name.padEnd(16)} ${msf(op50).padStart(9)} ${msf(percentile(o, 95)).padStart(8)}   ` +
            `${msf(rp50).padStart(9)} ${msf(percentile(r, 95)).padStart(8)}   ${(op50 / rp50).toFixed(2).padStart(6)}` +
            `  ${msf(op50 - rp50).padStart(9)}   ` +
            `${[parts.post, parts.job, parts.tail]
              .map((x) => msf(percentile(x, 50)))
              .join(' + ')
              .padEnd(28)} ` +
            (DIRECT ? `[${msf(percentile(d, 50))}] `.padStart(11) : '') +
            `${fmt(oSize)} ${unit}` +
            (oSize !== rSize ? `  MISMATCH: raw ${fmt(rSize)}` : ''),
        );
      }
      const line =
        `layout ${layout.name} ${level.padEnd(7)}: median of per-query p50 ratios ${median(ratios).toFixed(2)}, ` +
        `ratio of summed p50s ${(sumOurs / sumRaw).toFixed(2)} (${msf(sumOurs)} / ${msf(sumRaw)} ms), ` +
        `median overhead ${msf(median(overheads))} ms`;
      console.log(`    ${line}  [${((Date.now() - levelStart) / 1000).toFixed(0)} s]`);
      // What the lifecycle's own reads cost now: by queryId (the GET's responses) and by _id + status (finish).
      const probe = async (name: string, filter: Record<string, unknown>) => {
        const t0 = performance.now();
        await db.collection(name).find(filter).toArray();
        return msf(performance.now() - t0);
      };
      const [nq, nr] = await Promise.all([
        db.collection(QUERIES).countDocuments({}),
        db.collection(RESPONSES).countDocuments({}),
      ]);
      console.log(
        `    history now ${fmt(nq)} queries, ${fmt(nr)} responses; a lookup of one query's responses by queryId ` +
          `takes ${await probe(RESPONSES, { queryId: 'none' })} ms, of a query by {_id, status} ` +
          `${await probe(QUERIES, { _id: 'none', status: 'running' })} ms, by _id alone ` +
          `${await probe(QUERIES, { _id: 'none' })} ms`,
      );
      summary.push(line);
    }
  }

  console.log('\nsummary (ms; ratio = ours / raw driver at p50; target ≤ 1.5):');
  summary.forEach((l) => console.log(`  ${l}`));
  console.log(
    '  ours = POST /query/record/ → 202 until GET /query/record/history/:id?wait=30 says complete (HTTP, auth, ' +
      'parse, job queue, plan, similarity expansion, compile, database, responses stored, wake-up);\n' +
      '    post = until the 202; job = stored createdAt → completedAt; tail = completedAt → answer read;\n' +
      '  raw = the compiled filters (compiled once, outside the timing) through the driver, sources in parallel',
  );

  await db.dropDatabase();
  await app.close();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
