/*
 * The similarity graph in Neo4j (CV3 reference section 6), shared by the loader and the backend.
 *
 *   (:TERM_HPO {id, label, definition, synonyms, comment, obsolete, ic, replacedBy, consider, altIds, search})
 *   (:TERM_HPO)-[:IS_A {rank}]->(:TERM_HPO)               child → parent, as CV3; rank = position in hp.obo
 *   (:TERM_HPO)-[:REPLACED_BY]->(:TERM_HPO)               obsolete → its `replaced_by`, as CV3
 *   (:HPO_ALT_ID {id, replacedBy})-[:ALT_ID_OF]->(:TERM_HPO)  an `alt_id` (a merged, older ID) → the term it names
 *   (:TERM_HPO)-[:SIMILAR_20|SIMILAR_40|SIMILAR_60|SIMILAR_80 {score}]->(:TERM_HPO)
 *                                                         once per unordered pair with score ≥ MIN_STORED_SCORE,
 *                                                         from the lower ID to the higher; the type is the score
 *                                                         band: SIMILAR_20 for [0.2, 0.4), …, SIMILAR_80 for ≥ 0.8
 *   (:DISEASE_ORPHA {id})-[:ANNOTATED_WITH]->(:TERM_HPO)   an Orphanet disease → each HPO term annotated directly
 *                                                         to it (phenotype.hpoa; `Ontology.diseaseLinks`); id is
 *                                                         the ORPHA number as a string (`558`)
 *   (:HPO_META {key: 'hpo', model, version, measure, minScore, loadedAt, terms, edges, diseases, diseaseLinks,
 *               termCount, rootTerm, maxDepth})
 *
 * Similarity edges are stored once per pair, not in both directions: Neo4j keeps each relationship in the
 * relationship chains of both its nodes, so `(t)-[:SIMILAR_60]-(o)` from a bound `t` reads t's relationships of
 * that type in either direction at the same cost as a directed match. Both directions would double the store
 * (1.3 GB for the full HPO), the load time and the page cache needed, for no faster query.
 *
 * They are split into one relationship type per score band because a relationship property cannot be indexed for
 * a traversal: "similar to t with score ≥ θ" has to read every edge of t of the types it names and filter on
 * `score`. Terms are dense nodes (on the full HPO a term has ~1,700 edges ≥ 0.2 on average, general terms many
 * thousands) and Neo4j groups a dense node's relationships by type, so naming only the bands that can reach θ
 * skips the rest: on the full HPO 75 % of the 15.9 M edges score below 0.4 and 94 % below 0.6 (CV3's recommended
 * threshold). Types cannot be parameters, so the queries are chosen from a fixed set (`similarTypes`).
 *
 * The `replacedBy` property (obsolete terms and alt IDs) is what `replace` answers: `Ontology.replace`, computed at
 * load time, i.e. replaced_by chains followed to current terms, sorted; REPLACED_BY keeps the raw `replaced_by` links
 * for graph navigation. `consider` and `altIds` are lists as in `hp.obo`. `search` is the lowercased ID, label,
 * synonyms and definition, one per line, behind a TEXT (trigram) index: the autocomplete prefilter (`CONTAINS`).
 * The meta node is written last: a graph without it is empty or half loaded, and the backend refuses it. `model`
 * is GRAPH_MODEL of the code that loaded it: the backend refuses a graph of another model (an older load lacks
 * what this code reads, e.g. the disease nodes of model 2), naming the load command.
 */

export const TERM_LABEL = 'TERM_HPO';
export const ALT_LABEL = 'HPO_ALT_ID';
export const META_LABEL = 'HPO_META';
export const DISEASE_LABEL = 'DISEASE_ORPHA';

/**
 * Version of this graph model, recorded on the meta node; bump it whenever a load by older code no longer gives
 * what the backend reads. 1 (no `model` property): terms, alt IDs and similarity edges. 2: + Orphanet diseases.
 */
export const GRAPH_MODEL = 2;
export const META_KEY = 'hpo';

/** The command that fills the graph; named in every "not loaded" error. */
export const LOAD_COMMAND = 'node dist/cli.js similarity-load (or: npm run cv3 -- similarity-load)';

/** Schema the loader creates (idempotent). */
export const SCHEMA_STATEMENTS = [
  // Every lookup by term ID (term, expand, similar, replace, and each loader batch) goes through this.
  'CREATE CONSTRAINT term_hpo_id IF NOT EXISTS FOR (t:TERM_HPO) REQUIRE t.id IS UNIQUE',
  // replace() and the loader's ALT_ID_OF batches.
  'CREATE CONSTRAINT hpo_alt_id IF NOT EXISTS FOR (a:HPO_ALT_ID) REQUIRE a.id IS UNIQUE',
  // diseasesOfTerms / termsOfDiseases and the loader's ANNOTATED_WITH batches.
  'CREATE CONSTRAINT disease_orpha_id IF NOT EXISTS FOR (d:DISEASE_ORPHA) REQUIRE d.id IS UNIQUE',
  // The autocomplete prefilter: `t.search CONTAINS $word`.
  'CREATE TEXT INDEX term_hpo_search IF NOT EXISTS FOR (t:TERM_HPO) ON (t.search)',
];

/** The similarity relationship types, by the lowest score each holds (ascending). */
export const SIMILAR_BANDS = [
  { type: 'SIMILAR_20', min: 0.2 },
  { type: 'SIMILAR_40', min: 0.4 },
  { type: 'SIMILAR_60', min: 0.6 },
  { type: 'SIMILAR_80', min: 0.8 },
] as const;

export type SimilarType = (typeof SIMILAR_BANDS)[number]['type'];

/** The type of an edge with this (rounded) score. */
export function similarTypeOf(score: number): SimilarType {
  let type: SimilarType = SIMILAR_BANDS[0].type;
  for (const band of SIMILAR_BANDS) {
    if (score >= band.min) {
      type = band.type;
    }
  }
  return type;
}

/** The types that can hold a score ≥ threshold: every band whose next band starts above the threshold. */
export function similarTypes(threshold: number): SimilarType[] {
  return SIMILAR_BANDS.filter((band, i) => i === SIMILAR_BANDS.length - 1 || SIMILAR_BANDS[i + 1].min > threshold).map(
    (band) => band.type,
  );
}

/** What the loader records on the meta node. */
export interface GraphMeta {
  /** GRAPH_MODEL of the loader; absent on graphs of model 1. */
  model?: number;
  version: string;
  measure: string;
  minScore: number;
  loadedAt: string;
  /** Term nodes (obsolete ones included). */
  terms: number;
  /** SIMILAR relationships. */
  edges: number;
  /** DISEASE_ORPHA nodes. */
  diseases: number;
  /** ANNOTATED_WITH relationships. */
  diseaseLinks: number;
  termCount: number;
  rootTerm: string;
  maxDepth: number;
}

/** The `search` property: what autocomplete may match, lowercased, one field per line. */
export function searchText(t: { id: string; label: string; synonyms: string[]; definition: string }): string {
  return [t.id, t.label, ...t.synonyms, t.definition].join('\n').toLowerCase();
}
