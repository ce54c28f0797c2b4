import { alleleKey, queryKeys, variantKey } from './query-keys';

describe('queryKeys', () => {
  it('should key each (gene, mutation) once with its highest af, unknown af as 0', () => {
    const keys = queryKeys({
      VARIANT: [
        { gene: 'SCN1A', mutation: 'missense_variant', af: 0.01 },
        { gene: 'SCN1A', mutation: 'missense_variant', af: 0.2 },
        { gene: 'DMD', mutation: 'stop_gained' },
      ],
      ALLELES: [],
    });
    expect(keys).toEqual({
      _variantKeys: ['SCN1A|missense_variant', 'DMD|stop_gained'],
      _variantAf: { 'SCN1A|missense_variant': 0.2, 'DMD|stop_gained': 0 },
      _alleleKeys: [],
    });
  });

  it('should key each allele carried and the genotype in either order', () => {
    const keys = queryKeys({ VARIANT: [], ALLELES: [{ gene: 'APOE', alleles: ['e4', 'e3'] }] });
    expect(keys._alleleKeys).toEqual(['APOE|e4', 'APOE|e3', 'APOE|e3/e4']);
    expect(alleleKey('APOE', ['e3', 'e4'])).toBe('APOE|e3/e4');
    expect(alleleKey('APOE', ['e4', 'e3'])).toBe('APOE|e3/e4');
  });

  it('should make keys that are valid field names and cannot be confused', () => {
    expect(variantKey('A.B', '$x')).toBe('A%2EB|%24x');
    expect(variantKey('A|B', 'c')).not.toBe(variantKey('A', 'B|c'));
    expect(alleleKey('G', ['a/b'])).not.toBe(alleleKey('G', ['a', 'b']));
  });
});
