import { mergeSubject } from './subject-builder';

describe('mergeSubject', () => {
  it('should de-duplicate arrays in first-seen order, objects by content', () => {
    const doc = mergeSubject([
      { subjectId: 'P1', HPO: ['0001250', { '0003581': 35 }], ORDO: ['558'], dataFiles: ['f1'] },
      { HPO: ['0000252', '0001250', { '0003581': 35 }], ORDO: ['558', '778'], dataFiles: ['f2', 'f1'] },
    ]);
    expect(doc).toMatchObject({
      subjectId: 'P1',
      HPO: ['0001250', { '0003581': 35 }, '0000252'],
      ORDO: ['558', '778'],
      dataFiles: ['f1', 'f2'],
    });
  });

  it('should merge EAV values of one key into an array of distinct values', () => {
    const doc = mergeSubject([
      { EAV: { sex: 'female', age: 34, tags: ['a', 'b'] } },
      { EAV: { sex: 'female', age: '34', tags: 'c' } },
    ]);
    expect(doc.EAV).toEqual({ sex: 'female', age: [34, '34'], tags: ['a', 'b', 'c'] });
  });

  it('should keep one VARIANT per (gene, mutation) with the highest af and merge ALLELES', () => {
    const doc = mergeSubject([
      { VARIANT: [{ gene: 'TTN', mutation: 'missense_variant' }], ALLELES: [{ gene: 'APOE', alleles: ['e3', 'e4'] }] },
      {
        VARIANT: [
          { gene: 'TTN', mutation: 'missense_variant', af: 0.2 },
          { gene: 'TTN', mutation: 'stop_gained', af: 0.1 },
        ],
        ALLELES: [{ gene: 'APOE', alleles: ['e3', 'e4'] }],
      },
    ]);
    expect(doc.VARIANT).toEqual([
      { gene: 'TTN', mutation: 'missense_variant', af: 0.2 },
      { gene: 'TTN', mutation: 'stop_gained', af: 0.1 },
    ]);
    expect(doc.ALLELES).toEqual([{ gene: 'APOE', alleles: ['e3', 'e4'] }]);
  });

  it('should fill every field of an empty merge', () => {
    expect(mergeSubject([])).toEqual({
      subjectId: '',
      HPO: [],
      ORDO: [],
      SNOMED: [],
      NCIT: [],
      ALLELES: [],
      VARIANT: [],
      EAV: {},
      dataFiles: [],
    });
  });
});
