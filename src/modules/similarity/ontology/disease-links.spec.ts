import type { OntologyTerm } from '../similarity.types';
import { DiseaseLinks } from './disease-links';
import { Ontology } from './ontology';

function t(id: string, parents: string[] = [], extra: Partial<OntologyTerm> = {}): OntologyTerm {
  return {
    id,
    label: `term ${id}`,
    definition: '',
    synonyms: [],
    comment: '',
    parents,
    obsolete: false,
    replacedBy: [],
    consider: [],
    altIds: [],
    ...extra,
  };
}

describe(DiseaseLinks.name, () => {
  // Current terms 1..4 (4 has the alt_id 9), obsolete 5 (replaced by 3).
  const terms = [
    t('0000001'),
    t('0000002', ['0000001']),
    t('0000003', ['0000001']),
    t('0000004', ['0000002'], { altIds: ['0000009'] }),
    t('0000005', [], { obsolete: true, replacedBy: ['0000003'] }),
  ];
  const links = new Ontology(
    terms,
    new Map([['0000002', 1]]),
    new Map([
      ['1934', ['0000002', '0000003']],
      ['558', ['0000004', '0000009']], // the alt_id names the same term: one link
      ['79', ['0000005', '0000008']], // obsolete and unknown: dropped, and the disease with them
      ['98', ['0000003', '0000008']],
    ]),
  ).diseaseLinks;

  it('should keep current terms, map alt IDs to their primary term and drop the rest', () => {
    expect([...links.diseases()]).toEqual([
      ['98', ['0000003']],
      ['558', ['0000004']],
      ['1934', ['0000002', '0000003']],
    ]);
    expect({ diseases: links.diseaseCount, links: links.linkCount, unmatched: links.unmatchedTerms }).toEqual({
      diseases: 3,
      links: 4,
      unmatched: 2, // 0000005 and 0000008 (counted once)
    });
    expect(links.empty).toBe(false);
  });

  it('should answer the diseases of a term in numeric ORPHA order, any HPO ID form', () => {
    expect(links.diseasesOfTerm('0000003')).toEqual(['98', '1934']);
    expect(links.diseasesOfTerm('HP:0000003')).toEqual(['98', '1934']);
    expect(links.diseasesOfTerm('hp_0000004')).toEqual(['558']);
  });

  it('should answer the terms of a disease, any ORPHA ID form', () => {
    for (const id of ['1934', 'ORPHA:1934', 'Orphanet:1934', 'Orphanet_1934', 'orpha_01934']) {
      expect(links.termsOfDisease(id)).toEqual(['0000002', '0000003']);
    }
  });

  it('should answer [] for what has no link: unannotated, alt, obsolete, unknown and malformed IDs', () => {
    for (const id of ['0000001', '0000009', '0000005', '9999999', 'x']) {
      expect(links.diseasesOfTerm(id)).toEqual([]);
    }
    for (const id of ['79', '1', 'OMIM:1934', 'x']) {
      expect(links.termsOfDisease(id)).toEqual([]);
    }
  });

  it('should answer copies', () => {
    links.termsOfDisease('1934').push('x');
    links.diseasesOfTerm('0000003').push('x');
    expect(links.termsOfDisease('1934')).toEqual(['0000002', '0000003']);
    expect(links.diseasesOfTerm('0000003')).toEqual(['98', '1934']);
  });

  it('should be empty without ORPHA annotations', () => {
    const none = new Ontology(terms, new Map([['0000002', 1]])).diseaseLinks;
    expect(none.empty).toBe(true);
    expect([...none.diseases()]).toEqual([]);
    expect(none.diseasesOfTerm('0000002')).toEqual([]);
    expect(new Ontology(terms).diseaseLinks.empty).toBe(true);
  });
});
