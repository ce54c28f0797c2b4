/*
 * The query module's vocabulary (CV3 reference 1.11, 3.4, 3.5 and 5). The QueryBuilder below is the *normalised*
 * form that `parseQueryBuilder` returns after validation: defaults filled in, term IDs without their prefix,
 * CV3's alternative spellings (`useOrphaNet`, `variants`, `matchScale`, `trio`) folded into one.
 */
import type { Capability, SubjectDocument } from '@/modules/data/data.types';

// ---- discovery policy (access level) -------------------------------------------------------------------------

/** Lowest first: a user's level for a source is the highest policy over every group holding both. */
export const DISCOVERY_POLICIES = ['noAccess', 'boolean', 'range', 'count', 'list', 'detailedList'] as const;
export type DiscoveryPolicy = (typeof DISCOVERY_POLICIES)[number];

export function policyRank(p: DiscoveryPolicy): number {
  return DISCOVERY_POLICIES.indexOf(p);
}

/** The higher of two levels. */
export function maxPolicy(a: DiscoveryPolicy, b: DiscoveryPolicy): DiscoveryPolicy {
  return policyRank(a) >= policyRank(b) ? a : b;
}

/** The lower of two levels (a requested granularity lowers the permitted level, never raises it). */
export function minPolicy(a: DiscoveryPolicy, b: DiscoveryPolicy): DiscoveryPolicy {
  return policyRank(a) <= policyRank(b) ? a : b;
}

/** The internal user whose groups say what anonymous callers may query (when `anonymousAccess` is on). */
export const ANONYMOUS_USER_ID = 'anonymous';

// ---- QueryBuilder (normalised) -------------------------------------------------------------------------------

/** Ages are whole years 0–100; the full range 0–100 means "not provided". */
export interface AgeRange {
  min: number;
  max: number;
}

export const GENDERS = ['male', 'female', 'any'] as const;
export type Gender = (typeof GENDERS)[number];

export interface SubjectFilter {
  /** Absent or `any`: not provided. */
  gender?: Gender;
  age?: AgeRange;
  ageFirstDiagnosis?: AgeRange;
  ageFirstSymptoms?: AgeRange;
  /** Only `true` filters. */
  affectedOnly?: boolean;
  /** The family types asked for; none true: not provided. */
  familyType?: { singletons: boolean; trios: boolean; family: boolean };
}

export interface HpoFilter {
  /** 7-digit HPO IDs without prefix, distinct, in the caller's order. */
  terms: string[];
  /** 1 = exact; below 1 each term also matches its similar terms (score ≥ similarity). */
  similarity: number;
  /** At least this many of the original terms must match (1 ≤ minimumMatch ≤ terms.length). */
  minimumMatch: number;
  /** Also match subjects holding an ORDO disease annotated with the term. */
  useOrphanet: boolean;
}

export interface OrdoFilter {
  /** Orphanet IDs without prefix (digits). */
  terms: string[];
  similarity: number;
  minimumMatch: number;
  /** Also match subjects holding an HPO term annotated to the disease. */
  useHPO: boolean;
}

export interface SnomedFilter {
  /** SNOMED CT concept IDs (digits). */
  terms: string[];
  minimumMatch: number;
}

export interface AlleleSpec {
  /** HGNC symbol as stored (case-sensitive). */
  gene: string;
  /** One allele: carries it; two: has exactly that genotype (in either order). */
  alleles: string[];
}

/** One `genes[]` filter: OR over its allele specs. */
export interface GenesFilter {
  alleles: AlleleSpec[];
}

export const MUTATION_CLASSES = [
  'nonCoding',
  'missense',
  'nonsense',
  'splice',
  'frameshift',
  'lossOfStart',
  'lossOfStop',
  'indel',
] as const;
export type MutationClass = (typeof MUTATION_CLASSES)[number];

export interface VariantFilter {
  /** HGNC symbols; at least one of genes / reactome (reactome needs pathway data this installation may lack). */
  genes: string[];
  reactome: string[];
  /** At least one class. */
  mutation: MutationClass[];
  /** 0–1, default 1 (no limit). */
  maxAf: number;
  /** Compare maxAf with the frequency within the source instead of the stored (population) af. */
  useLocalAf: boolean;
}

export const EAV_RELATIONS = [
  'stringIs',
  'stringIsNot',
  'regexContains',
  'regexDoesNotContain',
  'numericEquals',
  'numericNotEquals',
  'numericGreaterThan',
  'numericLessThan',
  'numericGreaterThanOrEqual',
  'numericLessThanOrEqual',
] as const;
export type EavRelation = (typeof EAV_RELATIONS)[number];

export interface EavFilter {
  attribute: string;
  relation: EavRelation;
  /** string relations take a string (or boolean for stringIs/stringIsNot), regex relations a string pattern, numeric relations a number. */
  value: string | number | boolean;
}

/** Capability families `advanced.requiredFilters` can flag (as CV3's Capability; true = no soft match). */
export type RequiredFilters = Partial<Omit<Capability, 'subjectCapability'>> & {
  subjectCapability?: Partial<Capability['subjectCapability']>;
};

export interface QueryBuilder {
  subject?: SubjectFilter;
  hpo: HpoFilter[];
  ordo: OrdoFilter[];
  snomed: SnomedFilter[];
  genes: GenesFilter[];
  variant: VariantFilter[];
  eav: EavFilter[];
  /** Restrict to these sources (unknown, offline or forbidden ones are ignored). Absent: every source. */
  sources?: string[];
  advanced: {
    granularity?: DiscoveryPolicy;
    requiredFilters: RequiredFilters;
  };
}

/** A normalised query asking nothing (every subject of every source the caller sees), with `parts` on top. */
export function queryBuilder(parts: Partial<QueryBuilder> = {}): QueryBuilder {
  return {
    hpo: [],
    ordo: [],
    snomed: [],
    genes: [],
    variant: [],
    eav: [],
    advanced: { requiredFilters: {} },
    ...parts,
  };
}

// ---- what a source answers -----------------------------------------------------------------------------------

/** CV3's QueryResponse, one per source; only the fields the level allows are present. */
export interface QueryResponse {
  sourceId: string;
  sourceName: string;
  sourceOwner?: string;
  ownerEmail?: string;
  sourceUrl?: string;
  /** The level this answer was cut to. */
  granularity: DiscoveryPolicy;
  exist?: boolean;
  recordRange?: { min: number; max: number };
  recordCount?: number;
  resultDetails?: {
    subjects: Array<{ subjectId: string } | SubjectDocument>;
    /** True when the list was cut at the installation's limit. */
    truncated?: boolean;
  };
  /** Set instead of results when the source could not be queried (e.g. its database call failed). */
  error?: string;
}
