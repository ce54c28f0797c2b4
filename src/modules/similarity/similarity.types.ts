/*
 * The similarity module's vocabulary (CV3 reference 2.4 and 6). Term IDs are stored and returned without their
 * prefix (`0001250`); every input accepts them with or without `HP:` (see `normaliseHpoId`).
 */

/** The term-to-term measures. CV3 uses Relevance (Schlicker 2006): Lin × (1 − p(MICA)). */
export const MEASURES = ['relevance', 'resnik', 'lin'] as const;
export type Measure = (typeof MEASURES)[number];

/** Similarity scores below this are never stored or returned: a lower threshold behaves as this one (as CV3). */
export const MIN_STORED_SCORE = 0.2;

/** CV3's default expansion depth. */
export const DEFAULT_EXPAND_DEPTH = 3;

/** One ontology term as parsed from `hp.obo`. */
export interface OntologyTerm {
  /** Without prefix, e.g. `0001250`. */
  id: string;
  label: string;
  definition: string;
  synonyms: string[];
  comment: string;
  /** Direct `is_a` parents (IDs without prefix). Empty for the root and for obsolete terms. */
  parents: string[];
  obsolete: boolean;
  /** `replaced_by` of an obsolete term. */
  replacedBy: string[];
  /** `consider` of an obsolete term. */
  consider: string[];
  /** `alt_id`s: older IDs that now mean this term. */
  altIds: string[];
}

/** Term lookup answer (CV3 BTS `GET /{term_type}/{term_id}`). */
export interface TermDetails {
  termId: string;
  label: string;
  definition: string;
  synonyms: string[];
  comment: string;
  parents: string[];
  children: string[];
  obsolete: boolean;
  replacedBy: string[];
  consider: string[];
}

/** One autocomplete hit (CV3 BTS auto-complete v2). */
export interface AutocompleteHit {
  termId: string;
  label: string;
  definition?: string;
}

/** Expansion of one input term: its descendants down to `depth` (CV3 BTS expand v1). */
export interface ExpandResult {
  termId: string;
  /** Descendants (not the term itself), each once, with the shortest distance from the input term. */
  children: { termId: string; depth: number }[];
  depth: number;
}

/** Terms similar to one input term (CV3 BTS similarity v1, with scores). */
export interface SimilarResult {
  termId: string;
  /** Highest score first, then term ID; the input term itself is included with score 1. */
  similar: { termId: string; score: number }[];
  threshold: number;
}

/** What an obsolete (or alternative) ID now means. */
export interface ReplaceResult {
  termId: string;
  /** The current term(s): `replaced_by`, or the primary term of an `alt_id`; empty when only `consider` exists. */
  replacedBy: string[];
  consider: string[];
}

/** Size and shape of the loaded ontology. */
export interface OntologyStats {
  /** Current (non-obsolete) terms under the root, the root included. */
  termCount: number;
  rootTerm: string;
  /** Depth of the deepest term, each term at its shortest distance from the root. */
  maxDepth: number;
}

/**
 * The interface the query module and the term API use. Two implementations answer it identically:
 * built in (in process, from `hp.obo` + annotations) and Neo4j (`Neo4j.Enabled`).
 */
export interface SimilarityBackend {
  readonly mode: 'builtin' | 'neo4j';
  /** Resolves once the ontology is loaded and queries can be answered. */
  ready(): Promise<void>;
  term(id: string): Promise<TermDetails | undefined>;
  autocomplete(query: string, limit: number, withDefinition: boolean): Promise<AutocompleteHit[]>;
  /** `depth` 0 means unlimited. Unknown terms give an empty `children`. */
  expand(termIds: string[], depth: number): Promise<ExpandResult[]>;
  /** Scores with the configured measure; `threshold` below MIN_STORED_SCORE behaves as MIN_STORED_SCORE. */
  similar(termIds: string[], threshold: number, limit?: number): Promise<SimilarResult[]>;
  replace(termIds: string[]): Promise<ReplaceResult[]>;
  /**
   * HPO–Orphanet link (HPO annotations `phenotype.hpoa`, ORPHA rows, aspect P, not NOT-qualified; direct
   * annotations only). For each input HPO term (key: the ID without prefix, or the input as given when malformed),
   * the ORPHA disease IDs (digits, see `normaliseOrphaId`) annotated directly with it, sorted with
   * `compareOrphaIds`; [] for a term without any (unknown, obsolete and alt IDs included).
   */
  diseasesOfTerms(hpoIds: string[]): Promise<Map<string, string[]>>;
  /**
   * For each input ORPHA disease (key: its digits, or the input as given when malformed), the HPO terms annotated
   * directly to it, sorted; [] for an unknown disease.
   */
  termsOfDiseases(orphaIds: string[]): Promise<Map<string, string[]>>;
  /** True when the annotations loaded hold ORPHA disease links (false for genes_to_phenotype.txt or no file). */
  hasDiseaseLinks(): Promise<boolean>;
  /** Size and shape at hand (without it, the service walks the tree from the root once). */
  stats?(): OntologyStats | Promise<OntologyStats>;
  /** Releases what the backend holds (a driver). */
  close?(): Promise<void>;
}

/** `HP:0001250`, `hp:0001250`, `HP_0001250` and `0001250` all name term `0001250`; anything else is undefined. */
export function normaliseHpoId(raw: string): string | undefined {
  const m = /^(?:hp[:_])?(\d{7})$/i.exec(raw.trim());
  return m ? m[1] : undefined;
}

/**
 * `ORPHA:558`, `Orphanet:558`, `Orphanet_558`, `ORPHA_558` and `558` (any case, leading zeros dropped) all name
 * Orphanet disease `558`; anything else is undefined.
 */
export function normaliseOrphaId(raw: string): string | undefined {
  const m = /^(?:orpha(?:net)?[:_])?0*([1-9]\d{0,9})$/i.exec(raw.trim());
  return m ? m[1] : undefined;
}

/** Numeric order of ORPHA IDs (digit strings without leading zeros): shorter first, then by digits. */
export function compareOrphaIds(x: string, y: string): number {
  return x.length - y.length || (x < y ? -1 : x > y ? 1 : 0);
}
