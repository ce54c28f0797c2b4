/*
 * Random *normalised* QueryBuilders (as parseQueryBuilder returns them) over a fixture: 0–3 filters of random
 * families, terms mostly taken from the fixture so that answers are often non-empty. Never generates what the
 * specification refuses (reactome, ORDO similarity < 1, unsafe patterns) nor relation/value type mismatches;
 * value vs stored-type mismatches (e.g. stringIs '42' on a numeric attribute) are generated on purpose.
 */
import {
  DISCOVERY_POLICIES,
  EAV_RELATIONS,
  MUTATION_CLASSES,
  type AgeRange,
  type EavFilter,
  type EavRelation,
  type GenesFilter,
  type HpoFilter,
  type OrdoFilter,
  type QueryBuilder,
  queryBuilder,
  type RequiredFilters,
  type SnomedFilter,
  type SubjectFilter,
  type VariantFilter,
} from '@/modules/query/query.types';
import { chance, distinct, int, pick, type FixtureInfo, type Rng } from './fixture';

export interface RandomQueryOptions {
  /** Also generate hpo[].useOrphanet and ordo[].useHPO (the caller's deps must map HPO ↔ ORDO). */
  withOrphanetMapping?: boolean;
}

/** Patterns valid in both JavaScript and RE2. */
export const SAFE_PATTERNS = [
  '^m',
  'ale$',
  'a|b',
  '[0-9]+',
  'fem',
  '^(trio|singleton)',
  'LEEDS',
  '^.$',
  'es$',
  'x',
  '^[a-z]+$',
  'o{2}',
  '^y',
  'r.re',
];

const SIMILARITIES = [1, 1, 0.9, 0.6, 0.4, 0.2];
const MAX_AFS = [1, 1, 1, 0.5, 0.1, 0.05, 0.01, 0.001, 0];
const FAMILIES = ['hpo', 'ordo', 'snomed', 'genes', 'variant', 'eav', 'eav', 'subject', 'subject'] as const;
type Family = (typeof FAMILIES)[number];

/** Terms for a term filter: mostly present ones, now and then an absent one. */
function terms(rng: Rng, present: string[], absent: string[], max: number): string[] {
  const out: string[] = [];
  const n = int(rng, 1, max);
  for (let tries = 0; out.length < n && tries < 50; tries++) {
    const t = chance(rng, 0.88) || absent.length === 0 ? pick(rng, present) : pick(rng, absent);
    if (t !== undefined && !out.includes(t)) {
      out.push(t);
    }
  }
  return out;
}

function minimumMatch(rng: Rng, n: number): number {
  return chance(rng, 0.6) ? 1 : int(rng, 1, n);
}

function hpoFilter(rng: Rng, info: FixtureInfo, opts: RandomQueryOptions): HpoFilter {
  const t = terms(rng, info.hpoTerms, info.absentHpoTerms, 3);
  return {
    terms: t,
    similarity: pick(rng, SIMILARITIES),
    minimumMatch: minimumMatch(rng, t.length),
    useOrphanet: opts.withOrphanetMapping === true && chance(rng, 0.35),
  };
}

function ordoFilter(rng: Rng, info: FixtureInfo, opts: RandomQueryOptions): OrdoFilter {
  const t = terms(rng, info.ordoTerms, info.absentOrdoTerms, 2);
  return {
    terms: t,
    similarity: 1,
    minimumMatch: minimumMatch(rng, t.length),
    useHPO: opts.withOrphanetMapping === true && chance(rng, 0.35),
  };
}

function snomedFilter(rng: Rng, info: FixtureInfo): SnomedFilter {
  const t = terms(rng, info.snomedTerms, info.absentSnomedTerms, 2);
  return { terms: t, minimumMatch: minimumMatch(rng, t.length) };
}

function genesFilter(rng: Rng, info: FixtureInfo): GenesFilter {
  const alleleGenes = Object.keys(info.alleles);
  const specs: GenesFilter['alleles'] = [];
  const n = int(rng, 1, 2);
  for (let i = 0; i < n; i++) {
    const r = rng();
    if (r < 0.85 && alleleGenes.length > 0) {
      const gene = pick(rng, alleleGenes);
      const pool = info.alleles[gene];
      specs.push({ gene, alleles: chance(rng, 0.5) ? [pick(rng, pool)] : [pick(rng, pool), pick(rng, pool)] });
    } else if (r < 0.93) {
      // The lower-cased symbol (genes are case-sensitive): matches nothing.
      specs.push({ gene: 'apoe', alleles: ['e4'] });
    } else {
      // A gene with VARIANT entries only: matches nothing.
      specs.push({ gene: pick(rng, info.variantGenes.length > 0 ? info.variantGenes : ['BRCA1']), alleles: ['e4'] });
    }
  }
  return { alleles: specs };
}

function variantFilter(rng: Rng, info: FixtureInfo): VariantFilter {
  const genes = terms(rng, info.variantGenes, ['brca1', 'NOTAGENE'], 3);
  return {
    genes,
    reactome: [],
    mutation: distinct(rng, MUTATION_CLASSES, int(rng, 1, 3), false),
    maxAf: pick(rng, MAX_AFS),
    useLocalAf: chance(rng, 0.3),
  };
}

const NUMERIC_RELATIONS: EavRelation[] = EAV_RELATIONS.filter((r) => r.startsWith('numeric'));
const STRING_RELATIONS: EavRelation[] = EAV_RELATIONS.filter((r) => !r.startsWith('numeric'));

/** How a query may spell a stored attribute: as stored, or as the column was named before ingestion. */
function attributeSpelling(rng: Rng, stored: string): string {
  if (stored === 'lab_result' && chance(rng, 0.5)) {
    return 'lab.result';
  }
  if (stored === '_score' && chance(rng, 0.5)) {
    return '$score';
  }
  return stored;
}

function eavFilter(rng: Rng, info: FixtureInfo): EavFilter {
  const names = Object.keys(info.attributes);
  if (names.length === 0 || chance(rng, 0.05)) {
    return { attribute: 'no_such_attribute', relation: 'stringIs', value: 'x' };
  }
  const stored = pick(rng, names);
  const attribute = attributeSpelling(rng, stored);
  const values = info.attributes[stored];
  // Mostly a relation fitting the stored values; sometimes any relation (stored-type mismatch).
  const kinds: Array<'string' | 'number' | 'boolean'> = [];
  if (values.strings.length > 0) {
    kinds.push('string');
  }
  if (values.numbers.length > 0) {
    kinds.push('number');
  }
  if (values.booleans.length > 0) {
    kinds.push('boolean');
  }
  const kind =
    chance(rng, 0.85) && kinds.length > 0 ? pick(rng, kinds) : pick(rng, ['string', 'number', 'boolean'] as const);
  if (kind === 'number') {
    const relation = pick(rng, NUMERIC_RELATIONS);
    const value =
      values.numbers.length > 0 && chance(rng, 0.85) ? pick(rng, values.numbers) : pick(rng, [0, 1, 42, 3.5, -1]);
    return { attribute, relation, value };
  }
  if (kind === 'boolean') {
    return { attribute, relation: pick(rng, ['stringIs', 'stringIsNot'] as const), value: chance(rng, 0.5) };
  }
  const relation = pick(rng, STRING_RELATIONS);
  if (relation === 'regexContains' || relation === 'regexDoesNotContain') {
    return { attribute, relation, value: pick(rng, SAFE_PATTERNS) };
  }
  let value: string;
  if (values.strings.length > 0 && chance(rng, 0.8)) {
    value = pick(rng, values.strings);
  } else if (values.numbers.length > 0 && chance(rng, 0.5)) {
    // The number as a string: never equal to the stored number.
    value = String(pick(rng, values.numbers));
  } else {
    value = pick(rng, ['male', 'absent value', 'true']);
  }
  return { attribute, relation, value };
}

function ageRange(rng: Rng): AgeRange {
  if (chance(rng, 0.15)) {
    return { min: 0, max: 100 };
  }
  const a = int(rng, 0, 100);
  const b = int(rng, 0, 100);
  return chance(rng, 0.1) ? { min: a, max: a } : { min: Math.min(a, b), max: Math.max(a, b) };
}

function addSubjectPart(rng: Rng, subject: SubjectFilter): void {
  switch (int(rng, 0, 5)) {
    case 0:
      subject.gender = pick(rng, ['male', 'female', 'male', 'female', 'any'] as const);
      break;
    case 1:
      subject.age = ageRange(rng);
      break;
    case 2:
      subject.ageFirstDiagnosis = ageRange(rng);
      break;
    case 3:
      subject.ageFirstSymptoms = ageRange(rng);
      break;
    case 4:
      subject.affectedOnly = chance(rng, 0.8);
      break;
    default:
      subject.familyType = { singletons: chance(rng, 0.4), trios: chance(rng, 0.4), family: chance(rng, 0.4) };
  }
}

function requiredFilters(rng: Rng, used: Set<Family>): RequiredFilters {
  const out: RequiredFilters = {};
  for (const f of used) {
    if (!chance(rng, 0.6)) {
      continue;
    }
    if (f === 'subject') {
      if (chance(rng, 0.4)) {
        out.subject = true;
      } else {
        out.subjectCapability = { [pick(rng, ['age', 'gender', 'familyType', 'affected'] as const)]: true };
      }
    } else {
      out[f] = true;
    }
  }
  if (chance(rng, 0.1)) {
    // A flag for a family the query does not use: changes nothing.
    out.snomed = chance(rng, 0.5);
  }
  return out;
}

/** One random normalised QueryBuilder over the fixture. `rng` e.g. mulberry32(seed). */
export function randomQuery(rng: Rng, info: FixtureInfo, opts: RandomQueryOptions = {}): QueryBuilder {
  const query = queryBuilder();
  const n = pick(rng, [0, 1, 1, 1, 2, 2, 2, 3, 3]);
  const used = new Set<Family>();
  for (let i = 0; i < n; i++) {
    const family = pick(rng, FAMILIES);
    used.add(family);
    switch (family) {
      case 'hpo':
        query.hpo.push(hpoFilter(rng, info, opts));
        break;
      case 'ordo':
        query.ordo.push(ordoFilter(rng, info, opts));
        break;
      case 'snomed':
        query.snomed.push(snomedFilter(rng, info));
        break;
      case 'genes':
        query.genes.push(genesFilter(rng, info));
        break;
      case 'variant':
        query.variant.push(variantFilter(rng, info));
        break;
      case 'eav':
        query.eav.push(eavFilter(rng, info));
        break;
      case 'subject': {
        query.subject ??= {};
        addSubjectPart(rng, query.subject);
        if (chance(rng, 0.3)) {
          addSubjectPart(rng, query.subject);
        }
        break;
      }
    }
  }
  if (chance(rng, 0.2)) {
    query.advanced.requiredFilters = requiredFilters(rng, used);
  }
  if (chance(rng, 0.15)) {
    const sources = distinct(rng, info.sourceIds, int(rng, 1, info.sourceIds.length), false);
    if (chance(rng, 0.2)) {
      sources.push('src-unknown');
    }
    query.sources = sources;
  }
  if (chance(rng, 0.2)) {
    query.advanced.granularity = pick(rng, DISCOVERY_POLICIES.slice(1));
  }
  return query;
}
