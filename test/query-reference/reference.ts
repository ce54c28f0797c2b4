/*
 * The reference evaluator of record queries: docs/query-semantics.md written as plain loops over subjects, kept
 * deliberately simple so that it is obviously right. A property test compares it with the MongoDB compiler
 * (src/modules/query/builder/compile.ts), which this file must not share code with: only the types and constants
 * of query.types.ts / data.types.ts are imported.
 *
 * Readings of the specification chosen here (the literal one wherever it was open):
 * - Term IDs lose their prefix on both sides (query and stored entries): everything up to the last `:` or `_`.
 * - "Has an HPO/SNOMED entry" (soft match) counts every entry, qualified ones too; only matching ignores them.
 * - The source's subject count (useLocalAf) is the number of subjects handed in; the fraction is count / total,
 *   compared with `<=` in floating point.
 * - Subject parts: `age`, `ageFirstDiagnosis` and `ageFirstSymptoms` are flagged by `subjectCapability.age`,
 *   `gender` by `.gender`, `familyType` by `.familyType`, `affectedOnly` by `.affected`; `subject: true` flags all.
 * - Queries the specification refuses (400), and queries the normalised QueryBuilder type calls invalid, throw a
 *   RefusedQueryError instead of being evaluated.
 */
import type { SubjectDocument } from '@/modules/data/data.types';
import {
  DISCOVERY_POLICIES,
  type AgeRange,
  type DiscoveryPolicy,
  type EavFilter,
  type GenesFilter,
  type HpoFilter,
  type MutationClass,
  type OrdoFilter,
  type QueryBuilder,
  type QueryResponse,
  type SnomedFilter,
  type VariantFilter,
} from '@/modules/query/query.types';

export interface ReferenceDeps {
  /**
   * HPO terms whose similarity to `termId` (7 digits, no prefix) is ≥ `threshold` (the reference raises thresholds
   * below 0.2 to 0.2 before calling). The term itself may or may not be included: the reference adds it. Returned
   * IDs may carry the `HP:` prefix.
   */
  similar(termId: string, threshold: number): string[];
  /** ORDO IDs (with or without `ORPHA:`) annotated with the HPO term. Needed by `hpo[].useOrphanet`. */
  diseasesOfHpo?(termId: string): string[];
  /** HPO IDs annotated to the ORDO disease (digits). Needed by `ordo[].useHPO`. */
  hpoOfDisease?(orphaId: string): string[];
}

/** A query the specification refuses with 400 (or that is not a valid normalised QueryBuilder). */
export class RefusedQueryError extends Error {}

/** The Sequence Ontology terms of each mutation class (docs/query-semantics.md, `variant[]`). */
export const REFERENCE_SO_TERMS: Record<MutationClass, string[]> = {
  missense: [
    'missense_variant',
    'conservative_missense_variant',
    'non_conservative_missense_variant',
    'rare_amino_acid_variant',
    'protein_altering_variant',
  ],
  nonsense: ['stop_gained'],
  splice: [
    'splice_acceptor_variant',
    'splice_donor_variant',
    'splice_region_variant',
    'splice_donor_5th_base_variant',
    'splice_donor_region_variant',
    'splice_polypyrimidine_tract_variant',
  ],
  frameshift: ['frameshift_variant'],
  lossOfStart: ['start_lost', 'initiator_codon_variant'],
  lossOfStop: ['stop_lost'],
  indel: [
    'inframe_insertion',
    'inframe_deletion',
    'disruptive_inframe_insertion',
    'disruptive_inframe_deletion',
    'conservative_inframe_insertion',
    'conservative_inframe_deletion',
  ],
  nonCoding: [
    '5_prime_UTR_variant',
    '3_prime_UTR_variant',
    'intron_variant',
    'non_coding_transcript_variant',
    'non_coding_transcript_exon_variant',
    'upstream_gene_variant',
    'downstream_gene_variant',
    'intergenic_variant',
    'mature_miRNA_variant',
    'NMD_transcript_variant',
    'regulatory_region_variant',
    'TF_binding_site_variant',
  ],
};

/** Demographic parts: the normalised attribute names backing each (docs/query-semantics.md, `subject`). */
const GENDER_NAMES = ['gender', 'sex'];
const AGE_NAMES = ['age'];
const AGE_DIAGNOSIS_NAMES = ['agefirstdiagnosis', 'ageatdiagnosis', 'ageofdiagnosis'];
const AGE_SYMPTOMS_NAMES = ['agefirstsymptoms', 'ageatonset', 'ageofonset', 'ageatfirstsymptoms'];
const AFFECTED_NAMES = ['affected'];
const FAMILY_TYPE_NAMES = ['familytype'];

type Element = string | number | boolean;
type Predicate = (subject: SubjectDocument) => boolean;

/** One filter of the query as the reference sees it for one source. */
export interface ReferenceFilter {
  /** e.g. `hpo[0]`, `subject.age`. */
  name: string;
  /** False when soft match dropped it (or it is empty). */
  active: boolean;
  /** Why it is inactive, or `required` when requiredFilters kept it although the source lacks its data. */
  note?: string;
  test: Predicate;
}

// ---- small helpers -------------------------------------------------------------------------------------------

/** `HP:0001250` → `0001250`, `ORPHA:558` → `558`; an ID without prefix is returned as is. */
export function bareId(id: string): string {
  const cut = Math.max(id.lastIndexOf(':'), id.lastIndexOf('_'));
  return cut >= 0 ? id.slice(cut + 1) : id;
}

/** EAV attribute names as ingestion stores them: `.` → `_`, a leading `$` → `_`. */
export function normaliseAttribute(name: string): string {
  return name.replace(/\./g, '_').replace(/^\$/, '_');
}

/** Demographic lookup name: lower case, letters and digits only. */
export function demographicName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function elementsOf(value: unknown): Element[] {
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  const out: Element[] = [];
  for (const v of list) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      out.push(v);
    }
  }
  return out;
}

function plainStrings(entries: ReadonlyArray<unknown> | undefined): string[] {
  const out: string[] = [];
  for (const e of entries ?? []) {
    if (typeof e === 'string') {
      out.push(bareId(e));
    }
  }
  return out;
}

function eavOf(subject: SubjectDocument): Record<string, unknown> {
  return subject.EAV ?? {};
}

/** Every element of every EAV attribute of the subject whose demographic name is one of `names`. */
function demographicElements(subject: SubjectDocument, names: string[]): Element[] {
  const out: Element[] = [];
  const eav = eavOf(subject);
  for (const key of Object.keys(eav)) {
    if (names.includes(demographicName(key))) {
      out.push(...elementsOf(eav[key]));
    }
  }
  return out;
}

function checkMinimumMatch(name: string, terms: string[], minimumMatch: number): void {
  if (!Number.isInteger(minimumMatch) || minimumMatch < 1 || minimumMatch > terms.length) {
    throw new RefusedQueryError(`${name}: minimumMatch ${minimumMatch} not in 1..${terms.length}`);
  }
}

/** The common subset of JavaScript and RE2: at most 200 characters, no look-around, no back-references. */
function checkPattern(name: string, pattern: string): RegExp {
  if (pattern.length > 200) {
    throw new RefusedQueryError(`${name}: pattern longer than 200 characters`);
  }
  if (/\(\?<?[=!]/.test(pattern)) {
    throw new RefusedQueryError(`${name}: look-around`);
  }
  if (/\\[1-9]|\\k</.test(pattern)) {
    throw new RefusedQueryError(`${name}: back-reference`);
  }
  try {
    return new RegExp(pattern, 'i');
  } catch {
    throw new RefusedQueryError(`${name}: invalid pattern`);
  }
}

// ---- what a source has ---------------------------------------------------------------------------------------

interface SourceFacts {
  total: number;
  hasHpo: boolean;
  hasOrdo: boolean;
  hasSnomed: boolean;
  hasVariant: boolean;
  hasAlleles: boolean;
  attributes: Set<string>;
}

function sourceFacts(subjects: SubjectDocument[]): SourceFacts {
  const facts: SourceFacts = {
    total: subjects.length,
    hasHpo: false,
    hasOrdo: false,
    hasSnomed: false,
    hasVariant: false,
    hasAlleles: false,
    attributes: new Set(),
  };
  for (const s of subjects) {
    if ((s.HPO ?? []).length > 0) {
      facts.hasHpo = true;
    }
    if ((s.ORDO ?? []).length > 0) {
      facts.hasOrdo = true;
    }
    if ((s.SNOMED ?? []).length > 0) {
      facts.hasSnomed = true;
    }
    if ((s.VARIANT ?? []).length > 0) {
      facts.hasVariant = true;
    }
    if ((s.ALLELES ?? []).length > 0) {
      facts.hasAlleles = true;
    }
    for (const key of Object.keys(eavOf(s))) {
      facts.attributes.add(key);
    }
  }
  return facts;
}

function sourceHasDemographic(facts: SourceFacts, names: string[]): boolean {
  for (const key of facts.attributes) {
    if (names.includes(demographicName(key))) {
      return true;
    }
  }
  return false;
}

/** Number of subjects of the source with a VARIANT entry of exactly this (gene, mutation). */
function subjectsWithVariant(subjects: SubjectDocument[], gene: string, mutation: string): number {
  let n = 0;
  for (const s of subjects) {
    for (const v of s.VARIANT ?? []) {
      if (v.gene === gene && v.mutation === mutation) {
        n++;
        break;
      }
    }
  }
  return n;
}

// ---- filters -------------------------------------------------------------------------------------------------

function hpoFilter(name: string, f: HpoFilter, deps: ReferenceDeps): Predicate {
  checkMinimumMatch(name, f.terms, f.minimumMatch);
  if (!(f.similarity >= 0 && f.similarity <= 1)) {
    throw new RefusedQueryError(`${name}: similarity ${f.similarity}`);
  }
  // One group per original term: the term, plus its similar terms when similarity < 1.
  const groups: Array<Set<string>> = [];
  for (const t of f.terms) {
    const group = new Set<string>([bareId(t)]);
    if (f.similarity < 1) {
      const threshold = f.similarity < 0.2 ? 0.2 : f.similarity;
      for (const other of deps.similar(bareId(t), threshold)) {
        group.add(bareId(other));
      }
    }
    groups.push(group);
  }
  // With useOrphanet, the diseases annotated with some member of each group.
  const groupDiseases: Array<Set<string>> = [];
  if (f.useOrphanet) {
    if (!deps.diseasesOfHpo) {
      throw new Error(`${name}: useOrphanet needs deps.diseasesOfHpo`);
    }
    for (const group of groups) {
      const diseases = new Set<string>();
      for (const member of group) {
        for (const d of deps.diseasesOfHpo(member)) {
          diseases.add(bareId(d));
        }
      }
      groupDiseases.push(diseases);
    }
  }
  return (s) => {
    const held = plainStrings(s.HPO);
    const heldOrdo = plainStrings(s.ORDO);
    let hits = 0;
    for (let g = 0; g < groups.length; g++) {
      let hit = false;
      for (const h of held) {
        if (groups[g].has(h)) {
          hit = true;
        }
      }
      if (f.useOrphanet) {
        for (const o of heldOrdo) {
          if (groupDiseases[g].has(o)) {
            hit = true;
          }
        }
      }
      if (hit) {
        hits++;
      }
    }
    return hits >= f.minimumMatch;
  };
}

function ordoFilter(name: string, f: OrdoFilter, deps: ReferenceDeps): Predicate {
  checkMinimumMatch(name, f.terms, f.minimumMatch);
  if (f.similarity !== 1) {
    throw new RefusedQueryError(`${name}: ORDO similarity below 1 is refused`);
  }
  const terms = f.terms.map(bareId);
  const termHpo: Array<Set<string>> = [];
  if (f.useHPO) {
    if (!deps.hpoOfDisease) {
      throw new Error(`${name}: useHPO needs deps.hpoOfDisease`);
    }
    for (const t of terms) {
      termHpo.push(new Set(deps.hpoOfDisease(t).map(bareId)));
    }
  }
  return (s) => {
    const held = plainStrings(s.ORDO);
    const heldHpo = plainStrings(s.HPO);
    let hits = 0;
    for (let g = 0; g < terms.length; g++) {
      let hit = held.includes(terms[g]);
      if (f.useHPO) {
        for (const h of heldHpo) {
          if (termHpo[g].has(h)) {
            hit = true;
          }
        }
      }
      if (hit) {
        hits++;
      }
    }
    return hits >= f.minimumMatch;
  };
}

function snomedFilter(name: string, f: SnomedFilter): Predicate {
  checkMinimumMatch(name, f.terms, f.minimumMatch);
  const terms = f.terms.map(bareId);
  return (s) => {
    const held = plainStrings(s.SNOMED);
    let hits = 0;
    for (const t of terms) {
      if (held.includes(t)) {
        hits++;
      }
    }
    return hits >= f.minimumMatch;
  };
}

function genesFilter(name: string, f: GenesFilter): Predicate {
  for (const spec of f.alleles) {
    if (spec.alleles.length < 1 || spec.alleles.length > 2) {
      throw new RefusedQueryError(`${name}: an allele spec needs one or two alleles`);
    }
  }
  return (s) => {
    for (const spec of f.alleles) {
      for (const entry of s.ALLELES ?? []) {
        if (entry.gene !== spec.gene) {
          continue;
        }
        if (spec.alleles.length === 1 && entry.alleles.includes(spec.alleles[0])) {
          return true;
        }
        if (spec.alleles.length === 2 && entry.alleles.length === 2) {
          const [a, b] = spec.alleles;
          const [x, y] = entry.alleles;
          if ((x === a && y === b) || (x === b && y === a)) {
            return true;
          }
        }
      }
    }
    return false;
  };
}

function variantFilter(name: string, f: VariantFilter, subjects: SubjectDocument[]): Predicate {
  if (f.reactome.length > 0) {
    throw new RefusedQueryError(`${name}: reactome pathways are refused`);
  }
  if (f.genes.length === 0) {
    throw new RefusedQueryError(`${name}: no genes`);
  }
  if (f.mutation.length === 0) {
    throw new RefusedQueryError(`${name}: no mutation class`);
  }
  if (!(f.maxAf >= 0 && f.maxAf <= 1)) {
    throw new RefusedQueryError(`${name}: maxAf ${f.maxAf}`);
  }
  const mutations = new Set<string>();
  for (const c of f.mutation) {
    if (!(c in REFERENCE_SO_TERMS)) {
      throw new RefusedQueryError(`${name}: unknown mutation class ${c}`);
    }
    mutations.add(c);
    for (const so of REFERENCE_SO_TERMS[c]) {
      mutations.add(so);
    }
  }
  const total = subjects.length;
  return (s) => {
    for (const v of s.VARIANT ?? []) {
      if (!f.genes.includes(v.gene) || !mutations.has(v.mutation)) {
        continue;
      }
      if (f.maxAf >= 1) {
        return true;
      }
      if (f.useLocalAf) {
        if (subjectsWithVariant(subjects, v.gene, v.mutation) / total <= f.maxAf) {
          return true;
        }
      } else if (typeof v.af !== 'number' || v.af <= f.maxAf) {
        return true;
      }
    }
    return false;
  };
}

function eavFilter(name: string, f: EavFilter): Predicate {
  const attribute = normaliseAttribute(f.attribute);
  const value = f.value;
  let test: (elements: Element[]) => boolean;
  switch (f.relation) {
    case 'stringIs':
    case 'stringIsNot': {
      if (typeof value !== 'string' && typeof value !== 'boolean') {
        throw new RefusedQueryError(`${name}: ${f.relation} takes a string or boolean`);
      }
      if (f.relation === 'stringIs') {
        test = (els) => els.some((e) => e === value);
      } else {
        test = (els) => els.some((e) => typeof e === typeof value) && !els.some((e) => e === value);
      }
      break;
    }
    case 'regexContains':
    case 'regexDoesNotContain': {
      if (typeof value !== 'string') {
        throw new RefusedQueryError(`${name}: ${f.relation} takes a string pattern`);
      }
      const re = checkPattern(name, value);
      const strings = (els: Element[]) => els.filter((e): e is string => typeof e === 'string');
      if (f.relation === 'regexContains') {
        test = (els) => strings(els).some((e) => re.test(e));
      } else {
        test = (els) => strings(els).length > 0 && !strings(els).some((e) => re.test(e));
      }
      break;
    }
    case 'numericEquals':
    case 'numericNotEquals':
    case 'numericGreaterThan':
    case 'numericLessThan':
    case 'numericGreaterThanOrEqual':
    case 'numericLessThanOrEqual': {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new RefusedQueryError(`${name}: ${f.relation} takes a number`);
      }
      const numbers = (els: Element[]) => els.filter((e): e is number => typeof e === 'number');
      const relation = f.relation;
      test = (els) => {
        const ns = numbers(els);
        switch (relation) {
          case 'numericEquals':
            return ns.some((n) => n === value);
          case 'numericNotEquals':
            return ns.length > 0 && !els.some((e) => e === value);
          case 'numericGreaterThan':
            return ns.some((n) => n > value);
          case 'numericLessThan':
            return ns.some((n) => n < value);
          case 'numericGreaterThanOrEqual':
            return ns.some((n) => n >= value);
          case 'numericLessThanOrEqual':
            return ns.some((n) => n <= value);
        }
      };
      break;
    }
    default:
      throw new RefusedQueryError(`${name}: unknown relation ${String(f.relation)}`);
  }
  return (s) => {
    const eav = eavOf(s);
    if (!Object.prototype.hasOwnProperty.call(eav, attribute)) {
      return false;
    }
    return test(elementsOf(eav[attribute]));
  };
}

function ageProvided(range: AgeRange | undefined): range is AgeRange {
  return range !== undefined && !(range.min === 0 && range.max === 100);
}

function agePredicate(names: string[], range: AgeRange): Predicate {
  return (s) => demographicElements(s, names).some((e) => typeof e === 'number' && e >= range.min && e <= range.max);
}

const MALE = ['male', 'm'];
const FEMALE = ['female', 'f'];
const AFFECTED_STRINGS = ['true', 'yes', 'y', 'affected'];

// ---- the query -----------------------------------------------------------------------------------------------

/**
 * Every filter of the query for one source, active or dropped by soft match, in query order (hpo, ordo, snomed,
 * genes, variant, eav, subject parts). Throws RefusedQueryError for a query the specification refuses.
 */
export function referenceFilters(
  query: QueryBuilder,
  subjects: SubjectDocument[],
  deps: ReferenceDeps,
): ReferenceFilter[] {
  const facts = sourceFacts(subjects);
  const required = query.advanced?.requiredFilters ?? {};
  const filters: ReferenceFilter[] = [];

  /** A non-empty filter: active when the source has its data, or when its family is required. */
  const add = (name: string, sourceHasData: boolean, isRequired: boolean, test: Predicate) => {
    if (sourceHasData) {
      filters.push({ name, active: true, test });
    } else if (isRequired) {
      filters.push({ name, active: true, note: 'required', test });
    } else {
      filters.push({ name, active: false, note: 'soft match: source lacks the data', test });
    }
  };
  const empty = (name: string) => filters.push({ name, active: false, note: 'empty', test: () => true });

  query.hpo.forEach((f, i) => {
    const name = `hpo[${i}]`;
    if (f.terms.length === 0) {
      return empty(name);
    }
    const test = hpoFilter(name, f, deps);
    add(name, facts.hasHpo || (f.useOrphanet && facts.hasOrdo), required.hpo === true, test);
  });
  query.ordo.forEach((f, i) => {
    const name = `ordo[${i}]`;
    if (f.terms.length === 0) {
      if (f.similarity !== 1) {
        throw new RefusedQueryError(`${name}: ORDO similarity below 1 is refused`);
      }
      return empty(name);
    }
    const test = ordoFilter(name, f, deps);
    add(name, facts.hasOrdo || (f.useHPO && facts.hasHpo), required.ordo === true, test);
  });
  query.snomed.forEach((f, i) => {
    const name = `snomed[${i}]`;
    if (f.terms.length === 0) {
      return empty(name);
    }
    add(name, facts.hasSnomed, required.snomed === true, snomedFilter(name, f));
  });
  query.genes.forEach((f, i) => {
    const name = `genes[${i}]`;
    if (f.alleles.length === 0) {
      return empty(name);
    }
    add(name, facts.hasVariant || facts.hasAlleles, required.genes === true, genesFilter(name, f));
  });
  query.variant.forEach((f, i) => {
    const name = `variant[${i}]`;
    add(name, facts.hasVariant, required.variant === true, variantFilter(name, f, subjects));
  });
  query.eav.forEach((f, i) => {
    const name = `eav[${i}]`;
    add(name, facts.attributes.has(normaliseAttribute(f.attribute)), required.eav === true, eavFilter(name, f));
  });

  const subject = query.subject;
  if (subject) {
    const cap = required.subjectCapability ?? {};
    const part = (name: string, names: string[], flag: boolean | undefined, test: Predicate) =>
      add(`subject.${name}`, sourceHasDemographic(facts, names), required.subject === true || flag === true, test);

    const gender = subject.gender;
    if (gender === 'male' || gender === 'female') {
      const accepted = gender === 'male' ? MALE : FEMALE;
      part('gender', GENDER_NAMES, cap.gender, (s) =>
        demographicElements(s, GENDER_NAMES).some((e) => typeof e === 'string' && accepted.includes(e.toLowerCase())),
      );
    }
    if (ageProvided(subject.age)) {
      part('age', AGE_NAMES, cap.age, agePredicate(AGE_NAMES, subject.age));
    }
    if (ageProvided(subject.ageFirstDiagnosis)) {
      part(
        'ageFirstDiagnosis',
        AGE_DIAGNOSIS_NAMES,
        cap.age,
        agePredicate(AGE_DIAGNOSIS_NAMES, subject.ageFirstDiagnosis),
      );
    }
    if (ageProvided(subject.ageFirstSymptoms)) {
      part('ageFirstSymptoms', AGE_SYMPTOMS_NAMES, cap.age, agePredicate(AGE_SYMPTOMS_NAMES, subject.ageFirstSymptoms));
    }
    if (subject.affectedOnly === true) {
      part('affectedOnly', AFFECTED_NAMES, cap.affected, (s) =>
        demographicElements(s, AFFECTED_NAMES).some(
          (e) => e === true || e === 1 || (typeof e === 'string' && AFFECTED_STRINGS.includes(e.toLowerCase())),
        ),
      );
    }
    const ft = subject.familyType;
    if (ft && (ft.singletons || ft.trios || ft.family)) {
      const accepted: string[] = [];
      if (ft.singletons) {
        accepted.push('singleton', 'singletons');
      }
      if (ft.trios) {
        accepted.push('trio', 'trios');
      }
      if (ft.family) {
        accepted.push('family', 'families');
      }
      part('familyType', FAMILY_TYPE_NAMES, cap.familyType, (s) =>
        demographicElements(s, FAMILY_TYPE_NAMES).some(
          (e) => typeof e === 'string' && accepted.includes(e.toLowerCase()),
        ),
      );
    }
  }
  return filters;
}

/** The subjectIds of one source (whose subjects are given) matching the query. */
export function referenceMatches(query: QueryBuilder, subjects: SubjectDocument[], deps: ReferenceDeps): Set<string> {
  const active = referenceFilters(query, subjects, deps).filter((f) => f.active);
  const ids = new Set<string>();
  for (const s of subjects) {
    let ok = true;
    for (const f of active) {
      if (!f.test(s)) {
        ok = false;
        break;
      }
    }
    if (ok) {
      ids.add(s.subjectId);
    }
  }
  return ids;
}

/** The subject documents of one source matching the query, in the order given. */
export function referenceMatchingSubjects(
  query: QueryBuilder,
  subjects: SubjectDocument[],
  deps: ReferenceDeps,
): SubjectDocument[] {
  const ids = referenceMatches(query, subjects, deps);
  return subjects.filter((s) => ids.has(s.subjectId));
}

// ---- access levels and answers -------------------------------------------------------------------------------

/** The `range` bucket of a count: 0; 1–9; 10–49; 50–99; 100–499; 500–999; 1,000–4,999; … */
export function referenceRange(count: number): { min: number; max: number } {
  if (!Number.isInteger(count) || count < 0) {
    throw new Error(`not a count: ${count}`);
  }
  if (count === 0) {
    return { min: 0, max: 0 };
  }
  if (count < 10) {
    return { min: 1, max: 9 };
  }
  let p = 10;
  while (p * 10 <= count) {
    p *= 10;
  }
  if (count < 5 * p) {
    return { min: p, max: 5 * p - 1 };
  }
  return { min: 5 * p, max: 10 * p - 1 };
}

function rank(p: DiscoveryPolicy): number {
  const r = DISCOVERY_POLICIES.indexOf(p);
  if (r < 0) {
    throw new Error(`unknown discovery policy ${String(p)}`);
  }
  return r;
}

/** The level for one source: the highest policy over the groups holding user and source, lowered by the request. */
export function referenceLevel(groupPolicies: DiscoveryPolicy[], requested?: DiscoveryPolicy): DiscoveryPolicy {
  let level: DiscoveryPolicy = 'noAccess';
  for (const p of groupPolicies) {
    if (rank(p) > rank(level)) {
      level = p;
    }
  }
  if (requested !== undefined && rank(requested) < rank(level)) {
    level = requested;
  }
  return level;
}

export type ReferenceAnswer = Omit<QueryResponse, 'sourceId' | 'sourceName' | 'granularity'>;

function byId(a: SubjectDocument, b: SubjectDocument): number {
  return a.subjectId < b.subjectId ? -1 : a.subjectId > b.subjectId ? 1 : 0;
}

/** Only CV3's subject fields, copied. */
export function cv3Subject(s: SubjectDocument): SubjectDocument {
  const out: SubjectDocument = {
    subjectId: s.subjectId,
    HPO: structuredClone(s.HPO),
    ORDO: structuredClone(s.ORDO),
    SNOMED: structuredClone(s.SNOMED),
    NCIT: structuredClone(s.NCIT),
    ALLELES: structuredClone(s.ALLELES),
    VARIANT: structuredClone(s.VARIANT),
    EAV: structuredClone(s.EAV),
  } as SubjectDocument;
  if (s.dataFiles !== undefined) {
    out.dataFiles = structuredClone(s.dataFiles);
  }
  return out;
}

/** What a source answers at `level` for these matching subjects; null for noAccess (not answered). */
export function referenceAnswer(level: DiscoveryPolicy, matches: SubjectDocument[]): ReferenceAnswer | null {
  const sorted = [...matches].sort(byId);
  switch (level) {
    case 'noAccess':
      return null;
    case 'boolean':
      return { exist: sorted.length > 0 };
    case 'range':
      return { recordRange: referenceRange(sorted.length) };
    case 'count':
      return { recordCount: sorted.length };
    case 'list':
      return { resultDetails: { subjects: sorted.map((s) => ({ subjectId: s.subjectId })) } };
    case 'detailedList':
      return { resultDetails: { subjects: sorted.map(cv3Subject) } };
  }
}

export interface ReferenceSource {
  sourceId: string;
  subjects: SubjectDocument[];
}

/**
 * The whole query over several sources: for each source the query names (all when `query.sources` is absent)
 * and the user may see (`groupPolicies[sourceId]`: the discoveryPolicy of every group holding both user and
 * source), its level and answer. Sources not answered are absent from the map.
 */
export function referenceResponses(
  query: QueryBuilder,
  sources: ReferenceSource[],
  groupPolicies: Record<string, DiscoveryPolicy[]>,
  deps: ReferenceDeps,
): Map<string, ReferenceAnswer & { granularity: DiscoveryPolicy }> {
  const out = new Map<string, ReferenceAnswer & { granularity: DiscoveryPolicy }>();
  // A refused query is refused whatever the sources (throws RefusedQueryError).
  referenceFilters(query, [], deps);
  for (const source of sources) {
    if (query.sources !== undefined && !query.sources.includes(source.sourceId)) {
      continue;
    }
    const level = referenceLevel(groupPolicies[source.sourceId] ?? [], query.advanced?.granularity);
    const answer = referenceAnswer(level, referenceMatchingSubjects(query, source.subjects, deps));
    if (answer) {
      out.set(source.sourceId, { granularity: level, ...answer });
    }
  }
  return out;
}
