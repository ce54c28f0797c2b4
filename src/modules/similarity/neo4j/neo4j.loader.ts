import { Logger } from '@nestjs/common';
import { readLines } from '../ontology/obo-parser';
import type { Ontology } from '../ontology/ontology';
import { MIN_STORED_SCORE, type Measure, type OntologyTerm } from '../similarity.types';
import type { Neo4jClient } from './neo4j.client';
import {
  GRAPH_MODEL,
  type GraphMeta,
  META_KEY,
  SCHEMA_STATEMENTS,
  searchText,
  SIMILAR_BANDS,
  similarTypeOf,
  type SimilarType,
} from './neo4j.graph';

export interface Neo4jLoadOptions {
  measure: Measure;
  /** The `data-version` of the `hp.obo` loaded (see `readOboDataVersion`). */
  version: string;
  /** Concurrent write transactions (`Neo4j.MaxJobs`). */
  maxJobs: number;
  /** Rows per transaction for terms and their links. */
  nodeBatch?: number;
  /** Rows per transaction for similarity edges. */
  edgeBatch?: number;
  /** Progress lines (the CLI prints them). */
  progress?: (line: string) => void;
}

export interface Neo4jLoadResult {
  version: string;
  measure: Measure;
  /** Term nodes: current + obsolete. */
  terms: number;
  obsolete: number;
  isA: number;
  replacedBy: number;
  altIds: number;
  /** ORPHA disease nodes and their ANNOTATED_WITH relationships (the HPO–Orphanet link; 0 without phenotype.hpoa). */
  diseases: number;
  diseaseLinks: number;
  /** Similarity relationships, all bands (unordered pairs with score ≥ MIN_STORED_SCORE). */
  edges: number;
  /** Milliseconds per phase. */
  ms: { clear: number; terms: number; diseases: number; edges: number; total: number };
}

/** Rows of a term node: the node's properties (null values are not stored by Neo4j). */
interface TermRow {
  id: string;
  label: string;
  definition: string;
  synonyms: string[];
  comment: string;
  obsolete: boolean;
  ic: number | null;
  /** Obsolete terms: what `replace` answers (replaced_by chains followed to current terms); see neo4j.graph.ts. */
  replacedBy: string[];
  consider: string[];
  altIds: string[];
  search: string;
}

const CYPHER = {
  deleteMeta: 'MATCH (m:HPO_META) DELETE m',
  // In batches of their own transactions: a full HPO graph has millions of similarity relationships.
  deleteSimilar: `MATCH ()-[r:${SIMILAR_BANDS.map((b) => b.type).join('|')}]->() CALL { WITH r DELETE r } IN TRANSACTIONS OF 20000 ROWS`,
  deleteNodes:
    'MATCH (n) WHERE n:TERM_HPO OR n:HPO_ALT_ID OR n:DISEASE_ORPHA ' +
    'CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS',
  createTerms: 'UNWIND $rows AS r CREATE (t:TERM_HPO) SET t = r',
  createIsA:
    'UNWIND $rows AS r MATCH (c:TERM_HPO {id: r[0]}) MATCH (p:TERM_HPO {id: r[1]}) ' +
    'CREATE (c)-[:IS_A {rank: r[2]}]->(p)',
  createReplacedBy:
    'UNWIND $rows AS r MATCH (o:TERM_HPO {id: r[0]}) MATCH (n:TERM_HPO {id: r[1]}) CREATE (o)-[:REPLACED_BY]->(n)',
  createAltIds:
    'UNWIND $rows AS r MATCH (t:TERM_HPO {id: r.primary}) ' +
    'CREATE (a:HPO_ALT_ID {id: r.id, replacedBy: r.replacedBy})-[:ALT_ID_OF]->(t)',
  createDiseases: 'UNWIND $rows AS id CREATE (:DISEASE_ORPHA {id: id})',
  createAnnotatedWith:
    'UNWIND $rows AS r MATCH (d:DISEASE_ORPHA {id: r[0]}) MATCH (t:TERM_HPO {id: r[1]}) ' +
    'CREATE (d)-[:ANNOTATED_WITH]->(t)',
  createEdges: (type: SimilarType) =>
    'UNWIND $rows AS r MATCH (a:TERM_HPO {id: r[0]}) MATCH (b:TERM_HPO {id: r[1]}) ' +
    `CREATE (a)-[:${type} {score: r[2]}]->(b)`,
  writeMeta: 'CREATE (m:HPO_META) SET m = $meta',
  // The TEXT index fills in the background; the graph counts as loaded once autocomplete can use it.
  awaitIndexes: 'CALL db.awaitIndexes(600)',
};

/**
 * Fills Neo4j with the ontology and its precomputed similarity edges (CV3 reference 6; model in neo4j.graph.ts).
 * A load replaces whatever our labels held: the meta node goes first (so the backend refuses the graph while it is
 * incomplete), then the old relationships and nodes, then terms and their links, Orphanet diseases and their
 * ANNOTATED_WITH links, and similarity edges, in batched `UNWIND` transactions at most `maxJobs` at a time, and the
 * meta node last (with GRAPH_MODEL). Loading twice gives the same graph.
 */
export class Neo4jLoader {
  private readonly logger = new Logger(Neo4jLoader.name);

  constructor(private readonly client: Neo4jClient) {}

  async load(ontology: Ontology, opts: Neo4jLoadOptions): Promise<Neo4jLoadResult> {
    const say = opts.progress ?? ((line: string) => this.logger.log(line));
    const nodeBatch = opts.nodeBatch ?? 5_000;
    const started = performance.now();

    for (const statement of SCHEMA_STATEMENTS) {
      await this.client.autoCommit(statement);
    }
    await this.clear();
    const cleared = performance.now();
    say(`cleared the old graph (${ms(started, cleared)} ms)`);

    const current = ontology.currentTerms();
    const obsolete = ontology.obsoleteTerms().sort((x, y) => compareIds(x.id, y.id));
    const termRows = [...current.map((t) => termRow(ontology, t)), ...obsolete.map((t) => termRow(ontology, t))];
    await this.inBatches(termRows, nodeBatch, opts.maxJobs, CYPHER.createTerms);

    // parents in hp.obo order: the rank keeps that order for term lookups.
    const isA = current.flatMap((t) => t.parents.map((p, rank) => [t.id, p, rank] as const));
    const replacedBy = obsolete.flatMap((t) => t.replacedBy.map((r) => [t.id, r] as const));
    // An alt_id named by several terms belongs to the last one, as in the ontology.
    const primaryOfAlt = new Map<string, string>();
    current.forEach((t) => t.altIds.forEach((alt) => primaryOfAlt.set(alt, t.id)));
    const altRows = [...primaryOfAlt].map(([id, primary]) => ({
      id,
      primary,
      replacedBy: ontology.replace(id)?.replacedBy ?? [primary],
    }));
    const [isACount, replacedCount, altCount] = [
      await this.inBatches(isA, nodeBatch, opts.maxJobs, CYPHER.createIsA, 'relationshipsCreated'),
      await this.inBatches(replacedBy, nodeBatch, opts.maxJobs, CYPHER.createReplacedBy, 'relationshipsCreated'),
      await this.inBatches(altRows, nodeBatch, opts.maxJobs, CYPHER.createAltIds, 'nodesCreated'),
    ];
    const termsDone = performance.now();
    say(
      `${termRows.length} terms (${obsolete.length} obsolete), ${isACount} IS_A, ${replacedCount} REPLACED_BY, ` +
        `${altCount} alt IDs (${ms(cleared, termsDone)} ms)`,
    );

    // The HPO–Orphanet link (ontology/disease-links.ts): terms already resolved to current ones.
    const diseaseIds: string[] = [];
    const annotatedWith: [string, string][] = [];
    for (const [orphaId, terms] of ontology.diseaseLinks.diseases()) {
      diseaseIds.push(orphaId);
      terms.forEach((t) => annotatedWith.push([orphaId, t]));
    }
    const diseaseCount = await this.inBatches(diseaseIds, nodeBatch, opts.maxJobs, CYPHER.createDiseases);
    const diseaseLinks = await this.inBatches(
      annotatedWith,
      nodeBatch,
      opts.maxJobs,
      CYPHER.createAnnotatedWith,
      'relationshipsCreated',
    );
    const diseasesDone = performance.now();
    say(`${diseaseCount} ORPHA diseases, ${diseaseLinks} ANNOTATED_WITH (${ms(termsDone, diseasesDone)} ms)`);

    const edges = await this.loadEdges(ontology, opts, say);
    const edgesDone = performance.now();
    say(`${edges} similarity edges with ${opts.measure} ≥ ${MIN_STORED_SCORE} (${ms(diseasesDone, edgesDone)} ms)`);

    await this.client.autoCommit(CYPHER.awaitIndexes, {}, 620_000);
    const meta: GraphMeta & { key: string } = {
      key: META_KEY,
      model: GRAPH_MODEL,
      version: opts.version,
      measure: opts.measure,
      minScore: MIN_STORED_SCORE,
      loadedAt: new Date().toISOString(),
      terms: termRows.length,
      edges,
      diseases: diseaseCount,
      diseaseLinks,
      termCount: ontology.size,
      rootTerm: ontology.rootId,
      maxDepth: ontology.maxDepth,
    };
    await this.client.write(CYPHER.writeMeta, { meta });
    return {
      version: opts.version,
      measure: opts.measure,
      terms: termRows.length,
      obsolete: obsolete.length,
      isA: isACount,
      replacedBy: replacedCount,
      altIds: altCount,
      diseases: diseaseCount,
      diseaseLinks,
      edges,
      ms: {
        clear: ms(started, cleared),
        terms: ms(cleared, termsDone),
        diseases: ms(termsDone, diseasesDone),
        edges: ms(diseasesDone, edgesDone),
        total: ms(started, performance.now()),
      },
    };
  }

  /** Removes the graph (meta node first). */
  async clear(): Promise<void> {
    await this.client.write(CYPHER.deleteMeta);
    // Generous: deleting millions of relationships on a small page cache takes minutes.
    await this.client.autoCommit(CYPHER.deleteSimilar, {}, 3_600_000);
    await this.client.autoCommit(CYPHER.deleteNodes, {}, 3_600_000);
  }

  /**
   * The ontology enumerates the edges batch by batch and waits for each `onBatch`; handing a batch over waits only
   * for a free transaction slot, so up to `maxJobs` batches are written while the next ones are computed.
   */
  private async loadEdges(ontology: Ontology, opts: Neo4jLoadOptions, say: (line: string) => void): Promise<number> {
    const pool = new WritePool(opts.maxJobs);
    const started = performance.now();
    let written = 0;
    let nextReport = 1_000_000;
    const total = await ontology.similarityEdges(
      MIN_STORED_SCORE,
      opts.measure,
      async (batch) => {
        const byType = new Map<SimilarType, [string, string, number][]>();
        for (const e of batch) {
          const type = similarTypeOf(e.score);
          let rows = byType.get(type);
          if (!rows) {
            rows = [];
            byType.set(type, rows);
          }
          rows.push([e.a, e.b, e.score]);
        }
        await pool.submit(async () => {
          // One transaction per batch: a statement per relationship type.
          await this.client.writeAll(
            [...byType].map(([type, rows]) => ({ cypher: CYPHER.createEdges(type), params: { rows } })),
          );
          written += batch.length;
          if (written >= nextReport) {
            nextReport += 1_000_000;
            const rate = Math.round(written / ((performance.now() - started) / 1000));
            say(`  ${written} edges written (${rate}/s)`);
          }
        });
      },
      opts.edgeBatch ?? 10_000,
    );
    await pool.drain();
    return total;
  }

  /** Writes rows in batches, `maxJobs` transactions at a time; sums one update counter of the batches. */
  private async inBatches<T>(
    rows: readonly T[],
    size: number,
    maxJobs: number,
    cypher: string,
    counter: 'nodesCreated' | 'relationshipsCreated' = 'nodesCreated',
  ): Promise<number> {
    const pool = new WritePool(maxJobs);
    let count = 0;
    for (let i = 0; i < rows.length; i += size) {
      const batch = rows.slice(i, i + size);
      await pool.submit(async () => {
        const updates = await this.client.write(cypher, { rows: batch });
        count += updates[counter];
      });
    }
    await pool.drain();
    return count;
  }
}

function termRow(ontology: Ontology, t: OntologyTerm): TermRow {
  return {
    id: t.id,
    label: t.label,
    definition: t.definition,
    synonyms: t.synonyms,
    comment: t.comment,
    obsolete: t.obsolete,
    ic: t.obsolete ? null : ontology.ic(t.id),
    replacedBy: t.obsolete ? (ontology.replace(t.id)?.replacedBy ?? []) : [],
    consider: t.consider,
    altIds: t.altIds,
    search: searchText(t),
  };
}

/**
 * At most `size` tasks running; `submit` resolves once the task has started (not finished). The first failure
 * stops further submissions and is thrown by `submit` or `drain`.
 */
class WritePool {
  private readonly running = new Set<Promise<void>>();
  private failure: { err: unknown } | undefined;

  constructor(private readonly size: number) {}

  async submit(task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.size && !this.failure) {
      await Promise.race(this.running);
    }
    if (this.failure) {
      throw this.failure.err;
    }
    const run: Promise<void> = task()
      .catch((err: unknown) => {
        this.failure ??= { err };
      })
      .finally(() => this.running.delete(run));
    this.running.add(run);
  }

  async drain(): Promise<void> {
    await Promise.all(this.running);
    if (this.failure) {
      throw this.failure.err;
    }
  }
}

/** `data-version` of an `hp.obo` header (e.g. `hp/releases/2025-01-16`); `unknown` when it has none. */
export async function readOboDataVersion(path: string): Promise<string> {
  for await (const line of readLines(path)) {
    const m = /^data-version:\s*(.+?)\s*$/.exec(line);
    if (m) {
      return m[1];
    }
    if (line.startsWith('[')) {
      break;
    }
  }
  return 'unknown';
}

function ms(from: number, to: number): number {
  return Math.round(to - from);
}

function compareIds(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
