import { jsonObjectProblem } from './json-object.validator';

describe('jsonObjectProblem', () => {
  const limits = { maxBytes: 100, maxDepth: 3 };

  it.each([
    ['an empty object', {}],
    ['flat values', { a: true, b: 1, c: 'x', d: null }],
    ['nesting up to the limit', { a: { b: { c: 1 } } }],
    ['arrays of values', { a: [1, 2, 3] }],
  ])('should accept %s', (_label, value) => {
    expect(jsonObjectProblem(value, limits)).toBeUndefined();
  });

  it.each([
    ['null', null, 'must be an object'],
    ['an array', [1], 'must be an object'],
    ['a string', 'x', 'must be an object'],
    ['nesting past the limit', { a: { b: { c: { d: 1 } } } }, 'deeper than 3'],
    ['a $ key', { $where: 'x' }, 'invalid key'],
    ['a dotted key', { 'a.b': 1 }, 'invalid key'],
    ['an oversize object', { a: 'x'.repeat(200) }, 'at most 100 bytes'],
    ['a non-finite number', { a: Number.NaN }, 'finite'],
  ])('should refuse %s', (_label, value, problem) => {
    expect(jsonObjectProblem(value, limits)).toContain(problem);
  });
});
