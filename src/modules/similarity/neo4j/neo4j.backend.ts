/*
 * The Neo4j similarity backend (`Neo4j.Enabled`): the same answers as `BuiltinBackend`, read from the graph that
 * `cv3 similarity-load` wrote (model in neo4j.graph.ts). Every rule of the answers (orders, what an obsolete or
 * unknown input gets, limits, thresholds) is BuiltinBackend's; see its header. The e2e suite
 * `similarity-backends` runs the same cases on both and compares them term by term.
 *
 * Cypher is parameterised throughout, with two exceptions that Cypher cannot take as parameters, each written from
 * values of ours and never from caller text: the depth bound of `expand` (a quantifier such as `{1,3}`, from an
 * integer) and the relationship types of `similar` (the score bands of neo4j.graph.ts that can reach the threshold).
 */
import neo4j from 'neo4j-driver';
import {
  type AutocompleteHit,
  compareOrphaIds,
  type ExpandResult,
  type Measure,
  MIN_STORED_SCORE,
  normaliseHpoId,
  normaliseOrphaId,
  type ReplaceResult,
  type SimilarityBackend,
  type SimilarResult,
  type TermDetails,
} from '../similarity.types';
import { displayId, parseAutocompleteQuery, rankAutocomplete, searchEntry } from '../autocomplete';
import { SimilarityErrorCode, SimilarityUnavailableError } from '../similarity.errors';
import { Neo4jClient, type Neo4jClientOptions, type Neo4jConnectionConfig } from './neo4j.client';
import { GRAPH_MODEL, type GraphMeta, LOAD_COMMAND, META_KEY, similarTypes } from './neo4j.graph';

const CYPHER = {
  meta: 'MATCH (m:HPO_META {key: $key}) RETURN m {.*} AS meta',
  term: `
    MATCH (t:TERM_HPO {id: $id})
    CALL {
      WITH t
      OPTIONAL MATCH (t)-[r:IS_A]->(p:TERM_HPO)
      WITH r, p ORDER BY r.rank
      RETURN collect(p.id) AS parents
    }
    CALL {
      WITH t
      OPTIONAL MATCH (c:TERM_HPO)-[:IS_A]->(t)
      WITH c ORDER BY c.id
      RETURN collect(c.id) AS children
    }
    RETURN t {.id, .label, .definition, .synonyms, .comment, .obsolete, .replacedBy, .consider} AS t, parents, children`,
  // Prefilter through the TEXT index on `search` (the most selective word), then every word; the ranking is in TS.
  autocomplete: `
    MATCH (t:TERM_HPO)
    WHERE t.search CONTAINS $first AND NOT t.obsolete AND all(w IN $words WHERE t.search CONTAINS w)
    RETURN t.id AS id, t.label AS label, t.synonyms AS synonyms, t.definition AS definition`,
  // `types`: the score bands that can reach the threshold (fixed names from neo4j.graph.ts, never caller text).
  similar: (types: string[], limited: boolean) => `
    UNWIND $ids AS id
    OPTIONAL MATCH (t:TERM_HPO {id: id}) WHERE NOT t.obsolete
    RETURN id, t IS NOT NULL AS known, COLLECT {
      MATCH (t)-[s:${types.join('|')}]-(o:TERM_HPO)
      WHERE s.score >= $threshold
      WITH o.id AS other, s.score AS score
      ORDER BY score DESC, other${limited ? ' LIMIT $limit' : ''}
      RETURN [other, score]
    } AS similar`,
  replace: `
    UNWIND $ids AS id
    OPTIONAL MATCH (t:TERM_HPO {id: id})
    OPTIONAL MATCH (a:HPO_ALT_ID {id: id})
    RETURN id, t.obsolete AS obsolete, t.replacedBy AS replacedBy, t.consider AS consider, a.replacedBy AS altOf`,
  // The HPO–Orphanet link; inputs without any link give no row. Sorted in TS (ORPHA IDs in numeric order).
  diseasesOfTerms: `
    UNWIND $ids AS id
    MATCH (:TERM_HPO {id: id})<-[:ANNOTATED_WITH]-(d:DISEASE_ORPHA)
    RETURN id, collect(d.id) AS linked`,
  termsOfDiseases: `
    UNWIND $ids AS id
    MATCH (:DISEASE_ORPHA {id: id})-[:ANNOTATED_WITH]->(t:TERM_HPO)
    RETURN id, collect(t.id) AS linked`,
};

/** `expand`'s query for a depth (0: unlimited): each descendant once, at its shortest distance. */
function expandCypher(depth: number): string {
  const quantifier = depth > 0 ? `{1,${Math.trunc(depth)}}` : '+';
  return `
    UNWIND $ids AS id
    MATCH (t:TERM_HPO {id: id})
    MATCH p = ANY SHORTEST (d:TERM_HPO)-[:IS_A]->${quantifier}(t)
    RETURN id, d.id AS child, length(p) AS depth`;
}

interface Candidate {
  id: string;
  label: string;
  synonyms: string[];
  definition: string;
}

export class Neo4jBackend implements SimilarityBackend {
  readonly mode = 'neo4j' as const;
  private readonly client: Neo4jClient;
  private meta?: GraphMeta;

  constructor(
    cfg: Neo4jConnectionConfig,
    readonly measure: Measure,
    options?: Neo4jClientOptions,
  ) {
    this.client = new Neo4jClient(cfg, options);
  }

  /**
   * The graph is there and was loaded for this measure: refuses, naming the command to run, when it is empty,
   * half loaded (no meta node) or loaded with another measure.
   */
  async ready(): Promise<void> {
    const [row] = await this.client.readOnce<{ meta: GraphMeta }>(CYPHER.meta, { key: META_KEY });
    if (!row) {
      throw new SimilarityUnavailableError(
        SimilarityErrorCode.LoadFailed,
        `The HPO similarity graph in Neo4j (${this.client.uri}) is empty or was not completely loaded: ` +
          `run ${LOAD_COMMAND}`,
      );
    }
    const meta = row.meta;
    if ((meta.model ?? 1) !== GRAPH_MODEL) {
      throw new SimilarityUnavailableError(
        SimilarityErrorCode.LoadFailed,
        `The HPO similarity graph in Neo4j (${this.client.uri}) was loaded as graph model ${meta.model ?? 1}, ` +
          `but this version of CV3 reads model ${GRAPH_MODEL}: run ${LOAD_COMMAND} again`,
      );
    }
    if (meta.measure !== this.measure || meta.minScore !== MIN_STORED_SCORE) {
      throw new SimilarityUnavailableError(
        SimilarityErrorCode.LoadFailed,
        `The HPO similarity graph in Neo4j (${this.client.uri}) holds ${meta.measure} scores ≥ ${meta.minScore}, ` +
          `but HPO.Measure is ${this.measure} (scores ≥ ${MIN_STORED_SCORE}): run ${LOAD_COMMAND} again`,
      );
    }
    this.meta = meta;
  }

  /** For the service's `GET /hpo` answer: recorded by the loader. */
  async stats(): Promise<{ termCount: number; rootTerm: string; maxDepth: number }> {
    if (!this.meta) {
      await this.ready();
    }
    const { termCount, rootTerm, maxDepth } = this.meta!;
    return { termCount, rootTerm, maxDepth };
  }

  /** What the loader recorded (after `ready`). */
  get graphMeta(): GraphMeta | undefined {
    return this.meta;
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  async term(raw: string): Promise<TermDetails | undefined> {
    const id = normaliseHpoId(raw);
    if (!id) {
      return undefined;
    }
    type Row = {
      t: Omit<TermDetails, 'termId' | 'parents' | 'children'> & { id: string };
      parents: string[];
      children: string[];
    };
    const [row] = await this.client.read<Row>(CYPHER.term, { id });
    if (!row) {
      return undefined;
    }
    const { t } = row;
    return {
      termId: t.id,
      label: t.label,
      definition: t.definition,
      synonyms: t.synonyms ?? [],
      comment: t.comment,
      parents: row.parents,
      children: row.children,
      obsolete: t.obsolete,
      replacedBy: t.replacedBy ?? [],
      consider: t.consider ?? [],
    };
  }

  async autocomplete(query: string, limit: number, withDefinition: boolean): Promise<AutocompleteHit[]> {
    const q = parseAutocompleteQuery(query);
    if (!q) {
      return [];
    }
    // Each id word is a part of its word, so "search contains every id word" holds for every term that matches in
    // any field: a superset that the exact matching narrows.
    const first = q.idWords.reduce((a, b) => (b.length > a.length ? b : a));
    const candidates = await this.client.read<Candidate>(CYPHER.autocomplete, { first, words: q.idWords });
    return rankAutocomplete(candidates.map(searchEntry), q, limit, withDefinition);
  }

  async expand(termIds: string[], depth: number): Promise<ExpandResult[]> {
    const ids = unique(termIds.map((raw) => normaliseHpoId(raw)));
    const found = new Map<string, { termId: string; depth: number }[]>();
    if (ids.length > 0) {
      type Row = { id: string; child: string; depth: number };
      const rows = await this.client.read<Row>(expandCypher(Math.max(depth, 0)), { ids });
      for (const r of rows) {
        let list = found.get(r.id);
        if (!list) {
          list = [];
          found.set(r.id, list);
        }
        list.push({ termId: r.child, depth: r.depth });
      }
      for (const list of found.values()) {
        list.sort((x, y) => x.depth - y.depth || (x.termId < y.termId ? -1 : 1));
      }
    }
    return termIds.map((raw) => {
      const id = normaliseHpoId(raw);
      return { termId: displayId(raw), children: id ? [...(found.get(id) ?? [])] : [], depth };
    });
  }

  async similar(termIds: string[], threshold: number, limit?: number): Promise<SimilarResult[]> {
    const effective = Math.max(threshold, MIN_STORED_SCORE);
    const limited = limit !== undefined && limit > 0;
    const ids = unique(termIds.map((raw) => normaliseHpoId(raw)));
    const found = new Map<string, { termId: string; score: number }[]>();
    if (ids.length > 0) {
      type Row = { id: string; known: boolean; similar: [string, number][] };
      const params: Record<string, unknown> = { ids, threshold: effective };
      if (limited) {
        // The input itself may take one of the places: its top `limit` others are enough.
        // JS numbers travel as floats; LIMIT takes an integer.
        params.limit = neo4j.int(Math.trunc(limit));
      }
      const rows = await this.client.read<Row>(CYPHER.similar(similarTypes(effective), limited), params);
      for (const r of rows) {
        if (!r.known) {
          continue;
        }
        const similar = [{ termId: r.id, score: 1 }, ...r.similar.map(([termId, score]) => ({ termId, score }))];
        similar.sort((x, y) => y.score - x.score || (x.termId < y.termId ? -1 : 1));
        found.set(r.id, limited ? similar.slice(0, limit) : similar);
      }
    }
    return termIds.map((raw) => {
      const id = normaliseHpoId(raw);
      const similar = id ? found.get(id) : undefined;
      return { termId: displayId(raw), similar: similar ? similar.map((s) => ({ ...s })) : [], threshold: effective };
    });
  }

  async diseasesOfTerms(hpoIds: string[]): Promise<Map<string, string[]>> {
    const found = await this.linked(CYPHER.diseasesOfTerms, unique(hpoIds.map((raw) => normaliseHpoId(raw))));
    return new Map(
      hpoIds.map((raw) => {
        const id = normaliseHpoId(raw);
        return [displayId(raw), [...((id ? found.get(id) : undefined) ?? [])].sort(compareOrphaIds)];
      }),
    );
  }

  async termsOfDiseases(orphaIds: string[]): Promise<Map<string, string[]>> {
    const found = await this.linked(CYPHER.termsOfDiseases, unique(orphaIds.map((raw) => normaliseOrphaId(raw))));
    return new Map(
      orphaIds.map((raw) => {
        const id = normaliseOrphaId(raw);
        return [id ?? raw.trim(), [...((id ? found.get(id) : undefined) ?? [])].sort()];
      }),
    );
  }

  /** Whether the loader wrote any ANNOTATED_WITH link (recorded on the meta node). */
  async hasDiseaseLinks(): Promise<boolean> {
    if (!this.meta) {
      await this.ready();
    }
    return (this.meta!.diseaseLinks ?? 0) > 0;
  }

  async replace(termIds: string[]): Promise<ReplaceResult[]> {
    const ids = unique(termIds.map((raw) => normaliseHpoId(raw)));
    const found = new Map<string, { replacedBy: string[]; consider: string[] }>();
    if (ids.length > 0) {
      type Row = {
        id: string;
        obsolete: boolean | null;
        replacedBy: string[] | null;
        consider: string[] | null;
        altOf: string[] | null;
      };
      const rows = await this.client.read<Row>(CYPHER.replace, { ids });
      for (const r of rows) {
        if (r.obsolete === true) {
          found.set(r.id, { replacedBy: r.replacedBy ?? [], consider: r.consider ?? [] });
        } else if (r.obsolete === null && r.altOf) {
          found.set(r.id, { replacedBy: r.altOf, consider: [] });
        }
      }
    }
    return termIds.map((raw) => {
      const id = normaliseHpoId(raw);
      const r = id ? found.get(id) : undefined;
      return { termId: displayId(raw), replacedBy: r ? [...r.replacedBy] : [], consider: r ? [...r.consider] : [] };
    });
  }

  /** Runs a link query (`diseasesOfTerms`, `termsOfDiseases`) for distinct normalised IDs: ID → linked IDs. */
  private async linked(cypher: string, ids: string[]): Promise<Map<string, string[]>> {
    if (ids.length === 0) {
      return new Map();
    }
    const rows = await this.client.read<{ id: string; linked: string[] }>(cypher, { ids });
    return new Map(rows.map((r) => [r.id, r.linked]));
  }
}

function unique(ids: (string | undefined)[]): string[] {
  return [...new Set(ids.filter((id): id is string => id !== undefined))];
}
