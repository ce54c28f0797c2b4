import { emptyCapability } from '@/modules/data/ingestion/indexer';
import { variantKey } from '@/modules/data/subjects/query-keys';
import { queryBuilder } from '../query.types';
import {
  combinationCount,
  compileForSource,
  exactExpansions,
  type Expansions,
  localAfKeys,
  MATCH_NOTHING,
  MAX_MATCH_COMBINATIONS,
  type SourceQueryContext,
} from './compile';
import { recordRange } from '../execution/shape';

const query = queryBuilder;

function ctx(over: Partial<SourceQueryContext['capability']> = {}, attributes: string[] = []): SourceQueryContext {
  return { capability: { ...emptyCapability(), ...over }, attributes };
}

const hpoFilter = (terms: string[], minimumMatch = 1) => ({ terms, similarity: 1, minimumMatch, useOrphanet: false });

describe('compileForSource', () => {
  it('should match every subject when no filter is given', () => {
    const q = query({});
    expect(compileForSource(q, ctx({ hpo: true }), exactExpansions(q))).toEqual({});
  });

  it('should use one $in over every group member when one term of a filter must match', () => {
    const q = query({ hpo: [{ ...hpoFilter(['0000001', '0000002']), similarity: 0.6 }] });
    const exp: Expansions = {
      hpo: [
        [
          { own: ['0000001', '0000010'], mapped: [] },
          { own: ['0000002', '0000010'], mapped: [] },
        ],
      ],
      ordo: [],
    };
    expect(compileForSource(q, ctx({ hpo: true }), exp)).toEqual({ HPO: { $in: ['0000001', '0000010', '0000002'] } });
  });

  it('should AND two filters of one family', () => {
    const q = query({ hpo: [hpoFilter(['0000001']), hpoFilter(['0000002'])] });
    expect(compileForSource(q, ctx({ hpo: true }), exactExpansions(q))).toEqual({
      $and: [{ HPO: { $in: ['0000001'] } }, { HPO: { $in: ['0000002'] } }],
    });
  });

  it('should OR every choice of minimumMatch groups, each group counted once', () => {
    const q = query({ hpo: [hpoFilter(['1', '2', '3'], 2)] });
    const f = compileForSource(q, ctx({ hpo: true }), exactExpansions(q));
    expect(f).toEqual({
      $or: [
        { $and: [{ HPO: { $in: ['1'] } }, { HPO: { $in: ['2'] } }] },
        { $and: [{ HPO: { $in: ['1'] } }, { HPO: { $in: ['3'] } }] },
        { $and: [{ HPO: { $in: ['2'] } }, { HPO: { $in: ['3'] } }] },
      ],
    });
  });

  it('should drop a filter whose family the source lacks, unless it is required', () => {
    const q = query({ hpo: [hpoFilter(['0000001'])], eav: [{ attribute: 'x', relation: 'stringIs', value: 'a' }] });
    expect(compileForSource(q, ctx({ ordo: true }), exactExpansions(q))).toEqual({});
    const required = { ...q, advanced: { requiredFilters: { hpo: true } } };
    expect(compileForSource(required, ctx({ ordo: true }), exactExpansions(q))).toEqual(MATCH_NOTHING);
  });

  it('should read demographics from the source attributes with a matching name', () => {
    const q = query({ subject: { gender: 'female', age: { min: 10, max: 20 } } });
    const f = compileForSource(q, ctx({ eav: true }, ['Sex', 'gender', 'age', 'weight']), exactExpansions(q));
    expect(f).toEqual({
      $and: [
        {
          $or: [
            { 'EAV.Sex': { $regex: '^(f|female)$', $options: 'i' } },
            { 'EAV.gender': { $regex: '^(f|female)$', $options: 'i' } },
          ],
        },
        { 'EAV.age': { $gte: 10, $lte: 20 } },
      ],
    });
  });

  it('should compare variant frequencies per (gene, mutation) key', () => {
    const q = query({
      variant: [{ genes: ['BRCA1'], reactome: [], mutation: ['nonsense'], maxAf: 0.01, useLocalAf: false }],
    });
    const keys = [variantKey('BRCA1', 'nonsense'), variantKey('BRCA1', 'stop_gained')];
    expect(compileForSource(q, ctx({ variant: true }), exactExpansions(q))).toEqual({
      $and: [{ _variantKeys: { $in: keys } }, { $or: keys.map((k) => ({ [`_variantAf.${k}`]: { $lte: 0.01 } })) }],
    });
  });

  it('should keep only the keys whose local frequency is low enough with useLocalAf', () => {
    const q = query({
      variant: [{ genes: ['G'], reactome: [], mutation: ['nonsense'], maxAf: 0.1, useLocalAf: true }],
    });
    expect(localAfKeys(q)).toEqual([variantKey('G', 'nonsense'), variantKey('G', 'stop_gained')]);
    const c = {
      ...ctx({ variant: true }),
      localAf: new Map([
        [variantKey('G', 'stop_gained'), 0.05],
        [variantKey('G', 'nonsense'), 0.5],
      ]),
    };
    expect(compileForSource(q, c, exactExpansions(q))).toEqual({
      _variantKeys: { $in: [variantKey('G', 'stop_gained')] },
    });
    expect(compileForSource(q, ctx({ variant: true }), exactExpansions(q))).toEqual(MATCH_NOTHING);
  });

  it('should require a number element for numericNotEquals and a string element for the negative string relations', () => {
    const q = query({
      eav: [
        { attribute: 'n', relation: 'numericNotEquals', value: 3 },
        { attribute: 's', relation: 'stringIsNot', value: true },
        { attribute: 's', relation: 'regexDoesNotContain', value: '^a' },
      ],
    });
    expect(compileForSource(q, ctx({ eav: true }, ['n', 's']), exactExpansions(q))).toEqual({
      $and: [
        { 'EAV.n': { $type: 'number', $ne: 3 } },
        { 'EAV.s': { $type: 'bool', $ne: true } },
        { 'EAV.s': { $type: 'string', $not: /^a/i } },
      ],
    });
  });
});

describe('combinationCount', () => {
  it('should count subsets and stop just above the limit', () => {
    expect(combinationCount(3, 2)).toBe(3);
    expect(combinationCount(10, 5)).toBe(252);
    expect(combinationCount(12, 4)).toBe(495);
    expect(combinationCount(100, 50)).toBe(MAX_MATCH_COMBINATIONS + 1);
  });
});

describe('recordRange', () => {
  it.each([
    [0, 0, 0],
    [1, 1, 9],
    [9, 1, 9],
    [10, 10, 49],
    [49, 10, 49],
    [50, 50, 99],
    [99, 50, 99],
    [100, 100, 499],
    [999, 500, 999],
    [1000, 1000, 4999],
    [9999, 5000, 9999],
    [123456, 100000, 499999],
  ])('should put %i in [%i, %i]', (n, min, max) => {
    expect(recordRange(n)).toEqual({ min, max });
  });
});
