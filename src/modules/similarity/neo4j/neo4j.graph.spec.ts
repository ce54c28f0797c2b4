import { searchText, similarTypeOf, similarTypes } from './neo4j.graph';

describe('neo4j.graph', () => {
  describe(similarTypeOf.name, () => {
    it('should put each score in the band that starts at or below it', () => {
      expect([0.2, 0.3999, 0.4, 0.6, 0.7999, 0.8, 1].map(similarTypeOf)).toEqual([
        'SIMILAR_20',
        'SIMILAR_20',
        'SIMILAR_40',
        'SIMILAR_60',
        'SIMILAR_60',
        'SIMILAR_80',
        'SIMILAR_80',
      ]);
    });
  });

  describe(similarTypes.name, () => {
    it.each([
      [0.2, ['SIMILAR_20', 'SIMILAR_40', 'SIMILAR_60', 'SIMILAR_80']],
      [0.39, ['SIMILAR_20', 'SIMILAR_40', 'SIMILAR_60', 'SIMILAR_80']],
      [0.4, ['SIMILAR_40', 'SIMILAR_60', 'SIMILAR_80']],
      [0.6, ['SIMILAR_60', 'SIMILAR_80']],
      [0.79, ['SIMILAR_60', 'SIMILAR_80']],
      [0.8, ['SIMILAR_80']],
      [1.5, ['SIMILAR_80']],
    ])('should name every band that can hold a score ≥ %p', (threshold, types) => {
      expect(similarTypes(threshold)).toEqual(types);
    });
  });

  describe(searchText.name, () => {
    it('should hold the ID, label, synonyms and definition lowercased, one per line', () => {
      expect(
        searchText({ id: '0001250', label: 'Seizure', synonyms: ['Epileptic seizure'], definition: 'A Seizure is…' }),
      ).toBe('0001250\nseizure\nepileptic seizure\na seizure is…');
    });
  });
});
