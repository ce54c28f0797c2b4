/*
 * `parseQueryBuilder`: a posted QueryBuilder (`POST /query/record/`, CV3 reference 5.1) → the normalised
 * QueryBuilder of query.types.ts, or a QueryInvalidError (400) whose message starts with the exact field path
 * (`hpo[0].terms[2]: "HP:12" is not an HPO term ID (HP:0000000 or 0000000)`).
 *
 * Decisions:
 * - Only the first problem is reported. In each object unknown keys are checked first, then the fields in a fixed
 *   order. Only own properties are read; a `__proto__` key (JSON.parse makes it an own key) is an unknown key.
 * - Unknown keys are refused at every level, naming the key (catches typos such as `hpos`). The root's path is `body`.
 * - `null` is a wrong type everywhere, never "absent". Absent families, `terms`, `alleles`, variant `genes` and
 *   `reactome` are empty lists; an empty filter is kept (inactive: "empty means any").
 * - CV3 spellings (reference 10.2): `variants` = `variant`, `useOrphaNet` = `useOrphanet`, `trio` = `trios`, and
 *   `matchScale` = `minimumMatch` (hpo, ordo and snomed filters) when it is an integer ≥ 1; a fractional matchScale
 *   (the docs example's 0.7) is refused. Sending both spellings is refused. Paths use the spelling sent.
 * - Term IDs go through ingestion's `normaliseTerm`, so query and stored data agree (it also takes the OBO/Orphanet
 *   URL forms and `HPO:`, `ORDO:`, `SCT:` prefixes); ORDO IDs are 1–10 digits. Duplicates after normalising are
 *   dropped keeping the first, and `minimumMatch` is checked against the distinct terms (with no terms it is only
 *   checked to be an integer ≥ 1).
 * - Gene symbols are kept as sent (case-sensitive); allele names are trimmed (as at ingestion), then 1–50 chars.
 *   Variant genes, pathways and mutation classes are de-duplicated.
 * - `maxAf` above 1 is refused with a hint (CV3's example uses 5, a percentage).
 * - Reactome: no pathway data here, so a non-empty `reactome` is refused in `checkReactomeSupported` (lift it there).
 * - EAV patterns: the JS/RE2 common subset is approximated by refusing look-around and back-references, checked
 *   textually outside escapes (so `[(?=]` and an octal-looking `[\1]` are refused too). String values have no limit
 *   beyond the body size.
 * - subject: parts meaning "not provided" (`gender: any`, a 0–100 range, `affectedOnly: false`, familyType all
 *   false) are dropped, and `subject` when nothing is left. min > max is reported on the range (`subject.age`).
 * - sources: `{sources: [...]}` or a plain array; IDs kept as sent, de-duplicated; an empty list (or an object
 *   without `sources`) means every source (absent), as "empty means any".
 * - advanced.requiredFilters: flags kept as sent (false included); `{}` when absent.
 */
import { combinationCount, MAX_MATCH_COMBINATIONS } from './compile';
import { normaliseTerm } from '@/modules/data/ingestion/remap';
import { MAX_INPUT_TERMS } from '@/modules/similarity/similarity.service';
import { QueryInvalidError } from '../query.errors';
import {
  type AgeRange,
  DISCOVERY_POLICIES,
  type DiscoveryPolicy,
  EAV_RELATIONS,
  type EavFilter,
  type EavRelation,
  GENDERS,
  type Gender,
  type GenesFilter,
  type HpoFilter,
  MUTATION_CLASSES,
  type MutationClass,
  type OrdoFilter,
  type QueryBuilder,
  type RequiredFilters,
  type SnomedFilter,
  type SubjectFilter,
  type VariantFilter,
} from '../query.types';

/** Filters per family (`hpo`, `ordo`, `snomed`, `genes`, `variant`). */
export const MAX_FILTERS = 20;
export const MAX_EAV_FILTERS = 50;
export const MAX_ALLELE_SPECS = 50;
export const MAX_VARIANT_GENES = 500;
export const MAX_REACTOME_PATHWAYS = 100;
export const MAX_SOURCES = 1000;
export const MAX_PATTERN_CHARS = 200;
export const MAX_ATTRIBUTE_CHARS = 200;

const GENE_RE = /^[A-Za-z0-9._@-]{1,50}$/;
const REACTOME_RE = /^R-[A-Z]{3}-\d+$/;
const MAX_ALLELE_CHARS = 50;
/** Entries of `mutation` (repeats allowed, then dropped). */
const MAX_MUTATIONS = 50;
const MAX_SOURCE_ID_CHARS = 100;
const MAX_AGE = 100;

type Obj = Record<string, unknown>;

/** The path of the body itself (its keys are named without a prefix). */
const ROOT = 'body';

// ---- generic readers (each takes the field path for its errors) ----------------------------------------------

function fail(field: string, message: string): never {
  throw new QueryInvalidError(field, message);
}

function typeName(v: unknown): string {
  if (v === null || v === undefined) {
    return v === null ? 'null' : 'nothing';
  }
  if (Array.isArray(v)) {
    return 'an array';
  }
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function expected(field: string, what: string, v: unknown): never {
  return fail(field, `expected ${what}, got ${typeName(v)}`);
}

/** A string for a message: quoted, cut at 60 chars. */
function show(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);
}

const key = (path: string, k: string) => (path ? `${path}.${k}` : k);

/** A plain object whose own keys are all in `allowed`. */
function object(v: unknown, field: string, allowed: readonly string[]): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    return expected(field, 'an object', v);
  }
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) {
      fail(key(field === ROOT ? '' : field, k), `unknown field (expected one of ${allowed.join(', ')})`);
    }
  }
  return v as Obj;
}

function own(o: Obj, k: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined;
}

/** The value under `name` or its CV3 spelling `alt` (not both), with the path of the key used. */
function aliased(o: Obj, path: string, name: string, alt: string): { field: string; value: unknown; alt: boolean } {
  const a = own(o, name);
  const b = own(o, alt);
  if (a !== undefined && b !== undefined) {
    fail(key(path, alt), `${alt} is another spelling of ${name}: send only one of them`);
  }
  return b === undefined
    ? { field: key(path, name), value: a, alt: false }
    : { field: key(path, alt), value: b, alt: true };
}

/** An array of at most `max` items (absent → []). */
function list(v: unknown, field: string, max: number, items: string): unknown[] {
  if (v === undefined) {
    return [];
  }
  if (!Array.isArray(v)) {
    return expected(field, `an array of ${items}`, v);
  }
  if (v.length > max) {
    fail(field, `at most ${max} ${items} (got ${v.length})`);
  }
  return v;
}

function bool(v: unknown, field: string, dflt = false): boolean {
  if (v === undefined) {
    return dflt;
  }
  return typeof v === 'boolean' ? v : expected(field, 'a boolean', v);
}

function string(v: unknown, field: string): string {
  return typeof v === 'string' ? v : expected(field, 'a string', v);
}

/** A finite number in [min, max] (absent → dflt). */
function number(v: unknown, field: string, min: number, max: number, dflt: number): number {
  if (v === undefined) {
    return dflt;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    return expected(field, `a number ${min}–${max}`, v);
  }
  if (v < min || v > max) {
    fail(field, `${v} is not in ${min}–${max}`);
  }
  return v;
}

/** An integer in [min, max] (absent → dflt). */
function integer(v: unknown, field: string, min: number, max: number, dflt: number): number {
  if (v === undefined) {
    return dflt;
  }
  const range = max === Infinity ? `≥ ${min}` : `${min}–${max}`;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    return expected(field, `an integer ${range}`, v);
  }
  if (!Number.isInteger(v) || v < min || v > max) {
    fail(field, `${v} is not an integer ${range}`);
  }
  return v;
}

function oneOf<T extends string>(v: unknown, field: string, values: readonly T[]): T {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
    const got = typeof v === 'string' ? show(v) : typeName(v);
    return fail(field, `expected one of ${values.join(', ')}, got ${got}`);
  }
  return v as T;
}

function distinct<T>(items: T[]): T[] {
  return [...new Set(items)];
}

/** Distinct strings, each passing `check` (which returns the normalised string or undefined) or refused with `what`. */
function strings(
  v: unknown,
  field: string,
  max: number,
  items: string,
  check: (s: string) => string | undefined,
  what: string,
): string[] {
  const out = list(v, field, max, items).map((item, i) => {
    const s = string(item, `${field}[${i}]`);
    return check(s) ?? fail(`${field}[${i}]`, `${show(s)} is not ${what}`);
  });
  return distinct(out);
}

// ---- term filters (hpo, ordo, snomed) ------------------------------------------------------------------------

type TermKind = 'hpo' | 'ordo' | 'snomed';

const TERM_RULES: Record<TermKind, { normalise: (s: string) => string | undefined; what: string }> = {
  hpo: { normalise: (s) => normaliseTerm('hpo', s), what: 'an HPO term ID (HP:0000000 or 0000000)' },
  ordo: {
    normalise: (s) => {
      const id = normaliseTerm('ordo', s);
      return id && id.length <= 10 ? id : undefined;
    },
    what: 'an ORDO term ID (ORPHA:123 or 123, at most 10 digits)',
  },
  snomed: {
    normalise: (s) => normaliseTerm('snomed', s),
    what: 'a SNOMED CT concept ID (SNOMEDCT:123456 or 123456, 6–18 digits)',
  },
};

/** `terms` and `minimumMatch` (or `matchScale`) of a term filter. */
function termsAndMatch(o: Obj, path: string, kind: TermKind): { terms: string[]; minimumMatch: number } {
  const { normalise, what } = TERM_RULES[kind];
  const terms = strings(own(o, 'terms'), key(path, 'terms'), MAX_INPUT_TERMS, 'terms', normalise, what);
  const m = aliased(o, path, 'minimumMatch', 'matchScale');
  if (m.alt && m.value !== undefined && !(typeof m.value === 'number' && Number.isInteger(m.value) && m.value >= 1)) {
    fail(
      m.field,
      'matchScale is read as minimumMatch and must be an integer ≥ 1 (a fractional matchScale is not supported; use similarity)',
    );
  }
  const minimumMatch = integer(m.value, m.field, 1, Infinity, 1);
  if (terms.length > 0 && minimumMatch > terms.length) {
    fail(m.field, `${minimumMatch} is more than the number of distinct terms (${terms.length})`);
  }
  if (combinationCount(terms.length, minimumMatch) > MAX_MATCH_COMBINATIONS) {
    fail(
      m.field,
      `${minimumMatch} of ${terms.length} terms gives more than ${MAX_MATCH_COMBINATIONS} combinations of terms to ` +
        'test; use fewer terms or a minimumMatch nearer 1 or the number of terms',
    );
  }
  return { terms, minimumMatch };
}

const HPO_KEYS = ['terms', 'similarity', 'minimumMatch', 'matchScale', 'useOrphanet', 'useOrphaNet'];
const ORDO_KEYS = ['terms', 'similarity', 'minimumMatch', 'matchScale', 'useHPO'];
const SNOMED_KEYS = ['terms', 'minimumMatch', 'matchScale'];

function hpoFilter(v: unknown, path: string): HpoFilter {
  const o = object(v, path, HPO_KEYS);
  const { terms, minimumMatch } = termsAndMatch(o, path, 'hpo');
  const similarity = number(own(o, 'similarity'), key(path, 'similarity'), 0, 1, 1);
  const orphanet = aliased(o, path, 'useOrphanet', 'useOrphaNet');
  return { terms, similarity, minimumMatch, useOrphanet: bool(orphanet.value, orphanet.field) };
}

function ordoFilter(v: unknown, path: string): OrdoFilter {
  const o = object(v, path, ORDO_KEYS);
  const { terms, minimumMatch } = termsAndMatch(o, path, 'ordo');
  if (number(own(o, 'similarity'), key(path, 'similarity'), 0, 1, 1) < 1) {
    fail(key(path, 'similarity'), 'no ORDO ontology at this installation; use 1');
  }
  return { terms, similarity: 1, minimumMatch, useHPO: bool(own(o, 'useHPO'), key(path, 'useHPO')) };
}

function snomedFilter(v: unknown, path: string): SnomedFilter {
  return termsAndMatch(object(v, path, SNOMED_KEYS), path, 'snomed');
}

// ---- genes (alleles) and variant -----------------------------------------------------------------------------

const GENE_WHAT = 'a gene symbol (letters, digits, -, _, ., @; 1–50 chars)';
const gene = (s: string) => (GENE_RE.test(s) ? s : undefined);

function genesFilter(v: unknown, path: string): GenesFilter {
  const o = object(v, path, ['alleles']);
  const specs = list(own(o, 'alleles'), key(path, 'alleles'), MAX_ALLELE_SPECS, 'allele specs');
  return {
    alleles: specs.map((s, i) => {
      const at = `${path}.alleles[${i}]`;
      const spec = object(s, at, ['gene', 'alleles']);
      const g = string(own(spec, 'gene'), key(at, 'gene'));
      if (!gene(g)) {
        fail(key(at, 'gene'), `${show(g)} is not ${GENE_WHAT}`);
      }
      const alleles = list(own(spec, 'alleles'), key(at, 'alleles'), 2, 'alleles').map((a, j) => {
        const name = string(a, `${at}.alleles[${j}]`).trim();
        if (name.length === 0 || name.length > MAX_ALLELE_CHARS) {
          fail(`${at}.alleles[${j}]`, `an allele name has 1–${MAX_ALLELE_CHARS} characters`);
        }
        return name;
      });
      if (alleles.length === 0) {
        fail(key(at, 'alleles'), 'expected one allele (carrier) or two (genotype)');
      }
      return { gene: g, alleles };
    }),
  };
}

/** Reactome pathways need pathway data this installation does not have (see docs/query-semantics.md). */
function checkReactomeSupported(reactome: string[], field: string): void {
  if (reactome.length > 0) {
    fail(field, 'Reactome pathway data is not available at this installation');
  }
}

function variantFilter(v: unknown, path: string): VariantFilter {
  const o = object(v, path, ['genes', 'reactome', 'mutation', 'maxAf', 'useLocalAf']);
  const genes = strings(own(o, 'genes'), key(path, 'genes'), MAX_VARIANT_GENES, 'genes', gene, GENE_WHAT);
  const reactome = strings(
    own(o, 'reactome'),
    key(path, 'reactome'),
    MAX_REACTOME_PATHWAYS,
    'pathways',
    (s) => (REACTOME_RE.test(s) ? s : undefined),
    'a Reactome pathway ID (R-HSA-123456)',
  );
  const mutationField = key(path, 'mutation');
  const rawMutation = own(o, 'mutation');
  if (rawMutation === undefined) {
    fail(mutationField, `required: a list of mutation classes (${MUTATION_CLASSES.join(', ')})`);
  }
  const mutation = distinct(
    list(rawMutation, mutationField, MAX_MUTATIONS, 'mutation classes').map((m, i): MutationClass =>
      oneOf(m, `${mutationField}[${i}]`, MUTATION_CLASSES),
    ),
  );
  if (mutation.length === 0) {
    fail(mutationField, 'at least one mutation class is required');
  }
  const maxAfField = key(path, 'maxAf');
  const rawAf = own(o, 'maxAf');
  if (typeof rawAf === 'number' && rawAf > 1) {
    fail(maxAfField, `${rawAf} is above 1: maxAf is a fraction 0–1 (e.g. 0.05 for 5%)`);
  }
  const maxAf = number(rawAf, maxAfField, 0, 1, 1);
  const useLocalAf = bool(own(o, 'useLocalAf'), key(path, 'useLocalAf'));
  if (genes.length === 0 && reactome.length === 0) {
    fail(key(path, 'genes'), 'a variant filter needs at least one gene (or Reactome pathway)');
  }
  checkReactomeSupported(reactome, key(path, 'reactome'));
  return { genes, reactome, mutation, maxAf, useLocalAf };
}

// ---- eav -----------------------------------------------------------------------------------------------------

/** Why a pattern is outside the JS/RE2 common subset we accept (checked outside escapes), or undefined. */
function unsupportedPattern(p: string): string | undefined {
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '\\') {
      const next = p[i + 1] ?? '';
      if ((next >= '1' && next <= '9') || (next === 'k' && p[i + 2] === '<')) {
        return 'back-references (\\1 … \\9, \\k<name>) are not supported';
      }
      i++;
    } else if (p[i] === '(' && /^\(\?<?[=!]/.test(p.slice(i, i + 4))) {
      return 'look-around ((?=, (?!, (?<=, (?<!) is not supported';
    }
  }
  return undefined;
}

function pattern(v: unknown, field: string): string {
  const p = string(v, field);
  if (p.length > MAX_PATTERN_CHARS) {
    fail(field, `a pattern has at most ${MAX_PATTERN_CHARS} characters (got ${p.length})`);
  }
  try {
    new RegExp(p, 'i');
  } catch (err) {
    fail(field, `${show(p)} is not a valid regular expression (${(err as Error).message})`);
  }
  const why = unsupportedPattern(p);
  if (why) {
    fail(field, why);
  }
  return p;
}

function eavValue(relation: EavRelation, v: unknown, field: string): string | number | boolean {
  switch (relation) {
    case 'stringIs':
    case 'stringIsNot':
      return typeof v === 'string' || typeof v === 'boolean'
        ? v
        : expected(field, `a string or boolean for ${relation}`, v);
    case 'regexContains':
    case 'regexDoesNotContain':
      return pattern(v, field);
    case 'numericEquals':
    case 'numericNotEquals':
    case 'numericGreaterThan':
    case 'numericLessThan':
    case 'numericGreaterThanOrEqual':
    case 'numericLessThanOrEqual':
      return typeof v === 'number' && Number.isFinite(v) ? v : expected(field, `a number for ${relation}`, v);
  }
}

/** EAV attribute names as at ingestion (remap `eavKey`): `.` → `_`, a leading `$` → `_`. */
function attributeName(v: unknown, field: string): string {
  const name = string(v, field).trim();
  if (name.length === 0 || name.length > MAX_ATTRIBUTE_CHARS) {
    fail(field, `an attribute name has 1–${MAX_ATTRIBUTE_CHARS} characters`);
  }
  return name.replace(/\./g, '_').replace(/^\$/, '_');
}

function eavFilter(v: unknown, path: string): EavFilter {
  const o = object(v, path, ['attribute', 'relation', 'value']);
  const attribute = attributeName(own(o, 'attribute'), key(path, 'attribute'));
  const relation = oneOf(own(o, 'relation'), key(path, 'relation'), EAV_RELATIONS);
  return { attribute, relation, value: eavValue(relation, own(o, 'value'), key(path, 'value')) };
}

// ---- subject -------------------------------------------------------------------------------------------------

/** An age range; undefined when it is the full 0–100 ("not provided"). */
function ageRange(v: unknown, field: string): AgeRange | undefined {
  if (v === undefined) {
    return undefined;
  }
  const o = object(v, field, ['min', 'max']);
  const min = integer(own(o, 'min'), key(field, 'min'), 0, MAX_AGE, 0);
  const max = integer(own(o, 'max'), key(field, 'max'), 0, MAX_AGE, MAX_AGE);
  if (min > max) {
    fail(field, `min ${min} is above max ${max}`);
  }
  return min === 0 && max === MAX_AGE ? undefined : { min, max };
}

function subjectFilter(v: unknown, path: string): SubjectFilter | undefined {
  if (v === undefined) {
    return undefined;
  }
  const o = object(v, path, ['gender', 'age', 'ageFirstDiagnosis', 'ageFirstSymptoms', 'affectedOnly', 'familyType']);
  const out: SubjectFilter = {};
  const rawGender = own(o, 'gender');
  const gender = rawGender === undefined ? 'any' : oneOf<Gender>(rawGender, key(path, 'gender'), GENDERS);
  if (gender !== 'any') {
    out.gender = gender;
  }
  for (const part of ['age', 'ageFirstDiagnosis', 'ageFirstSymptoms'] as const) {
    const range = ageRange(own(o, part), key(path, part));
    if (range) {
      out[part] = range;
    }
  }
  if (bool(own(o, 'affectedOnly'), key(path, 'affectedOnly'))) {
    out.affectedOnly = true;
  }
  const rawFamily = own(o, 'familyType');
  if (rawFamily !== undefined) {
    const at = key(path, 'familyType');
    const f = object(rawFamily, at, ['singletons', 'trios', 'trio', 'family']);
    const trios = aliased(f, at, 'trios', 'trio');
    const familyType = {
      singletons: bool(own(f, 'singletons'), key(at, 'singletons')),
      trios: bool(trios.value, trios.field),
      family: bool(own(f, 'family'), key(at, 'family')),
    };
    if (familyType.singletons || familyType.trios || familyType.family) {
      out.familyType = familyType;
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

// ---- sources and advanced ------------------------------------------------------------------------------------

function sourceIds(v: unknown, path: string): string[] | undefined {
  if (v === undefined) {
    return undefined;
  }
  let field = path;
  let raw: unknown = v;
  if (!Array.isArray(v)) {
    field = key(path, 'sources');
    raw = own(object(v, path, ['sources']), 'sources');
  }
  const ids = strings(
    raw,
    field,
    MAX_SOURCES,
    'source IDs',
    (s) => (s.length > 0 && s.length <= MAX_SOURCE_ID_CHARS ? s : undefined),
    `a source ID (1–${MAX_SOURCE_ID_CHARS} characters)`,
  );
  return ids.length > 0 ? ids : undefined;
}

const CAPABILITY_KEYS = ['subject', 'genes', 'hpo', 'ordo', 'snomed', 'variant', 'source', 'eav'] as const;
const SUBJECT_CAPABILITY_KEYS = ['age', 'gender', 'familyType', 'affected'] as const;

function requiredFilters(v: unknown, path: string): RequiredFilters {
  if (v === undefined) {
    return {};
  }
  const o = object(v, path, [...CAPABILITY_KEYS, 'subjectCapability']);
  const out: RequiredFilters = {};
  for (const k of CAPABILITY_KEYS) {
    const flag = own(o, k);
    if (flag !== undefined) {
      out[k] = bool(flag, key(path, k));
    }
  }
  const rawSubject = own(o, 'subjectCapability');
  if (rawSubject !== undefined) {
    const at = key(path, 'subjectCapability');
    const s = object(rawSubject, at, SUBJECT_CAPABILITY_KEYS);
    const subjectCapability: RequiredFilters['subjectCapability'] = {};
    for (const k of SUBJECT_CAPABILITY_KEYS) {
      const flag = own(s, k);
      if (flag !== undefined) {
        subjectCapability[k] = bool(flag, key(at, k));
      }
    }
    out.subjectCapability = subjectCapability;
  }
  return out;
}

function advanced(v: unknown, path: string): QueryBuilder['advanced'] {
  if (v === undefined) {
    return { requiredFilters: {} };
  }
  const o = object(v, path, ['granularity', 'requiredFilters']);
  const rawGranularity = own(o, 'granularity');
  const out: QueryBuilder['advanced'] = {
    requiredFilters: requiredFilters(own(o, 'requiredFilters'), key(path, 'requiredFilters')),
  };
  if (rawGranularity !== undefined) {
    out.granularity = oneOf<DiscoveryPolicy>(rawGranularity, key(path, 'granularity'), DISCOVERY_POLICIES);
  }
  return out;
}

// ---- the QueryBuilder ----------------------------------------------------------------------------------------

const TOP_KEYS = ['subject', 'hpo', 'ordo', 'snomed', 'genes', 'variant', 'variants', 'eav', 'sources', 'advanced'];

/** The filters of one family, each parsed by `parse` with its path (`hpo[3]`). */
function family<T>(v: unknown, field: string, max: number, parse: (item: unknown, path: string) => T): T[] {
  return list(v, field, max, 'filters').map((item, i) => parse(item, `${field}[${i}]`));
}

/** Validates a posted QueryBuilder and returns it normalised; throws QueryInvalidError naming the first bad field. */
export function parseQueryBuilder(raw: unknown): QueryBuilder {
  const o = object(raw, ROOT, TOP_KEYS);
  const subject = subjectFilter(own(o, 'subject'), 'subject');
  const variant = aliased(o, '', 'variant', 'variants');
  const sources = sourceIds(own(o, 'sources'), 'sources');
  const out: QueryBuilder = {
    hpo: family(own(o, 'hpo'), 'hpo', MAX_FILTERS, hpoFilter),
    ordo: family(own(o, 'ordo'), 'ordo', MAX_FILTERS, ordoFilter),
    snomed: family(own(o, 'snomed'), 'snomed', MAX_FILTERS, snomedFilter),
    genes: family(own(o, 'genes'), 'genes', MAX_FILTERS, genesFilter),
    variant: family(variant.value, variant.field, MAX_FILTERS, variantFilter),
    eav: family(own(o, 'eav'), 'eav', MAX_EAV_FILTERS, eavFilter),
    advanced: advanced(own(o, 'advanced'), 'advanced'),
  };
  if (subject) {
    out.subject = subject;
  }
  if (sources) {
    out.sources = sources;
  }
  return out;
}
