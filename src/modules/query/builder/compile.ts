/*
 * QueryBuilder → one MongoDB filter per source: a pure function of the (validated, normalised) query, what the
 * source holds (its capability and attribute names) and the term expansions the similarity module gave. The
 * semantics are written out in docs/query-semantics.md; the reference evaluator in test/query-reference
 * implements them independently and a property test compares the two.
 *
 * Every operator used works on MongoDB and on FerretDB (no `$expr`, no `$elemMatch` with field conditions: the
 * variant and allele filters use the derived keys of data/subjects/query-keys.ts).
 */
import type { Capability } from '@/modules/data/data.types';
import {
  ALLELE_KEYS_FIELD,
  alleleKey,
  VARIANT_AF_FIELD,
  VARIANT_KEYS_FIELD,
  variantKey,
} from '@/modules/data/subjects/query-keys';
import type {
  AgeRange,
  EavFilter,
  GenesFilter,
  QueryBuilder,
  RequiredFilters,
  SubjectFilter,
  VariantFilter,
} from '../query.types';
import { mutationValues } from './mutations';

export type MongoFilter = Record<string, unknown>;

/** Matches no document (a required filter whose data the source lacks). */
export const MATCH_NOTHING: MongoFilter = Object.freeze({ _id: { $in: [] } });

/** At most this many combinations for one term filter's `minimumMatch` (the `$or` of `termFilterClause`; parse refuses more). */
export const MAX_MATCH_COMBINATIONS = 500;

/** What the compiler needs to know of one source. */
export interface SourceQueryContext {
  capability: Capability;
  /** The EAV attribute names its subjects hold (the record index's `eavIndex.attributes` keys). */
  attributes: readonly string[];
  /**
   * For `variant` filters with `useLocalAf` and `maxAf` < 1: the fraction of the source's subjects holding each
   * variant key (`variantKey(gene, mutation)`) the query names. Keys absent here are held by no subject.
   */
  localAf?: ReadonlyMap<string, number>;
}

/** Per original term of a term filter: the group of IDs that count as a hit on it. */
export interface TermGroups {
  /** HPO (for `hpo`) or ORDO (for `ordo`) IDs, the term itself first. */
  own: string[];
  /** IDs of the other vocabulary that also count (`useOrphanet`: ORDO; `useHPO`: HPO); empty when not asked. */
  mapped: string[];
}

/** The expansion of every term filter, indexed like the query: `hpo[i][j]` is term j of `query.hpo[i]`. */
export interface Expansions {
  hpo: TermGroups[][];
  ordo: TermGroups[][];
}

/** The groups without expansion: each term alone (similarity 1, no mapping). */
export function exactExpansions(query: QueryBuilder): Expansions {
  const exact = (terms: string[]): TermGroups[] => terms.map((t) => ({ own: [t], mapped: [] }));
  return { hpo: query.hpo.map((f) => exact(f.terms)), ordo: query.ordo.map((f) => exact(f.terms)) };
}

/** Number of m-element subsets of n (capped just above the limit, so it never overflows). */
export function combinationCount(n: number, m: number): number {
  let c = 1;
  for (let i = 1; i <= m; i++) {
    c = (c * (n - m + i)) / i;
    if (c > MAX_MATCH_COMBINATIONS) {
      return MAX_MATCH_COMBINATIONS + 1;
    }
  }
  return Math.round(c);
}

// ---- demographics --------------------------------------------------------------------------------------------

type SubjectPart = keyof SubjectFilter;

/** The normalised EAV attribute names backing each demographic part, and the capability flag that requires it. */
export const DEMOGRAPHIC_ATTRIBUTES: Record<
  SubjectPart,
  { names: readonly string[]; capability: keyof Capability['subjectCapability'] }
> = {
  gender: { names: ['gender', 'sex'], capability: 'gender' },
  age: { names: ['age'], capability: 'age' },
  ageFirstDiagnosis: { names: ['agefirstdiagnosis', 'ageatdiagnosis', 'ageofdiagnosis'], capability: 'age' },
  ageFirstSymptoms: {
    names: ['agefirstsymptoms', 'ageatonset', 'ageofonset', 'ageatfirstsymptoms'],
    capability: 'age',
  },
  affectedOnly: { names: ['affected'], capability: 'affected' },
  familyType: { names: ['familytype'], capability: 'familyType' },
};

export function normaliseAttributeName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function eavPath(attribute: string): string {
  return `EAV.${attribute}`;
}

function anyOf(clauses: MongoFilter[]): MongoFilter {
  return clauses.length === 1 ? clauses[0] : { $or: clauses };
}

function allOf(clauses: MongoFilter[]): MongoFilter {
  if (clauses.length === 0) {
    return {};
  }
  return clauses.length === 1 ? clauses[0] : { $and: clauses };
}

function rangeClause(path: string, range: AgeRange): MongoFilter {
  return { [path]: { $gte: range.min, $lte: range.max } };
}

/** The clause of one demographic part on one backing attribute. */
function demographicClause(part: SubjectPart, path: string, subject: SubjectFilter): MongoFilter {
  switch (part) {
    case 'gender':
      return {
        [path]: { $regex: subject.gender === 'male' ? '^(m|male)$' : '^(f|female)$', $options: 'i' },
      };
    case 'age':
    case 'ageFirstDiagnosis':
    case 'ageFirstSymptoms':
      return rangeClause(path, subject[part] as AgeRange);
    case 'affectedOnly':
      return {
        $or: [{ [path]: true }, { [path]: 1 }, { [path]: { $regex: '^(true|yes|y|affected)$', $options: 'i' } }],
      };
    case 'familyType': {
      const t = subject.familyType!;
      const alternatives = [
        ...(t.singletons ? ['singletons?'] : []),
        ...(t.trios ? ['trios?'] : []),
        ...(t.family ? ['family', 'families'] : []),
      ];
      return { [path]: { $regex: `^(${alternatives.join('|')})$`, $options: 'i' } };
    }
  }
}

/** Is this part of the subject filter provided (parse already drops the "not provided" forms)? */
function provided(part: SubjectPart, subject: SubjectFilter): boolean {
  switch (part) {
    case 'gender':
      return subject.gender === 'male' || subject.gender === 'female';
    case 'affectedOnly':
      return subject.affectedOnly === true;
    case 'familyType':
      return !!subject.familyType && Object.values(subject.familyType).some(Boolean);
    case 'age':
    case 'ageFirstDiagnosis':
    case 'ageFirstSymptoms': {
      const r = subject[part];
      return !!r && !(r.min <= 0 && r.max >= 100);
    }
  }
}

function subjectClauses(subject: SubjectFilter, ctx: SourceQueryContext, required: RequiredFilters): MongoFilter[] {
  const out: MongoFilter[] = [];
  for (const part of Object.keys(DEMOGRAPHIC_ATTRIBUTES) as SubjectPart[]) {
    if (!provided(part, subject)) {
      continue;
    }
    const { names, capability } = DEMOGRAPHIC_ATTRIBUTES[part];
    const backing = ctx.attributes.filter((a) => names.includes(normaliseAttributeName(a)));
    if (backing.length === 0) {
      if (required.subject || required.subjectCapability?.[capability]) {
        out.push(MATCH_NOTHING);
      }
      continue;
    }
    out.push(anyOf(backing.map((a) => demographicClause(part, eavPath(a), subject))));
  }
  return out;
}

// ---- term filters --------------------------------------------------------------------------------------------

function groupHit(field: string, mappedField: string, g: TermGroups): MongoFilter {
  const own = { [field]: { $in: g.own } };
  return g.mapped.length > 0 ? { $or: [own, { [mappedField]: { $in: g.mapped } }] } : own;
}

/** Every m-element subset of 0..n-1, in lexicographic order. */
function* subsets(n: number, m: number): Generator<number[]> {
  const idx = Array.from({ length: m }, (_, i) => i);
  while (true) {
    yield [...idx];
    let i = m - 1;
    while (i >= 0 && idx[i] === n - m + i) {
      i--;
    }
    if (i < 0) {
      return;
    }
    idx[i]++;
    for (let j = i + 1; j < m; j++) {
      idx[j] = idx[j - 1] + 1;
    }
  }
}

/**
 * At least `minimumMatch` of the groups hit. One: a single `$in` over every member. All: `$and` of the groups.
 * Otherwise an `$or` over every choice of `minimumMatch` groups (bounded by MAX_MATCH_COMBINATIONS, which parse
 * enforces), since neither server can count matches per document in a find filter on FerretDB.
 */
function termFilterClause(field: string, mappedField: string, groups: TermGroups[], minimumMatch: number): MongoFilter {
  const m = Math.max(1, Math.min(minimumMatch, groups.length));
  if (m === 1) {
    const own = [...new Set(groups.flatMap((g) => g.own))];
    const mapped = [...new Set(groups.flatMap((g) => g.mapped))];
    return groupHit(field, mappedField, { own, mapped });
  }
  const hits = groups.map((g) => groupHit(field, mappedField, g));
  if (m === groups.length) {
    return { $and: hits };
  }
  return { $or: [...subsets(groups.length, m)].map((s) => ({ $and: s.map((i) => hits[i]) })) };
}

// ---- genes, variants, EAV ------------------------------------------------------------------------------------

function allelesClause(filter: GenesFilter): MongoFilter {
  return { [ALLELE_KEYS_FIELD]: { $in: [...new Set(filter.alleles.map((a) => alleleKey(a.gene, a.alleles)))] } };
}

function variantClause(filter: VariantFilter, ctx: SourceQueryContext): MongoFilter {
  const mutations = mutationValues(filter.mutation);
  const keys = filter.genes.flatMap((g) => mutations.map((m) => variantKey(g, m)));
  if (filter.maxAf >= 1) {
    return { [VARIANT_KEYS_FIELD]: { $in: keys } };
  }
  if (filter.useLocalAf) {
    const local = ctx.localAf ?? new Map<string, number>();
    const allowed = keys.filter((k) => local.has(k) && local.get(k)! <= filter.maxAf);
    return allowed.length > 0 ? { [VARIANT_KEYS_FIELD]: { $in: allowed } } : MATCH_NOTHING;
  }
  // The key list narrows by index first; the af of the very key is then checked.
  return {
    $and: [
      { [VARIANT_KEYS_FIELD]: { $in: keys } },
      { $or: keys.map((k) => ({ [`${VARIANT_AF_FIELD}.${k}`]: { $lte: filter.maxAf } })) },
    ],
  };
}

function eavClause(filter: EavFilter): MongoFilter {
  const path = eavPath(filter.attribute);
  const v = filter.value;
  switch (filter.relation) {
    case 'stringIs':
    case 'numericEquals':
      return { [path]: v };
    case 'stringIsNot':
      return { [path]: { $type: typeof v === 'boolean' ? 'bool' : 'string', $ne: v } };
    case 'regexContains':
      return { [path]: { $regex: String(v), $options: 'i' } };
    case 'regexDoesNotContain':
      return { [path]: { $type: 'string', $not: new RegExp(String(v), 'i') } };
    case 'numericNotEquals':
      return { [path]: { $type: 'number', $ne: v } };
    case 'numericGreaterThan':
      return { [path]: { $gt: v } };
    case 'numericLessThan':
      return { [path]: { $lt: v } };
    case 'numericGreaterThanOrEqual':
      return { [path]: { $gte: v } };
    case 'numericLessThanOrEqual':
      return { [path]: { $lte: v } };
  }
}

// ---- the query -----------------------------------------------------------------------------------------------

/**
 * The filter selecting the subjects of one source that match `query` (`{}`: every subject). Filters the source
 * has no data for are dropped (soft match) unless `advanced.requiredFilters` flags their family.
 */
export function compileForSource(query: QueryBuilder, ctx: SourceQueryContext, exp: Expansions): MongoFilter {
  const cap = ctx.capability;
  const required = query.advanced.requiredFilters;
  const clauses: MongoFilter[] = [];
  /** A filter whose data is absent: dropped, or (required) nothing matches. */
  const absent = (flag: boolean | undefined) => {
    if (flag) {
      clauses.push(MATCH_NOTHING);
    }
  };

  if (query.subject) {
    clauses.push(...subjectClauses(query.subject, ctx, required));
  }
  query.hpo.forEach((f, i) => {
    if (f.terms.length === 0) {
      return;
    }
    if (!(cap.hpo || (f.useOrphanet && cap.ordo))) {
      return absent(required.hpo);
    }
    clauses.push(termFilterClause('HPO', 'ORDO', exp.hpo[i], f.minimumMatch));
  });
  query.ordo.forEach((f, i) => {
    if (f.terms.length === 0) {
      return;
    }
    if (!(cap.ordo || (f.useHPO && cap.hpo))) {
      return absent(required.ordo);
    }
    clauses.push(termFilterClause('ORDO', 'HPO', exp.ordo[i], f.minimumMatch));
  });
  for (const f of query.snomed) {
    if (f.terms.length === 0) {
      continue;
    }
    if (!cap.snomed) {
      absent(required.snomed);
      continue;
    }
    const groups = f.terms.map((t) => ({ own: [t], mapped: [] }));
    clauses.push(termFilterClause('SNOMED', 'SNOMED', groups, f.minimumMatch));
  }
  for (const f of query.genes) {
    if (f.alleles.length === 0) {
      continue;
    }
    if (!cap.genes) {
      absent(required.genes);
      continue;
    }
    clauses.push(allelesClause(f));
  }
  for (const f of query.variant) {
    if (!cap.variant) {
      absent(required.variant);
      continue;
    }
    clauses.push(variantClause(f, ctx));
  }
  for (const f of query.eav) {
    if (!ctx.attributes.includes(f.attribute)) {
      absent(required.eav);
      continue;
    }
    clauses.push(eavClause(f));
  }
  return allOf(clauses);
}

/** The variant keys whose local frequency a query needs (variant filters with `useLocalAf` and `maxAf` < 1). */
export function localAfKeys(query: QueryBuilder): string[] {
  const keys = new Set<string>();
  for (const f of query.variant) {
    if (f.useLocalAf && f.maxAf < 1) {
      const mutations = mutationValues(f.mutation);
      for (const g of f.genes) {
        for (const m of mutations) {
          keys.add(variantKey(g, m));
        }
      }
    }
  }
  return [...keys];
}
