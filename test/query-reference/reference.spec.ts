import type { SubjectDocument } from '@/modules/data/data.types';
import {
  type DiscoveryPolicy,
  type EavFilter,
  type QueryBuilder,
  queryBuilder,
  type SubjectFilter,
} from '@/modules/query/query.types';
import { fixtureAnnotationDeps, loadFixtureOntology, toyDeps } from './fixture-ontology';
import { describeFixture, generateFixture, mulberry32 } from './fixture';
import { randomQuery } from './random-query';
import {
  RefusedQueryError,
  referenceAnswer,
  referenceFilters,
  referenceLevel,
  referenceMatches,
  referenceRange,
  referenceResponses,
  type ReferenceDeps,
} from './reference';

// ---- helpers -------------------------------------------------------------------------------------------------

function subj(subjectId: string, parts: Partial<SubjectDocument> = {}): SubjectDocument {
  return {
    subjectId,
    HPO: [],
    ORDO: [],
    SNOMED: [],
    NCIT: [],
    ALLELES: [],
    VARIANT: [],
    EAV: {},
    dataFiles: [],
    ...parts,
  };
}

const query = queryBuilder;

/** Similarity stub: `table[t]` are the terms similar to t at any threshold ≤ 0.5; nothing above. */
function stubDeps(table: Record<string, string[]> = {}, calls: Array<[string, number]> = []): ReferenceDeps {
  return {
    similar: (t, threshold) => {
      calls.push([t, threshold]);
      return threshold <= 0.5 ? (table[t] ?? []) : [];
    },
    diseasesOfHpo: (t) => ({ '0000001': ['ORPHA:100'], '0000002': ['200'] })[t] ?? [],
    hpoOfDisease: (d) => ({ '100': ['HP:0000001'], '300': ['0000009'] })[d] ?? [],
  };
}

const deps = stubDeps();

function match(q: QueryBuilder, subjects: SubjectDocument[], d: ReferenceDeps = deps): string[] {
  return [...referenceMatches(q, subjects, d)].sort();
}

const hpo = (terms: string[], more: Partial<QueryBuilder['hpo'][number]> = {}) => ({
  terms,
  similarity: 1,
  minimumMatch: 1,
  useOrphanet: false,
  ...more,
});

const eav = (attribute: string, relation: EavFilter['relation'], value: EavFilter['value']) =>
  query({ eav: [{ attribute, relation, value }] });

// ---- general -------------------------------------------------------------------------------------------------

describe('reference: per source', () => {
  const subjects = [subj('a', { HPO: ['0000001'] }), subj('b', { HPO: ['0000002'] })];

  it('matches every subject when no filter is active', () => {
    expect(match(query(), subjects)).toEqual(['a', 'b']);
    expect(match(query({ hpo: [hpo([])], genes: [{ alleles: [] }] }), subjects)).toEqual(['a', 'b']);
  });

  it('compares term IDs without their prefix, on both sides', () => {
    expect(match(query({ hpo: [hpo(['HP:0000001'])] }), subjects)).toEqual(['a']);
    expect(match(query({ hpo: [hpo(['0000002'])] }), [subj('x', { HPO: ['HP:0000002'] })])).toEqual(['x']);
    expect(
      match(query({ ordo: [{ terms: ['558'], similarity: 1, minimumMatch: 1, useHPO: false }] }), [
        subj('o', { ORDO: ['ORPHA:558'] }),
      ]),
    ).toEqual(['o']);
  });

  it('ANDs two filters of one family', () => {
    const s = [subj('both', { HPO: ['0000001', '0000002'] }), subj('one', { HPO: ['0000001'] })];
    expect(match(query({ hpo: [hpo(['0000001']), hpo(['0000002'])] }), s)).toEqual(['both']);
  });

  it('ANDs filters of different families', () => {
    const s = [
      subj('x', { HPO: ['0000001'], EAV: { k: 'v' } }),
      subj('y', { HPO: ['0000001'], EAV: { k: 'w' } }),
      subj('z', { EAV: { k: 'v' } }),
    ];
    expect(
      match(query({ hpo: [hpo(['0000001'])], eav: [{ attribute: 'k', relation: 'stringIs', value: 'v' }] }), s),
    ).toEqual(['x']);
  });
});

// ---- term filters --------------------------------------------------------------------------------------------

describe('reference: term filters', () => {
  it('ignores qualified entries when matching, but counts them as entries for soft match', () => {
    const onlyQualified = [subj('q', { HPO: [{ '0000001': 12 }] }), subj('r')];
    expect(match(query({ hpo: [hpo(['0000001'])] }), onlyQualified)).toEqual([]);
    const mixed = [subj('q', { HPO: [{ '0000001': 12 }] }), subj('s', { HPO: ['0000001'] })];
    expect(match(query({ hpo: [hpo(['0000001'])] }), mixed)).toEqual(['s']);
    const snomed = [subj('q', { SNOMED: [{ '123': 1 }] }), subj('s', { SNOMED: ['123'] })];
    expect(match(query({ snomed: [{ terms: ['123'], minimumMatch: 1 }] }), snomed)).toEqual(['s']);
  });

  it('counts minimumMatch over groups, each original term once', () => {
    const d = stubDeps({ '0000001': ['0000002'], '0000003': ['HP:0000004'] });
    const s = [
      subj('sameGroup', { HPO: ['0000001', '0000002'] }),
      subj('twoGroups', { HPO: ['0000002', '0000004'] }),
      subj('oneGroup', { HPO: ['0000004'] }),
    ];
    const q = query({ hpo: [hpo(['0000001', '0000003'], { similarity: 0.4, minimumMatch: 2 })] });
    expect(match(q, s, d)).toEqual(['twoGroups']);
    q.hpo[0].minimumMatch = 1;
    expect(match(q, s, d)).toEqual(['oneGroup', 'sameGroup', 'twoGroups']);
    // Exact: no expansion.
    q.hpo[0].similarity = 1;
    expect(match(q, s, d)).toEqual(['sameGroup']);
  });

  it('lets one held term hit every group it belongs to', () => {
    const d = stubDeps({ '0000001': ['0000009'], '0000003': ['0000009'] });
    const q = query({ hpo: [hpo(['0000001', '0000003'], { similarity: 0.5, minimumMatch: 2 })] });
    expect(match(q, [subj('x', { HPO: ['0000009'] })], d)).toEqual(['x']);
  });

  it('raises similarity thresholds below 0.2 to 0.2 and does not expand at 1', () => {
    const calls: Array<[string, number]> = [];
    const d = stubDeps({}, calls);
    const s = [subj('a', { HPO: ['0000001'] })];
    match(query({ hpo: [hpo(['0000001'], { similarity: 0.1 })] }), s, d);
    match(query({ hpo: [hpo(['0000001'], { similarity: 0 })] }), s, d);
    match(query({ hpo: [hpo(['0000001'], { similarity: 0.6 })] }), s, d);
    match(query({ hpo: [hpo(['0000001'], { similarity: 1 })] }), s, d);
    expect(calls).toEqual([
      ['0000001', 0.2],
      ['0000001', 0.2],
      ['0000001', 0.6],
    ]);
  });

  it('hpo useOrphanet: a group also hits through an annotated ORDO disease (of any member)', () => {
    const d = stubDeps({ '0000005': ['0000002'] });
    const s = [subj('d100', { ORDO: ['100'] }), subj('d200', { ORDO: ['200'] }), subj('h', { HPO: ['0000001'] })];
    expect(match(query({ hpo: [hpo(['0000001'], { useOrphanet: true })] }), s, d)).toEqual(['d100', 'h']);
    expect(match(query({ hpo: [hpo(['0000005'], { useOrphanet: true, similarity: 0.5 })] }), s, d)).toEqual(['d200']);
    expect(match(query({ hpo: [hpo(['0000001'])] }), s, d)).toEqual(['h']);
  });

  it('hpo useOrphanet: the filter stays when the source has ORDO but no HPO', () => {
    const s = [subj('d100', { ORDO: ['100'] }), subj('none')];
    expect(match(query({ hpo: [hpo(['0000001'], { useOrphanet: true })] }), s)).toEqual(['d100']);
    expect(match(query({ hpo: [hpo(['0000001'])] }), s)).toEqual(['d100', 'none']);
  });

  it('ordo useHPO: a term also hits through an HPO term annotated to the disease', () => {
    const s = [subj('h', { HPO: ['0000001'] }), subj('o', { ORDO: ['100'] }), subj('q', { HPO: [{ '0000001': 1 }] })];
    const q = query({ ordo: [{ terms: ['100'], similarity: 1, minimumMatch: 1, useHPO: true }] });
    expect(match(q, s)).toEqual(['h', 'o']);
    q.ordo[0].useHPO = false;
    expect(match(q, s)).toEqual(['o']);
    // Source with HPO only: dropped without useHPO, kept with it.
    const hpoOnly = [subj('h', { HPO: ['0000001'] }), subj('g', { HPO: ['0000002'] })];
    expect(match(q, hpoOnly)).toEqual(['g', 'h']);
    q.ordo[0].useHPO = true;
    expect(match(q, hpoOnly)).toEqual(['h']);
  });

  it('refuses ORDO similarity below 1, reactome, and an invalid minimumMatch', () => {
    const s = [subj('a')];
    expect(() =>
      match(query({ ordo: [{ terms: ['1'], similarity: 0.9, minimumMatch: 1, useHPO: false }] }), s),
    ).toThrow(RefusedQueryError);
    expect(() =>
      match(
        query({ variant: [{ genes: [], reactome: ['R-HSA-1'], mutation: ['missense'], maxAf: 1, useLocalAf: false }] }),
        s,
      ),
    ).toThrow(RefusedQueryError);
    expect(() => match(query({ hpo: [hpo(['0000001'], { minimumMatch: 2 })] }), s)).toThrow(RefusedQueryError);
  });
});

// ---- soft match ----------------------------------------------------------------------------------------------

describe('reference: soft match', () => {
  const noHpo = [subj('a', { ORDO: ['1'] }), subj('b', { EAV: { x: 1 } })];

  it('drops a filter whose data the whole source lacks', () => {
    expect(match(query({ hpo: [hpo(['0000001'])] }), noHpo)).toEqual(['a', 'b']);
    expect(match(query({ snomed: [{ terms: ['1'], minimumMatch: 1 }] }), noHpo)).toEqual(['a', 'b']);
    expect(match(eav('y', 'stringIs', 'v'), noHpo)).toEqual(['a', 'b']);
  });

  it('keeps it, matching nothing, when requiredFilters flags the family', () => {
    const q = query({ hpo: [hpo(['0000001'])] });
    q.advanced.requiredFilters = { hpo: true };
    expect(match(q, noHpo)).toEqual([]);
    const e = eav('y', 'stringIs', 'v');
    e.advanced.requiredFilters = { eav: true };
    expect(match(e, noHpo)).toEqual([]);
    // A flag of another family changes nothing.
    q.advanced.requiredFilters = { ordo: true };
    expect(match(q, noHpo)).toEqual(['a', 'b']);
  });

  it('decides per source: one subject with the data is enough to keep the filter', () => {
    const s = [...noHpo, subj('c', { HPO: ['0000002'] })];
    expect(match(query({ hpo: [hpo(['0000001'])] }), s)).toEqual([]);
  });

  it('genes: kept by VARIANT entries alone (the genes capability), dropped without VARIANT and ALLELES', () => {
    const q = query({ genes: [{ alleles: [{ gene: 'APOE', alleles: ['e4'] }] }] });
    expect(match(q, [subj('v', { VARIANT: [{ gene: 'APOE', mutation: 'missense_variant' }] }), subj('w')])).toEqual([]);
    expect(match(q, [subj('v'), subj('w')])).toEqual(['v', 'w']);
  });

  it('variant: dropped without VARIANT entries even when ALLELES exist', () => {
    const q = query({
      variant: [{ genes: ['APOE'], reactome: [], mutation: ['missense'], maxAf: 1, useLocalAf: false }],
    });
    expect(match(q, [subj('a', { ALLELES: [{ gene: 'APOE', alleles: ['e4', 'e4'] }] })])).toEqual(['a']);
    q.advanced.requiredFilters = { variant: true };
    expect(match(q, [subj('a', { ALLELES: [{ gene: 'APOE', alleles: ['e4', 'e4'] }] })])).toEqual([]);
  });

  it('reports which filters are active', () => {
    const f = referenceFilters(
      query({ hpo: [hpo(['0000001'])], eav: [{ attribute: 'x', relation: 'numericEquals', value: 1 }] }),
      noHpo,
      deps,
    );
    expect(f.map((x) => [x.name, x.active])).toEqual([
      ['hpo[0]', false],
      ['eav[0]', true],
    ]);
  });
});

// ---- genes and variants --------------------------------------------------------------------------------------

describe('reference: alleles', () => {
  const s = [
    subj('e3e4', { ALLELES: [{ gene: 'APOE', alleles: ['e3', 'e4'] }] }),
    subj('e4e3', { ALLELES: [{ gene: 'APOE', alleles: ['e4', 'e3'] }] }),
    subj('e4e4', { ALLELES: [{ gene: 'APOE', alleles: ['e4', 'e4'] }] }),
    subj('e4', { ALLELES: [{ gene: 'APOE', alleles: ['e4'] }] }),
    subj('other', { ALLELES: [{ gene: 'CYP2D6', alleles: ['e4', '*1'] }] }),
  ];
  const q = (...specs: Array<[string, string[]]>) =>
    query({ genes: [{ alleles: specs.map(([gene, alleles]) => ({ gene, alleles })) }] });

  it('one allele: any entry of that gene carrying it', () => {
    expect(match(q(['APOE', ['e4']]), s)).toEqual(['e3e4', 'e4', 'e4e3', 'e4e4']);
    expect(match(q(['APOE', ['e3']]), s)).toEqual(['e3e4', 'e4e3']);
  });

  it('two alleles: that genotype in either order', () => {
    expect(match(q(['APOE', ['e4', 'e3']]), s)).toEqual(['e3e4', 'e4e3']);
    expect(match(q(['APOE', ['e4', 'e4']]), s)).toEqual(['e4e4']);
  });

  it('ORs the specs of one filter, ANDs two filters, and compares case-sensitively', () => {
    expect(match(q(['APOE', ['e4', 'e4']], ['CYP2D6', ['*1']]), s)).toEqual(['e4e4', 'other']);
    expect(match(q(['apoe', ['e4']]), s)).toEqual([]);
    expect(match(q(['APOE', ['E4']]), s)).toEqual([]);
    const two = query({
      genes: [{ alleles: [{ gene: 'APOE', alleles: ['e3'] }] }, { alleles: [{ gene: 'APOE', alleles: ['e4'] }] }],
    });
    expect(match(two, s)).toEqual(['e3e4', 'e4e3']);
  });
});

describe('reference: variants', () => {
  const v = (genes: string[], mutation: QueryBuilder['variant'][number]['mutation'], maxAf = 1, useLocalAf = false) =>
    query({ variant: [{ genes, reactome: [], mutation, maxAf, useLocalAf }] });

  it('matches gene and mutation class (SO terms and the class name) on one entry', () => {
    const s = [
      subj('so', { VARIANT: [{ gene: 'BRCA1', mutation: 'conservative_missense_variant' }] }),
      subj('cls', { VARIANT: [{ gene: 'BRCA1', mutation: 'missense' }] }),
      subj('otherGene', { VARIANT: [{ gene: 'TP53', mutation: 'missense_variant' }] }),
      subj('split', {
        VARIANT: [
          { gene: 'BRCA1', mutation: 'stop_gained' },
          { gene: 'TP53', mutation: 'missense_variant' },
        ],
      }),
      subj('unknown', { VARIANT: [{ gene: 'BRCA1', mutation: 'unknown' }] }),
      subj('case', { VARIANT: [{ gene: 'BRCA1', mutation: 'Missense_Variant' }] }),
    ];
    expect(match(v(['BRCA1'], ['missense']), s)).toEqual(['cls', 'so']);
    expect(match(v(['BRCA1'], ['missense', 'nonsense']), s)).toEqual(['cls', 'so', 'split']);
    expect(match(v(['BRCA1', 'TP53'], ['missense']), s)).toEqual(['cls', 'otherGene', 'so', 'split']);
    expect(match(v(['BRCA1'], ['nonCoding', 'splice', 'frameshift', 'lossOfStart', 'lossOfStop', 'indel']), s)).toEqual(
      [],
    );
  });

  it('maxAf: stored af ≤ maxAf on the matching entry; unknown af passes', () => {
    const s = [
      subj('low', { VARIANT: [{ gene: 'G', mutation: 'stop_gained', af: 0.001 }] }),
      subj('edge', { VARIANT: [{ gene: 'G', mutation: 'stop_gained', af: 0.01 }] }),
      subj('high', { VARIANT: [{ gene: 'G', mutation: 'stop_gained', af: 0.2 }] }),
      subj('none', { VARIANT: [{ gene: 'G', mutation: 'stop_gained' }] }),
      subj('lowElsewhere', {
        VARIANT: [
          { gene: 'G', mutation: 'stop_gained', af: 0.3 },
          { gene: 'H', mutation: 'stop_gained', af: 0 },
        ],
      }),
      subj('twoEntries', {
        VARIANT: [
          { gene: 'G', mutation: 'stop_gained', af: 0.3 },
          { gene: 'G', mutation: 'stop_gained', af: 0.005 },
        ],
      }),
      subj('zero', { VARIANT: [{ gene: 'G', mutation: 'stop_gained', af: 0 }] }),
    ];
    expect(match(v(['G'], ['nonsense'], 0.01), s)).toEqual(['edge', 'low', 'none', 'twoEntries', 'zero']);
    expect(match(v(['G'], ['nonsense'], 0), s)).toEqual(['none', 'zero']);
    expect(match(v(['G'], ['nonsense'], 1), s)).toHaveLength(7);
  });

  it('useLocalAf: the fraction of the source carrying (gene, mutation) ≤ maxAf', () => {
    const s: SubjectDocument[] = [];
    for (let i = 0; i < 20; i++) {
      const variants = [];
      if (i < 1) {
        variants.push({ gene: 'G', mutation: 'stop_gained', af: 0.9 });
      }
      if (i < 2) {
        variants.push({ gene: 'G', mutation: 'frameshift_variant', af: 0.0001 });
      }
      if (i < 3) {
        // twice in one subject: still one subject
        variants.push({ gene: 'G', mutation: 'intron_variant' }, { gene: 'G', mutation: 'intron_variant' });
      }
      s.push(subj(`s${String(i).padStart(2, '0')}`, { VARIANT: variants }));
    }
    expect(match(v(['G'], ['nonsense'], 0.05, true), s)).toEqual(['s00']);
    expect(match(v(['G'], ['frameshift'], 0.05, true), s)).toEqual([]);
    expect(match(v(['G'], ['frameshift'], 0.1, true), s)).toEqual(['s00', 's01']);
    expect(match(v(['G'], ['nonCoding'], 0.15, true), s)).toEqual(['s00', 's01', 's02']);
    expect(match(v(['G'], ['nonCoding'], 0.1, true), s)).toEqual([]);
    // Without useLocalAf the stored af counts instead.
    expect(match(v(['G'], ['nonsense'], 0.05), s)).toEqual([]);
  });
});

// ---- EAV -----------------------------------------------------------------------------------------------------

describe('reference: eav', () => {
  const s = [
    subj('str', { EAV: { k: 'Male' } }),
    subj('num', { EAV: { k: 42 } }),
    subj('numStr', { EAV: { k: '42' } }),
    subj('bool', { EAV: { k: true } }),
    subj('arr', { EAV: { k: ['a', 'b', 7] } }),
    subj('nums', { EAV: { k: [1, 2.5] } }),
    subj('missing', { EAV: { other: 'Male' } }),
  ];

  it('stringIs: an element equals the value, same type', () => {
    expect(match(eav('k', 'stringIs', 'Male'), s)).toEqual(['str']);
    expect(match(eav('k', 'stringIs', 'male'), s)).toEqual([]);
    expect(match(eav('k', 'stringIs', '42'), s)).toEqual(['numStr']);
    expect(match(eav('k', 'stringIs', 'b'), s)).toEqual(['arr']);
    expect(match(eav('k', 'stringIs', true), s)).toEqual(['bool']);
    expect(match(eav('k', 'stringIs', 'true'), s)).toEqual([]);
  });

  it('stringIsNot: an element of the value type, none equal; never a subject without the attribute', () => {
    expect(match(eav('k', 'stringIsNot', 'a'), s)).toEqual(['numStr', 'str']);
    expect(match(eav('k', 'stringIsNot', 'Male'), s)).toEqual(['arr', 'numStr']);
    expect(match(eav('k', 'stringIsNot', false), s)).toEqual(['bool']);
    expect(match(eav('k', 'stringIsNot', true), s)).toEqual([]);
  });

  it('regexContains / regexDoesNotContain: string elements, case-insensitive', () => {
    expect(match(eav('k', 'regexContains', '^m'), s)).toEqual(['str']);
    expect(match(eav('k', 'regexContains', '[0-9]+'), s)).toEqual(['numStr']);
    expect(match(eav('k', 'regexContains', 'B'), s)).toEqual(['arr']);
    expect(match(eav('k', 'regexDoesNotContain', 'a'), s)).toEqual(['numStr']);
    expect(match(eav('k', 'regexDoesNotContain', 'zzz'), s)).toEqual(['arr', 'numStr', 'str']);
  });

  it('refuses unsafe patterns', () => {
    for (const p of ['a(?=b)', '(?!x)', '(?<=a)b', '(?<!a)b', '(a)\\1', '(?<n>a)\\k<n>', 'a'.repeat(201)]) {
      expect(() => match(eav('k', 'regexContains', p), s)).toThrow(RefusedQueryError);
    }
    expect(match(eav('k', 'regexContains', 'a'.repeat(200)), s)).toEqual([]);
  });

  it('numeric relations: number elements only', () => {
    expect(match(eav('k', 'numericEquals', 42), s)).toEqual(['num']);
    expect(match(eav('k', 'numericEquals', 2.5), s)).toEqual(['nums']);
    expect(match(eav('k', 'numericNotEquals', 42), s)).toEqual(['arr', 'nums']);
    expect(match(eav('k', 'numericNotEquals', 1), s)).toEqual(['arr', 'num']);
    expect(match(eav('k', 'numericGreaterThan', 7), s)).toEqual(['num']);
    expect(match(eav('k', 'numericGreaterThanOrEqual', 7), s)).toEqual(['arr', 'num']);
    expect(match(eav('k', 'numericLessThan', 2.5), s)).toEqual(['nums']);
    expect(match(eav('k', 'numericLessThanOrEqual', 2.5), s)).toEqual(['nums']);
    expect(match(eav('k', 'numericLessThanOrEqual', 7), s)).toEqual(['arr', 'nums']);
  });

  it('normalises the attribute name as ingestion does', () => {
    const t = [subj('a', { EAV: { lab_result: 3 } }), subj('b', { EAV: { _score: 3 } }), subj('c', { EAV: { x: 1 } })];
    expect(match(eav('lab.result', 'numericEquals', 3), t)).toEqual(['a']);
    expect(match(eav('$score', 'numericEquals', 3), t)).toEqual(['b']);
    expect(match(eav('lab_result', 'numericEquals', 3), t)).toEqual(['a']);
  });

  it('rejects a value of the wrong type for the relation', () => {
    expect(() => match(eav('k', 'numericEquals', '42'), s)).toThrow(RefusedQueryError);
    expect(() => match(eav('k', 'regexContains', true), s)).toThrow(RefusedQueryError);
    expect(() => match(eav('k', 'stringIs', 42), s)).toThrow(RefusedQueryError);
  });
});

// ---- demographics --------------------------------------------------------------------------------------------

describe('reference: subject (demographics)', () => {
  const withSubject = (subject: SubjectFilter) => query({ subject });

  it('gender: gender/sex under any casing, male/m, female/f in any case; any = not provided', () => {
    const s = [
      subj('Sex-M', { EAV: { Sex: 'M' } }),
      subj('gender-male', { EAV: { gender: 'male' } }),
      subj('GENDER-FEMALE', { EAV: { GENDER: 'FEMALE' } }),
      subj('sex_arr', { EAV: { S_E_X: ['x', 'f'] } }),
      subj('unknown', { EAV: { sex: 'unknown' } }),
      subj('bool', { EAV: { sex: true } }),
      subj('other', { EAV: { sexuality: 'male' } }),
      subj('none'),
    ];
    expect(match(withSubject({ gender: 'male' }), s)).toEqual(['Sex-M', 'gender-male']);
    expect(match(withSubject({ gender: 'female' }), s)).toEqual(['GENDER-FEMALE', 'sex_arr']);
    expect(match(withSubject({ gender: 'any' }), s)).toHaveLength(s.length);
  });

  it('gender: any backing attribute may hit', () => {
    const s = [subj('both', { EAV: { Sex: 'unknown', gender: 'F' } })];
    expect(match(withSubject({ gender: 'female' }), s)).toEqual(['both']);
  });

  it('age: a number element in [min, max]; 0–100 is not provided', () => {
    const s = [
      subj('a10', { EAV: { age: 10 } }),
      subj('a20', { EAV: { AGE: 20 } }),
      subj('a30', { EAV: { Age: [5, 30] } }),
      subj('str', { EAV: { age: '20' } }),
      subj('none'),
    ];
    expect(match(withSubject({ age: { min: 10, max: 20 } }), s)).toEqual(['a10', 'a20']);
    expect(match(withSubject({ age: { min: 21, max: 30 } }), s)).toEqual(['a30']);
    expect(match(withSubject({ age: { min: 0, max: 100 } }), s)).toHaveLength(s.length);
    expect(match(withSubject({ age: { min: 0, max: 99 } }), s)).toEqual(['a10', 'a20', 'a30']);
  });

  it('ageFirstDiagnosis and ageFirstSymptoms: their own attribute names', () => {
    const s = [
      subj('diag', { EAV: { age_at_diagnosis: 5 } }),
      subj('diag2', { EAV: { 'Age of diagnosis': 6, age: 50 } }),
      subj('diag3', { EAV: { ageFirstDiagnosis: 7 } }),
      subj('onset', { EAV: { age_at_onset: 5 } }),
      subj('onset2', { EAV: { 'Age of Onset': 6 } }),
      subj('onset3', { EAV: { age_at_first_symptoms: 7, AgeFirstSymptoms: 70 } }),
    ];
    expect(match(withSubject({ ageFirstDiagnosis: { min: 5, max: 7 } }), s)).toEqual(['diag', 'diag2', 'diag3']);
    expect(match(withSubject({ ageFirstSymptoms: { min: 5, max: 7 } }), s)).toEqual(['onset', 'onset2', 'onset3']);
    expect(match(withSubject({ age: { min: 5, max: 7 } }), s)).toEqual([]);
  });

  it('affectedOnly: true, 1, true/yes/y/affected in any case; false = not provided', () => {
    const values: Array<[string, unknown]> = [
      ['t', true],
      ['one', 1],
      ['TRUE', 'TRUE'],
      ['Yes', 'Yes'],
      ['y', 'y'],
      ['Affected', 'Affected'],
      ['arr', ['no', 'yes']],
      ['f', false],
      ['zero', 0],
      ['no', 'no'],
      ['unaffected', 'unaffected'],
      ['two', 2],
    ];
    const s = values.map(([id, v]) => subj(id, { EAV: { Affected: v as string } }));
    expect(match(withSubject({ affectedOnly: true }), s)).toEqual(['Affected', 'TRUE', 'Yes', 'arr', 'one', 't', 'y']);
    expect(match(withSubject({ affectedOnly: false }), s)).toHaveLength(s.length);
  });

  it('familyType: singleton(s), trio(s), family/families in any case, for the types asked for', () => {
    const s = ['Trio', 'trios', 'singleton', 'SINGLETONS', 'family', 'Families', 'duo'].map((v) =>
      subj(v, { EAV: { family_type: v } }),
    );
    const ft = (singletons: boolean, trios: boolean, family: boolean) =>
      withSubject({ familyType: { singletons, trios, family } });
    expect(match(ft(false, true, false), s)).toEqual(['Trio', 'trios']);
    expect(match(ft(true, false, true), s)).toEqual(['Families', 'SINGLETONS', 'family', 'singleton']);
    expect(match(ft(false, false, false), s)).toHaveLength(s.length);
  });

  it('ANDs the parts, each soft-matched on its own', () => {
    const s = [
      subj('m30', { EAV: { sex: 'm', age: 30 } }),
      subj('f30', { EAV: { sex: 'f', age: 30 } }),
      subj('m70', { EAV: { sex: 'm', age: 70 } }),
    ];
    expect(match(withSubject({ gender: 'male', age: { min: 20, max: 40 } }), s)).toEqual(['m30']);
    // No family_type in the source: that part is dropped, the others stay.
    expect(
      match(withSubject({ gender: 'male', familyType: { singletons: true, trios: false, family: false } }), s),
    ).toEqual(['m30', 'm70']);
  });

  it('requiredFilters: subject flags every part, subjectCapability.<x> its own', () => {
    const s = [subj('m', { EAV: { sex: 'm' } })];
    const q = withSubject({ gender: 'male', age: { min: 1, max: 2 } });
    expect(match(q, s)).toEqual(['m']);
    q.advanced.requiredFilters = { subjectCapability: { gender: true } };
    expect(match(q, s)).toEqual(['m']);
    q.advanced.requiredFilters = { subjectCapability: { age: true } };
    expect(match(q, s)).toEqual([]);
    q.advanced.requiredFilters = { subject: true };
    expect(match(q, s)).toEqual([]);
    const a = withSubject({ affectedOnly: true, ageFirstSymptoms: { min: 1, max: 2 } });
    a.advanced.requiredFilters = { subjectCapability: { affected: true } };
    expect(match(a, s)).toEqual([]);
    a.advanced.requiredFilters = { subjectCapability: { familyType: true } };
    expect(match(a, s)).toEqual(['m']);
  });
});

// ---- access levels and answers -------------------------------------------------------------------------------

describe('reference: answers', () => {
  it('range buckets at their edges', () => {
    const cases: Array<[number, number, number]> = [
      [0, 0, 0],
      [1, 1, 9],
      [9, 1, 9],
      [10, 10, 49],
      [49, 10, 49],
      [50, 50, 99],
      [99, 50, 99],
      [100, 100, 499],
      [499, 100, 499],
      [500, 500, 999],
      [999, 500, 999],
      [1000, 1000, 4999],
      [4999, 1000, 4999],
      [5000, 5000, 9999],
      [9999, 5000, 9999],
      [10000, 10000, 49999],
      [1_234_567, 1_000_000, 4_999_999],
    ];
    for (const [n, min, max] of cases) {
      expect([n, referenceRange(n)]).toEqual([n, { min, max }]);
    }
  });

  it('level: the highest group policy, lowered (never raised) by the request, noAccess without a group', () => {
    expect(referenceLevel([])).toBe('noAccess');
    expect(referenceLevel([], 'detailedList')).toBe('noAccess');
    expect(referenceLevel(['boolean', 'list', 'count'])).toBe('list');
    expect(referenceLevel(['boolean', 'list'], 'count')).toBe('count');
    expect(referenceLevel(['range'], 'detailedList')).toBe('range');
    expect(referenceLevel(['noAccess'])).toBe('noAccess');
  });

  it('answers each level with its fields, lists sorted by subjectId', () => {
    const docs = [subj('b', { HPO: ['0000001'], EAV: { x: 1 } }), subj('a', { dataFiles: ['f'] })];
    expect(referenceAnswer('noAccess', docs)).toBeNull();
    expect(referenceAnswer('boolean', docs)).toEqual({ exist: true });
    expect(referenceAnswer('boolean', [])).toEqual({ exist: false });
    expect(referenceAnswer('range', docs)).toEqual({ recordRange: { min: 1, max: 9 } });
    expect(referenceAnswer('count', docs)).toEqual({ recordCount: 2 });
    expect(referenceAnswer('list', docs)).toEqual({
      resultDetails: { subjects: [{ subjectId: 'a' }, { subjectId: 'b' }] },
    });
    const detailed = referenceAnswer('detailedList', [{ ...docs[0], _variantKeys: ['x'] } as SubjectDocument, docs[1]]);
    expect(detailed).toEqual({ resultDetails: { subjects: [docs[1], docs[0]] } });
  });

  it('answers several sources: sources restriction, levels, granularity', () => {
    const sources = [
      { sourceId: 's1', subjects: [subj('a', { HPO: ['0000001'] }), subj('b', { HPO: ['0000002'] })] },
      { sourceId: 's2', subjects: [subj('c', { HPO: ['0000001'] })] },
      { sourceId: 's3', subjects: [subj('d')] },
    ];
    const policies: Record<string, DiscoveryPolicy[]> = { s1: ['count'], s2: ['list', 'boolean'] };
    const q = query({ hpo: [hpo(['0000001'])] });
    const all = referenceResponses(q, sources, policies, deps);
    expect([...all.entries()]).toEqual([
      ['s1', { granularity: 'count', recordCount: 1 }],
      ['s2', { granularity: 'list', resultDetails: { subjects: [{ subjectId: 'c' }] } }],
    ]);
    q.sources = ['s2', 'nope'];
    q.advanced.granularity = 'boolean';
    expect([...referenceResponses(q, sources, policies, deps).entries()]).toEqual([
      ['s2', { granularity: 'boolean', exist: true }],
    ]);
  });
});

// ---- fixture and random queries ------------------------------------------------------------------------------

describe('fixture and random queries', () => {
  it('reads the 40 current terms of the test HPO and its ORPHA annotations', () => {
    const o = loadFixtureOntology();
    expect(o.termIds).toHaveLength(40);
    expect(o.obsoleteIds).toHaveLength(3);
    expect(fixtureAnnotationDeps().diseasesOfHpo('0000252').sort()).toEqual(['1934', '2542']);
    expect(fixtureAnnotationDeps().hpoOfDisease('306').sort()).toEqual(['0002266', '0020221']);
  });

  it('generates the same fixture for the same seed', () => {
    const a = generateFixture(42);
    expect(generateFixture(42)).toEqual(a);
    expect(generateFixture(43)).not.toEqual(a);
    expect(a.sources.map((s) => [s.sourceId, s.subjects.length])).toEqual([
      ['src-clinic', 1200],
      ['src-vcf', 1000],
      ['src-registry', 700],
      ['src-biobank', 100],
    ]);
    for (const s of a.sources) {
      expect(new Set(s.subjects.map((x) => x.subjectId)).size).toBe(s.subjects.length);
    }
    expect(a.sources.find((s) => s.sourceId === 'src-biobank')?.subjects.some((x) => x.HPO.length > 0)).toBe(false);
  });

  it('generates queries with a healthy mix of empty and non-empty answers', () => {
    const fixture = generateFixture(1);
    const info = describeFixture(fixture);
    const d = toyDeps();
    const rng = mulberry32(99);
    const n = 300;
    let someNonEmpty = 0;
    let someEmpty = 0;
    let refused = 0;
    const families = { hpo: 0, ordo: 0, snomed: 0, genes: 0, variant: 0, eav: 0, subject: 0 };
    for (let i = 0; i < n; i++) {
      const q = randomQuery(rng, info, { withOrphanetMapping: true });
      for (const k of ['hpo', 'ordo', 'snomed', 'genes', 'variant', 'eav'] as const) {
        expect(Array.isArray(q[k])).toBe(true);
        families[k] += q[k].length > 0 ? 1 : 0;
      }
      families.subject += q.subject ? 1 : 0;
      expect(q.advanced.requiredFilters).toBeDefined();
      let nonEmpty = false;
      let empty = false;
      try {
        for (const source of fixture.sources) {
          const size = referenceMatches(q, source.subjects, d).size;
          nonEmpty ||= size > 0;
          empty ||= size === 0;
        }
      } catch (e) {
        if (e instanceof RefusedQueryError) {
          refused++;
          continue;
        }
        throw e;
      }
      someNonEmpty += nonEmpty ? 1 : 0;
      someEmpty += empty ? 1 : 0;
    }
    expect(refused).toBe(0);
    expect(someNonEmpty).toBeGreaterThanOrEqual(0.2 * n);
    expect(someEmpty).toBeGreaterThanOrEqual(0.2 * n);
    for (const count of Object.values(families)) {
      expect(count).toBeGreaterThan(10);
    }
  });

  it('generates the same queries for the same seed, and no mapping flags unless asked', () => {
    const info = describeFixture(generateFixture(5, { scale: 0.1 }));
    const a = Array.from({ length: 50 }, (_, i) => randomQuery(mulberry32(i), info));
    const b = Array.from({ length: 50 }, (_, i) => randomQuery(mulberry32(i), info));
    expect(b).toEqual(a);
    expect(a.some((q) => q.hpo.some((f) => f.useOrphanet) || q.ordo.some((f) => f.useHPO))).toBe(false);
  });
});
