import { QueryErrorCode, QueryInvalidError } from '../query.errors';
import { MUTATION_CLASSES, type QueryBuilder } from '../query.types';
import { parseQueryBuilder } from './parse';

/** The normalised form of an empty body, with `over` on top. */
function normalised(over: Partial<QueryBuilder> = {}): QueryBuilder {
  return { hpo: [], ordo: [], snomed: [], genes: [], variant: [], eav: [], advanced: { requiredFilters: {} }, ...over };
}

/** Refusal rows `[name, body, field, message part?]` with the message part always set (jest passes `done` for a missing one). */
function refusals(rows: Array<[string, unknown, string, string?]>): Array<[string, unknown, string, string]> {
  return rows.map(([name, raw, field, message]) => [name, raw, field, message ?? '']);
}

/** The QueryInvalidError `parseQueryBuilder(raw)` throws. */
function errorOf(raw: unknown): QueryInvalidError {
  try {
    parseQueryBuilder(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(QueryInvalidError);
    return err as QueryInvalidError;
  }
  throw new Error(`accepted ${JSON.stringify(raw)}`);
}

const HPO: QueryBuilder['hpo'][number] = { terms: ['0001250'], similarity: 1, minimumMatch: 1, useOrphanet: false };
const VARIANT: QueryBuilder['variant'][number] = {
  genes: ['BRCA1'],
  reactome: [],
  mutation: ['missense'],
  maxAf: 1,
  useLocalAf: false,
};
const APOE = { gene: 'APOE', alleles: ['e4'] };
const EAV_OK = { attribute: 'a', relation: 'stringIs', value: 'x' };
const FAMILY_TRIOS = { singletons: false, trios: true, family: false };
const range = (min: number, max: number) => ({ min, max });
function many<T = number>(n: number, f: (i: number) => T = (i) => i as T): T[] {
  return Array.from({ length: n }, (_, i) => f(i));
}

/** A body using every feature and CV3 spelling. */
const FULL = {
  subject: {
    gender: 'female',
    age: { min: 2, max: 40 },
    ageFirstDiagnosis: { min: 0, max: 100 },
    ageFirstSymptoms: { max: 10 },
    affectedOnly: true,
    familyType: { singletons: true, trio: true },
  },
  hpo: [
    {
      terms: ['HP:0001250', 'hp:0001250', 'HP_0000969', '0004322'],
      similarity: 0.8,
      minimumMatch: 2,
      useOrphaNet: true,
    },
  ],
  ordo: [{ terms: ['ORPHA:558', 'Orphanet:166', 'Orphanet_166', '1234'], matchScale: 3, useHPO: true }],
  snomed: [{ terms: ['SNOMEDCT:439389002', 'SCTID:84757009', '123456'] }],
  genes: [
    {
      alleles: [
        { gene: 'APOE', alleles: ['e3', ' e4 '] },
        { gene: 'HLA-B', alleles: ['*57:01'] },
      ],
    },
  ],
  variants: [
    { genes: ['BRCA1', 'TP53', 'BRCA1'], mutation: ['missense', 'splice', 'missense'], maxAf: 0.01, useLocalAf: true },
  ],
  eav: [
    { attribute: '$lab.result', relation: 'numericGreaterThanOrEqual', value: 5.5 },
    { attribute: 'diagnosis', relation: 'regexContains', value: '^epi(lepsy)?\\b' },
    { attribute: 'smoker', relation: 'stringIsNot', value: false },
  ],
  sources: { sources: ['s1', 's2', 's1'] },
  advanced: { granularity: 'count', requiredFilters: { hpo: true, eav: false, subjectCapability: { age: true } } },
};

describe('parseQueryBuilder', () => {
  it('should normalise a body using every feature', () => {
    expect(parseQueryBuilder(FULL)).toEqual({
      subject: {
        gender: 'female',
        age: range(2, 40),
        ageFirstSymptoms: range(0, 10),
        affectedOnly: true,
        familyType: { singletons: true, trios: true, family: false },
      },
      hpo: [{ terms: ['0001250', '0000969', '0004322'], similarity: 0.8, minimumMatch: 2, useOrphanet: true }],
      ordo: [{ terms: ['558', '166', '1234'], similarity: 1, minimumMatch: 3, useHPO: true }],
      snomed: [{ terms: ['439389002', '84757009', '123456'], minimumMatch: 1 }],
      genes: [
        {
          alleles: [
            { gene: 'APOE', alleles: ['e3', 'e4'] },
            { gene: 'HLA-B', alleles: ['*57:01'] },
          ],
        },
      ],
      variant: [
        { genes: ['BRCA1', 'TP53'], reactome: [], mutation: ['missense', 'splice'], maxAf: 0.01, useLocalAf: true },
      ],
      eav: [
        { attribute: '_lab_result', relation: 'numericGreaterThanOrEqual', value: 5.5 },
        { attribute: 'diagnosis', relation: 'regexContains', value: '^epi(lepsy)?\\b' },
        { attribute: 'smoker', relation: 'stringIsNot', value: false },
      ],
      sources: ['s1', 's2'],
      advanced: { granularity: 'count', requiredFilters: { hpo: true, eav: false, subjectCapability: { age: true } } },
    });
  });

  it('should not change its input', () => {
    const body = JSON.parse(JSON.stringify(FULL));
    parseQueryBuilder(body);
    expect(body).toEqual(FULL);
  });

  it.each<[string, unknown, QueryBuilder]>([
    ['an empty body', {}, normalised()],
    ['empty families', { hpo: [], ordo: [], snomed: [], genes: [], variant: [], eav: [] }, normalised()],
    // term filters
    ['HPO defaults', { hpo: [{ terms: ['HP:0001250'] }] }, normalised({ hpo: [HPO] })],
    ['an HPO filter without terms', { hpo: [{}] }, normalised({ hpo: [{ ...HPO, terms: [] }] })],
    [
      'HPO forms and duplicates',
      { hpo: [{ terms: ['HP:0001250', 'hp:0001250', 'HP_0001250', '0001250', '0000969'], minimumMatch: 2 }] },
      normalised({ hpo: [{ ...HPO, terms: ['0001250', '0000969'], minimumMatch: 2 }] }),
    ],
    [
      'HPO similarity and useOrphanet',
      { hpo: [{ terms: ['0001250'], similarity: 0, useOrphanet: true }] },
      normalised({ hpo: [{ ...HPO, similarity: 0, useOrphanet: true }] }),
    ],
    [
      'useOrphaNet',
      { hpo: [{ terms: ['0001250'], useOrphaNet: true }] },
      normalised({ hpo: [{ ...HPO, useOrphanet: true }] }),
    ],
    [
      'matchScale as minimumMatch',
      { hpo: [{ terms: ['0001250', '0000969'], matchScale: 2 }] },
      normalised({ hpo: [{ ...HPO, terms: ['0001250', '0000969'], minimumMatch: 2 }] }),
    ],
    [
      'minimumMatch with no terms',
      { snomed: [{ terms: [], minimumMatch: 3 }] },
      normalised({ snomed: [{ terms: [], minimumMatch: 3 }] }),
    ],
    [
      'ORDO forms and defaults',
      { ordo: [{ terms: ['ORPHA:558', 'orphanet:558', 'Orphanet_99', '1234567890'], similarity: 1 }] },
      normalised({ ordo: [{ terms: ['558', '99', '1234567890'], similarity: 1, minimumMatch: 1, useHPO: false }] }),
    ],
    [
      'SNOMED forms',
      { snomed: [{ terms: ['SNOMEDCT:123456', 'sctid:123456789012345678', '439389002'], minimumMatch: 3 }] },
      normalised({ snomed: [{ terms: ['123456', '123456789012345678', '439389002'], minimumMatch: 3 }] }),
    ],
    [
      '100 HPO terms',
      { hpo: [{ terms: many(100, (i) => String(i).padStart(7, '0')) }] },
      normalised({ hpo: [{ ...HPO, terms: many(100, (i) => String(i).padStart(7, '0')) }] }),
    ],
    ['20 HPO filters', { hpo: many(20, () => ({ terms: ['0001250'] })) }, normalised({ hpo: many(20, () => HPO) })],
    // genes
    ['an empty genes filter', { genes: [{ alleles: [] }] }, normalised({ genes: [{ alleles: [] }] })],
    ['a genes filter without alleles', { genes: [{}] }, normalised({ genes: [{ alleles: [] }] })],
    [
      'odd gene symbols',
      { genes: [{ alleles: [{ gene: 'C4A@_x.1-2', alleles: ['e4', 'e4'] }] }] },
      normalised({ genes: [{ alleles: [{ gene: 'C4A@_x.1-2', alleles: ['e4', 'e4'] }] }] }),
    ],
    // variant
    [
      'variant defaults',
      { variant: [{ genes: ['BRCA1'], mutation: ['missense'] }] },
      normalised({ variant: [VARIANT] }),
    ],
    [
      'variants as variant',
      { variants: [{ genes: ['BRCA1'], mutation: ['missense'], maxAf: 0 }] },
      normalised({ variant: [{ ...VARIANT, maxAf: 0 }] }),
    ],
    [
      'an empty reactome list',
      { variant: [{ genes: ['BRCA1'], reactome: [], mutation: ['missense'] }] },
      normalised({ variant: [VARIANT] }),
    ],
    [
      'every mutation class',
      { variant: [{ genes: ['X'], mutation: [...MUTATION_CLASSES, 'missense'] }] },
      normalised({ variant: [{ ...VARIANT, genes: ['X'], mutation: [...MUTATION_CLASSES] }] }),
    ],
    // eav
    [
      'EAV attribute names',
      { eav: [{ attribute: ' $a.b.c ', relation: 'stringIs', value: 'x' }] },
      normalised({ eav: [{ attribute: '_a_b_c', relation: 'stringIs', value: 'x' }] }),
    ],
    [
      'EAV string relations with booleans and empty strings',
      {
        eav: [
          { attribute: 'a', relation: 'stringIs', value: true },
          { attribute: 'a', relation: 'stringIsNot', value: '' },
        ],
      },
      normalised({
        eav: [
          { attribute: 'a', relation: 'stringIs', value: true },
          { attribute: 'a', relation: 'stringIsNot', value: '' },
        ],
      }),
    ],
    [
      'EAV patterns with escapes and classes',
      {
        eav: [
          { attribute: 'a', relation: 'regexDoesNotContain', value: '\\\\1(?:x|y)[a-z]{2}\\d+' },
          { attribute: 'a', relation: 'regexContains', value: '' },
        ],
      },
      normalised({
        eav: [
          { attribute: 'a', relation: 'regexDoesNotContain', value: '\\\\1(?:x|y)[a-z]{2}\\d+' },
          { attribute: 'a', relation: 'regexContains', value: '' },
        ],
      }),
    ],
    [
      'EAV numeric relations',
      {
        eav: [
          { attribute: 'a', relation: 'numericEquals', value: 0 },
          { attribute: 'a', relation: 'numericNotEquals', value: -1.5 },
          { attribute: 'a', relation: 'numericLessThan', value: 1e9 },
        ],
      },
      normalised({
        eav: [
          { attribute: 'a', relation: 'numericEquals', value: 0 },
          { attribute: 'a', relation: 'numericNotEquals', value: -1.5 },
          { attribute: 'a', relation: 'numericLessThan', value: 1e9 },
        ],
      }),
    ],
    // subject
    [
      'a subject that is all "not provided"',
      {
        subject: {
          gender: 'any',
          age: {},
          ageFirstDiagnosis: { min: 0, max: 100 },
          ageFirstSymptoms: { min: 0 },
          affectedOnly: false,
          familyType: { singletons: false, trios: false, family: false },
        },
      },
      normalised(),
    ],
    ['an empty subject', { subject: {} }, normalised()],
    [
      'subject parts',
      {
        subject: {
          gender: 'male',
          age: { min: 18 },
          ageFirstDiagnosis: { min: 5, max: 5 },
          familyType: { family: true },
        },
      },
      normalised({
        subject: {
          gender: 'male',
          age: range(18, 100),
          ageFirstDiagnosis: range(5, 5),
          familyType: { singletons: false, trios: false, family: true },
        },
      }),
    ],
    ['trios', { subject: { familyType: { trios: true } } }, normalised({ subject: { familyType: FAMILY_TRIOS } })],
    ['trio', { subject: { familyType: { trio: true } } }, normalised({ subject: { familyType: FAMILY_TRIOS } })],
    // sources
    ['CV3 sources', { sources: { sources: ['a', 'b', 'a'] } }, normalised({ sources: ['a', 'b'] })],
    ['a plain source list', { sources: ['a', 'b'] }, normalised({ sources: ['a', 'b'] })],
    ['an empty source list', { sources: { sources: [] } }, normalised()],
    ['sources without sources', { sources: {} }, normalised()],
    ['1000 sources', { sources: many(1000, String) }, normalised({ sources: many(1000, String) })],
    // advanced
    ['an empty advanced', { advanced: {} }, normalised()],
    [
      'granularity only',
      { advanced: { granularity: 'noAccess' } },
      normalised({ advanced: { granularity: 'noAccess', requiredFilters: {} } }),
    ],
    [
      'every required filter',
      {
        advanced: {
          requiredFilters: {
            subject: true,
            genes: true,
            hpo: false,
            ordo: true,
            snomed: true,
            variant: true,
            source: true,
            eav: true,
            subjectCapability: { age: true, gender: false, familyType: true, affected: true },
          },
        },
      },
      normalised({
        advanced: {
          requiredFilters: {
            subject: true,
            genes: true,
            hpo: false,
            ordo: true,
            snomed: true,
            variant: true,
            source: true,
            eav: true,
            subjectCapability: { age: true, gender: false, familyType: true, affected: true },
          },
        },
      }),
    ],
  ])('should accept %s', (_, raw, expected) => {
    expect(parseQueryBuilder(raw)).toEqual(expected);
  });

  it.each(
    refusals([
      // top level
      ['a non-object body', [], 'body', 'expected an object, got an array'],
      ['a null body', null, 'body', 'got null'],
      ['a string body', 'hpo', 'body'],
      ['a typo', { hpos: [] }, 'hpos', 'unknown field'],
      ['a __proto__ key', JSON.parse('{"__proto__": {"hpo": []}}'), '__proto__', 'unknown field'],
      ['variant and variants', { variant: [], variants: [] }, 'variants', 'only one'],
      // families
      ['a family that is an object', { hpo: { length: 5 } }, 'hpo', 'expected an array of filters, got an object'],
      ['a family that is null', { eav: null }, 'eav', 'got null'],
      ['a null filter', { hpo: [null] }, 'hpo[0]', 'expected an object, got null'],
      ['an array filter', { ordo: [[]] }, 'ordo[0]', 'expected an object, got an array'],
      ['21 HPO filters', { hpo: many(21, () => ({})) }, 'hpo', 'at most 20'],
      ['21 ORDO filters', { ordo: many(21, () => ({})) }, 'ordo', 'at most 20'],
      ['21 SNOMED filters', { snomed: many(21, () => ({})) }, 'snomed', 'at most 20'],
      ['21 genes filters', { genes: many(21, () => ({})) }, 'genes', 'at most 20'],
      ['21 variant filters', { variants: many(21, () => ({})) }, 'variants', 'at most 20'],
      ['51 EAV filters', { eav: many(51, () => ({})) }, 'eav', 'at most 50'],
      ['an unknown filter key', { hpo: [{}, { terms: [], minimumMatches: 1 }] }, 'hpo[1].minimumMatches', 'unknown'],
      ['a nested __proto__', JSON.parse('{"hpo": [{"__proto__": {}}]}'), 'hpo[0].__proto__', 'unknown'],
      // terms
      [
        'a short HPO ID',
        { hpo: [{ terms: ['HP:0001250', '0000969', 'HP:12'] }] },
        'hpo[0].terms[2]',
        '"HP:12" is not an HPO term ID (HP:0000000 or 0000000)',
      ],
      ['an HPO ID with letters', { hpo: [{ terms: ['HP:00012a0'] }] }, 'hpo[0].terms[0]'],
      ['an ORDO ID in HPO', { hpo: [{ terms: ['ORPHA:558'] }] }, 'hpo[0].terms[0]'],
      ['an 8-digit HPO ID', { hpo: [{ terms: ['00012500'] }] }, 'hpo[0].terms[0]'],
      ['a number term', { hpo: [{ terms: [1250] }] }, 'hpo[0].terms[0]', 'expected a string, got a number'],
      ['terms as a string', { hpo: [{ terms: 'HP:0001250' }] }, 'hpo[0].terms', 'expected an array'],
      ['101 terms', { hpo: [{ terms: many(101, (i) => String(i).padStart(7, '0')) }] }, 'hpo[0].terms', 'at most 100'],
      ['an 11-digit ORDO ID', { ordo: [{ terms: ['12345678901'] }] }, 'ordo[0].terms[0]', 'not an ORDO term ID'],
      ['an ORDO word', { ordo: [{ terms: ['ORPHA:'] }] }, 'ordo[0].terms[0]'],
      ['a short SNOMED ID', { snomed: [{ terms: ['12345'] }] }, 'snomed[0].terms[0]', 'not a SNOMED CT concept ID'],
      ['a 19-digit SNOMED ID', { snomed: [{ terms: ['1234567890123456789'] }] }, 'snomed[0].terms[0]'],
      ['similarity as a string', { hpo: [{ similarity: '0.8' }] }, 'hpo[0].similarity', 'expected a number 0–1'],
      ['similarity above 1', { hpo: [{ similarity: 1.5 }] }, 'hpo[0].similarity', 'not in 0–1'],
      ['similarity below 0', { hpo: [{ similarity: -0.1 }] }, 'hpo[0].similarity'],
      ['ORDO similarity', { ordo: [{ terms: ['558'], similarity: 0.7 }] }, 'ordo[0].similarity', 'no ORDO ontology'],
      ['ORDO similarity as a string', { ordo: [{ similarity: 'x' }] }, 'ordo[0].similarity', 'expected a number'],
      ['SNOMED similarity', { snomed: [{ terms: [], similarity: 1 }] }, 'snomed[0].similarity', 'unknown'],
      ['minimumMatch 0', { hpo: [{ minimumMatch: 0 }] }, 'hpo[0].minimumMatch', 'not an integer ≥ 1'],
      ['minimumMatch 1.5', { snomed: [{ minimumMatch: 1.5 }] }, 'snomed[0].minimumMatch', 'not an integer ≥ 1'],
      ['minimumMatch as a string', { hpo: [{ minimumMatch: '1' }] }, 'hpo[0].minimumMatch', 'expected an integer'],
      [
        'minimumMatch above the distinct terms',
        { hpo: [{ terms: ['HP:0001250', '0001250'], minimumMatch: 2 }] },
        'hpo[0].minimumMatch',
        'more than the number of distinct terms (1)',
      ],
      ['a fractional matchScale', { ordo: [{ terms: ['558'], matchScale: 0.7 }] }, 'ordo[0].matchScale', 'integer ≥ 1'],
      ['matchScale 0', { hpo: [{ matchScale: 0 }] }, 'hpo[0].matchScale'],
      ['matchScale above the terms', { ordo: [{ terms: ['558'], matchScale: 2 }] }, 'ordo[0].matchScale', 'more than'],
      [
        'both minimumMatch spellings',
        { snomed: [{ minimumMatch: 1, matchScale: 1 }] },
        'snomed[0].matchScale',
        'only one',
      ],
      ['useOrphanet as a string', { hpo: [{ useOrphanet: 'true' }] }, 'hpo[0].useOrphanet', 'expected a boolean'],
      ['useOrphaNet as null', { hpo: [{ useOrphaNet: null }] }, 'hpo[0].useOrphaNet', 'got null'],
      ['both useOrphanet spellings', { hpo: [{ useOrphanet: true, useOrphaNet: true }] }, 'hpo[0].useOrphaNet'],
      ['useHPO as a number', { ordo: [{ useHPO: 1 }] }, 'ordo[0].useHPO', 'expected a boolean'],
      ['useHPO in HPO', { hpo: [{ useHPO: true }] }, 'hpo[0].useHPO', 'unknown'],
      // genes
      ['genes alleles as an object', { genes: [{ alleles: {} }] }, 'genes[0].alleles', 'expected an array'],
      ['51 allele specs', { genes: [{ alleles: many(51, () => APOE) }] }, 'genes[0].alleles', 'at most 50'],
      ['a null allele spec', { genes: [{ alleles: [APOE, null] }] }, 'genes[0].alleles[1]', 'expected an object'],
      [
        'a spec without gene',
        { genes: [{ alleles: [{ alleles: ['e4'] }] }] },
        'genes[0].alleles[0].gene',
        'expected a string, got nothing',
      ],
      ['a bad gene', { genes: [{ alleles: [{ gene: 'AP OE', alleles: ['e4'] }] }] }, 'genes[0].alleles[0].gene'],
      [
        'a 51-char gene',
        { genes: [{ alleles: [{ gene: 'A'.repeat(51), alleles: ['e4'] }] }] },
        'genes[0].alleles[0].gene',
      ],
      ['no alleles', { genes: [{ alleles: [{ gene: 'APOE', alleles: [] }] }] }, 'genes[0].alleles[0].alleles'],
      ['a spec without alleles', { genes: [{ alleles: [{ gene: 'APOE' }] }] }, 'genes[0].alleles[0].alleles'],
      [
        'three alleles',
        { genes: [{ alleles: [{ gene: 'APOE', alleles: ['e2', 'e3', 'e4'] }] }] },
        'genes[0].alleles[0].alleles',
        'at most 2',
      ],
      [
        'a blank allele',
        { genes: [{ alleles: [{ gene: 'APOE', alleles: ['e3', ' '] }] }] },
        'genes[0].alleles[0].alleles[1]',
      ],
      [
        'a long allele',
        { genes: [{ alleles: [{ gene: 'APOE', alleles: ['e'.repeat(51)] }] }] },
        'genes[0].alleles[0].alleles[0]',
      ],
      ['a number allele', { genes: [{ alleles: [{ gene: 'APOE', alleles: [4] }] }] }, 'genes[0].alleles[0].alleles[0]'],
      ['an unknown spec key', { genes: [{ alleles: [{ ...APOE, zygosity: 'het' }] }] }, 'genes[0].alleles[0].zygosity'],
      // variant
      ['no mutation', { variant: [{ genes: ['BRCA1'] }] }, 'variant[0].mutation', 'required'],
      ['an empty mutation', { variant: [{ genes: ['BRCA1'], mutation: [] }] }, 'variant[0].mutation', 'at least one'],
      [
        'a bad mutation class',
        { variants: [{ genes: ['X'], mutation: ['missense', 'stop_gained'] }] },
        'variants[0].mutation[1]',
      ],
      ['mutation as a string', { variant: [{ genes: ['X'], mutation: 'missense' }] }, 'variant[0].mutation'],
      ['no genes or reactome', { variant: [{ mutation: ['missense'] }] }, 'variant[0].genes', 'at least one gene'],
      ['empty genes', { variant: [{ genes: [], reactome: [], mutation: ['missense'] }] }, 'variant[0].genes'],
      [
        'a bad variant gene',
        { variant: [{ genes: ['BRCA1', 'BR CA'], mutation: ['missense'] }] },
        'variant[0].genes[1]',
      ],
      [
        '501 variant genes',
        { variant: [{ genes: many(501, (i) => `G${i}`), mutation: ['missense'] }] },
        'variant[0].genes',
      ],
      [
        'a Reactome pathway',
        { variant: [{ reactome: ['R-HSA-123'], mutation: ['missense'] }] },
        'variant[0].reactome',
        'Reactome pathway data is not available at this installation',
      ],
      [
        'a bad Reactome ID',
        { variant: [{ genes: ['X'], reactome: ['R-hsa-1'], mutation: ['missense'] }] },
        'variant[0].reactome[0]',
      ],
      [
        '101 pathways',
        { variant: [{ reactome: many(101, (i) => `R-HSA-${i}`), mutation: ['splice'] }] },
        'variant[0].reactome',
      ],
      [
        'maxAf 5',
        { variant: [{ genes: ['X'], mutation: ['missense'], maxAf: 5 }] },
        'variant[0].maxAf',
        'fraction 0–1',
      ],
      ['a negative maxAf', { variant: [{ genes: ['X'], mutation: ['missense'], maxAf: -1 }] }, 'variant[0].maxAf'],
      ['maxAf as a string', { variant: [{ genes: ['X'], mutation: ['missense'], maxAf: '0.1' }] }, 'variant[0].maxAf'],
      [
        'useLocalAf as a string',
        { variant: [{ genes: ['X'], mutation: ['nonsense'], useLocalAf: 'no' }] },
        'variant[0].useLocalAf',
      ],
      [
        'an unknown variant key',
        { variant: [{ genes: ['X'], mutation: ['indel'], af: 1 }] },
        'variant[0].af',
        'unknown',
      ],
      // eav
      ['no attribute', { eav: [{ relation: 'stringIs', value: 'x' }] }, 'eav[0].attribute'],
      ['a blank attribute', { eav: [{ attribute: '  ', relation: 'stringIs', value: 'x' }] }, 'eav[0].attribute'],
      [
        'a long attribute',
        { eav: [{ attribute: 'a'.repeat(201), relation: 'stringIs', value: 'x' }] },
        'eav[0].attribute',
      ],
      [
        'a bad relation',
        { eav: [{ attribute: 'a', relation: 'equals', value: 'x' }] },
        'eav[0].relation',
        'expected one of',
      ],
      ['no relation', { eav: [{ attribute: 'a', value: 'x' }] }, 'eav[0].relation'],
      ['a number for stringIs', { eav: [{ attribute: 'a', relation: 'stringIs', value: 5 }] }, 'eav[0].value'],
      ['no value', { eav: [{ attribute: 'a', relation: 'stringIsNot' }] }, 'eav[0].value'],
      [
        'a numeric string',
        { eav: [EAV_OK, { attribute: 'a', relation: 'numericGreaterThan', value: '5' }] },
        'eav[1].value',
        'expected a number',
      ],
      [
        'a boolean for numericEquals',
        { eav: [{ attribute: 'a', relation: 'numericEquals', value: true }] },
        'eav[0].value',
      ],
      ['a number pattern', { eav: [{ attribute: 'a', relation: 'regexContains', value: 5 }] }, 'eav[0].value'],
      [
        'a long pattern',
        { eav: [{ attribute: 'a', relation: 'regexContains', value: 'a'.repeat(201) }] },
        'eav[0].value',
      ],
      [
        'a broken pattern',
        { eav: [{ attribute: 'a', relation: 'regexContains', value: '(a' }] },
        'eav[0].value',
        'not a valid',
      ],
      [
        'a look-ahead',
        { eav: [{ attribute: 'a', relation: 'regexContains', value: 'a(?=b)' }] },
        'eav[0].value',
        'look-around',
      ],
      [
        'a negative look-ahead',
        { eav: [{ attribute: 'a', relation: 'regexDoesNotContain', value: '(?!b)' }] },
        'eav[0].value',
      ],
      ['a look-behind', { eav: [{ attribute: 'a', relation: 'regexContains', value: '(?<=a)b' }] }, 'eav[0].value'],
      [
        'a negative look-behind',
        { eav: [{ attribute: 'a', relation: 'regexContains', value: '(?<!a)b' }] },
        'eav[0].value',
      ],
      [
        'a back-reference',
        { eav: [{ attribute: 'a', relation: 'regexContains', value: '(a)\\1' }] },
        'eav[0].value',
        'back-ref',
      ],
      [
        'a named back-reference',
        { eav: [{ attribute: 'a', relation: 'regexContains', value: '(?<x>a)\\k<x>' }] },
        'eav[0].value',
      ],
      ['an unknown EAV key', { eav: [{ ...EAV_OK, negate: true }] }, 'eav[0].negate'],
      // subject
      ['a null subject', { subject: null }, 'subject', 'expected an object, got null'],
      ['a bad gender', { subject: { gender: 'M' } }, 'subject.gender', 'expected one of male, female, any, got "M"'],
      ['an age as a number', { subject: { age: 30 } }, 'subject.age', 'expected an object'],
      ['an age above 100', { subject: { age: { max: 101 } } }, 'subject.age.max', 'not an integer 0–100'],
      ['a negative age', { subject: { ageFirstDiagnosis: { min: -1 } } }, 'subject.ageFirstDiagnosis.min'],
      ['a fractional age', { subject: { ageFirstSymptoms: { min: 1.5 } } }, 'subject.ageFirstSymptoms.min'],
      ['an age as a string', { subject: { age: { min: '18' } } }, 'subject.age.min', 'expected an integer 0–100'],
      ['min above max', { subject: { age: { min: 50, max: 20 } } }, 'subject.age', 'min 50 is above max 20'],
      ['an unknown age key', { subject: { age: { from: 1 } } }, 'subject.age.from'],
      ['affectedOnly as a string', { subject: { affectedOnly: 'yes' } }, 'subject.affectedOnly'],
      ['familyType as an array', { subject: { familyType: [] } }, 'subject.familyType'],
      ['a familyType string flag', { subject: { familyType: { family: 'y' } } }, 'subject.familyType.family'],
      ['both trio spellings', { subject: { familyType: { trio: true, trios: false } } }, 'subject.familyType.trio'],
      ['an unknown subject key', { subject: { sex: 'male' } }, 'subject.sex'],
      // sources
      ['sources as a string', { sources: 's1' }, 'sources', 'expected an object'],
      ['sources.sources as a string', { sources: { sources: 's1' } }, 'sources.sources', 'expected an array'],
      ['a number source ID', { sources: ['a', 1] }, 'sources[1]', 'expected a string'],
      ['an empty source ID', { sources: { sources: [''] } }, 'sources.sources[0]', 'not a source ID'],
      ['a long source ID', { sources: ['s'.repeat(101)] }, 'sources[0]'],
      ['1001 sources', { sources: many(1001, String) }, 'sources', 'at most 1000'],
      ['an unknown sources key', { sources: { ids: [] } }, 'sources.ids'],
      // advanced
      ['a bad granularity', { advanced: { granularity: 'all' } }, 'advanced.granularity', 'expected one of noAccess'],
      ['requiredFilters as an array', { advanced: { requiredFilters: [] } }, 'advanced.requiredFilters'],
      [
        'an unknown required filter',
        { advanced: { requiredFilters: { hpos: true } } },
        'advanced.requiredFilters.hpos',
      ],
      ['a string required flag', { advanced: { requiredFilters: { hpo: 'true' } } }, 'advanced.requiredFilters.hpo'],
      [
        'an unknown subject capability',
        { advanced: { requiredFilters: { subjectCapability: { sex: true } } } },
        'advanced.requiredFilters.subjectCapability.sex',
      ],
      [
        'a null subject capability flag',
        { advanced: { requiredFilters: { subjectCapability: { age: null } } } },
        'advanced.requiredFilters.subjectCapability.age',
      ],
      ['an unknown advanced key', { advanced: { soft: false } }, 'advanced.soft'],
    ]),
  )('should refuse %s', (_, raw, field, message) => {
    const err = errorOf(raw);
    expect(err.httpStatus).toBe(400);
    expect(err.code).toBe(QueryErrorCode.Invalid);
    expect(err.details).toEqual({ field });
    expect(err.message.startsWith(`${field}: `)).toBe(true);
    expect(err.message).toContain(message);
  });

  it('should refuse a minimumMatch whose combinations of terms are too many to test', () => {
    const terms = Array.from({ length: 12 }, (_, i) => `00000${10 + i}`);
    expect(parseQueryBuilder({ hpo: [{ terms, minimumMatch: 4 }] }).hpo[0].minimumMatch).toBe(4);
    expect(parseQueryBuilder({ hpo: [{ terms, minimumMatch: 12 }] }).hpo[0].minimumMatch).toBe(12);
    const err = errorOf({ hpo: [{ terms, minimumMatch: 5 }] });
    expect(err.details).toEqual({ field: 'hpo[0].minimumMatch' });
    expect(err.message).toContain('combinations');
  });

  it('should refuse deep nesting without recursing', () => {
    const deep = JSON.parse(`{"hpo": ${'['.repeat(5000)}${']'.repeat(5000)}}`);
    expect(errorOf(deep).details).toEqual({ field: 'hpo[0]' });
    const deepObject = JSON.parse(`${'{"subject":'.repeat(5000)}{}${'}'.repeat(5000)}`);
    expect(errorOf(deepObject).details).toEqual({ field: 'subject.subject' });
  });

  it('should cut long values in messages', () => {
    const err = errorOf({ hpo: [{ terms: ['x'.repeat(10_000)] }] });
    expect(err.message.length).toBeLessThan(200);
  });

  describe('fuzz', () => {
    /** mulberry32: a small seeded PRNG, so a failure can be replayed. */
    function rng(seed: number): () => number {
      return () => {
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    }

    const KEYS = [
      ...Object.keys(FULL),
      ...['variant', 'terms', 'similarity', 'minimumMatch', 'matchScale', 'useOrphanet', 'useHPO', 'alleles', 'gene'],
      ...['genes', 'reactome', 'mutation', 'maxAf', 'attribute', 'relation', 'value', 'min', 'max', 'familyType'],
      ...['__proto__', 'constructor', 'toString', 'length', 'x'],
    ];
    const STRINGS = [
      ...['', ' ', 'HP:0001250', '0001250', 'ORPHA:558', '439389002', 'missense', 'stringIs', 'numericEquals'],
      ...['regexContains', '(?=a)', '(', 'male', 'any', 'count', 'R-HSA-1', 'APOE', '$a.b', '5', 'true', 'null'],
    ];
    const NUMBERS = [0, 1, -1, 0.5, 2, 5, 100, 101, 1e308, -0, 20, 21];

    function randomJson(r: () => number, depth: number): unknown {
      const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
      const kind = depth <= 0 ? Math.floor(r() * 4) : Math.floor(r() * 6);
      switch (kind) {
        case 0:
          return null;
        case 1:
          return r() < 0.5;
        case 2:
          return pick(NUMBERS);
        case 3:
          return pick(STRINGS);
        case 4:
          return many(Math.floor(r() * 4), () => randomJson(r, depth - 1));
        default:
          return Object.fromEntries(many(Math.floor(r() * 4), () => [pick(KEYS), randomJson(r, depth - 1)] as const));
      }
    }

    /** A copy of `body` with one random node replaced, deleted, or given an extra key. */
    function mutate(body: unknown, r: () => number): unknown {
      const copy = JSON.parse(JSON.stringify(body));
      let node = copy;
      for (;;) {
        const keys = Object.keys(node);
        if (keys.length === 0 || r() < 0.3) {
          break;
        }
        const k = keys[Math.floor(r() * keys.length)];
        const child = node[k];
        if (typeof child !== 'object' || child === null || r() < 0.3) {
          const op = r();
          if (op < 0.5) {
            node[k] = randomJson(r, 2);
          } else if (op < 0.8 && !Array.isArray(node)) {
            delete node[k];
          } else {
            node[KEYS[Math.floor(r() * KEYS.length)]] = randomJson(r, 1);
          }
          return copy;
        }
        node = child;
      }
      return randomJson(r, 3);
    }

    function check(raw: unknown): 'ok' | 'refused' {
      try {
        const q = parseQueryBuilder(raw);
        expect(Array.isArray(q.hpo) && Array.isArray(q.variant) && Array.isArray(q.eav)).toBe(true);
        return 'ok';
      } catch (err) {
        if (!(err instanceof QueryInvalidError)) {
          throw new Error(`${String(err)} for ${JSON.stringify(raw)}`);
        }
        expect(err.message.startsWith(`${String(err.details?.field)}: `)).toBe(true);
        return 'refused';
      }
    }

    it('should only ever return or throw QueryInvalidError on random JSON', () => {
      const r = rng(1);
      for (let i = 0; i < 300; i++) {
        check(randomJson(r, 4));
      }
    });

    it('should only ever return or throw QueryInvalidError on mutations of a valid body', () => {
      const r = rng(2);
      const seen = { ok: 0, refused: 0 };
      for (let i = 0; i < 500; i++) {
        seen[check(mutate(FULL, r))]++;
      }
      expect(seen.ok).toBeGreaterThan(0);
      expect(seen.refused).toBeGreaterThan(0);
    });
  });
});
