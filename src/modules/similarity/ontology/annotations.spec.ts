import { join } from 'node:path';
import { parseAnnotationLines, parseAnnotations, readAnnotations, readAnnotationsFile } from './annotations';
import { OntologyInputError } from './obo-parser';

const FIXTURES = join(__dirname, '../../../../test/fixtures/hpo');

const HPOA_HEADER =
  'database_id\tdisease_name\tqualifier\thpo_id\treference\tevidence\tonset\tfrequency\tsex\tmodifier\taspect\tbiocuration';
const row = (db: string, hpo: string, aspect = 'P', qualifier = '') =>
  [db, 'Some disease', qualifier, hpo, 'PMID:1', 'PCS', '', '', '', '', aspect, 'HPO:x[2025-01-01]'].join('\t');

describe('parseAnnotationLines', () => {
  it('should count distinct diseases per term in phenotype.hpoa, phenotype rows only, without NOT rows', () => {
    const counts = parseAnnotationLines([
      '#description: "HPO annotations for rare diseases"',
      '#version: 2025-01-16',
      HPOA_HEADER,
      row('OMIM:1', 'HP:0001250'),
      row('OMIM:1', 'HP:0001250'), // the same pair again (another reference): still one disease
      row('OMIM:2', 'HP:0001250'),
      row('OMIM:2', 'HP:0001249', 'P', 'NOT'),
      row('OMIM:2', 'HP:0000006', 'I'),
      row('ORPHA:3', 'HP:0003577', 'C'),
      row('ORPHA:3', 'HP:0001249'),
    ]);
    expect(counts).toEqual(
      new Map([
        ['0001250', 2],
        ['0001249', 1],
      ]),
    );
  });

  it('should read the pre-2021 hpoa header', () => {
    const counts = parseAnnotationLines([
      '#DatabaseID\tDiseaseName\tQualifier\tHPO_ID\tReference\tEvidence\tOnset\tFrequency\tSex\tModifier\tAspect\tBiocuration',
      row('OMIM:1', 'HP:0001250'),
    ]);
    expect(counts).toEqual(new Map([['0001250', 1]]));
  });

  it('should count distinct genes per term in genes_to_phenotype.txt', () => {
    const counts = parseAnnotationLines([
      'ncbi_gene_id\tgene_symbol\thpo_id\thpo_name\tfrequency\tdisease_id',
      '6323\tSCN1A\tHP:0001250\tSeizure\t-\tOMIM:607208',
      '6323\tSCN1A\tHP:0001250\tSeizure\t-\tOMIM:604403',
      '6324\tSCN1B\tHP:0001250\tSeizure\t-\tOMIM:604233',
    ]);
    expect(counts).toEqual(new Map([['0001250', 2]]));
  });

  it.each([
    ['phenotype_to_genes.txt', ['hpo_id\thpo_name\tncbi_gene_id\tgene_symbol\tdisease_id'], 'already propagated'],
    ['an unknown header', ['a\tb\tc'], 'line 1: unknown annotation format'],
    ['an empty file', ['#only comments'], 'no header line'],
    ['a short row', [HPOA_HEADER, 'OMIM:1\tx'], 'line 2: expected tab-separated columns'],
    ['a bad term ID', [HPOA_HEADER, row('OMIM:1', 'HP:12')], 'line 2: "HP:12" is not an HPO term ID'],
  ])('should refuse %s', (_, input, message) => {
    expect(() => parseAnnotationLines(input)).toThrow(OntologyInputError);
    expect(() => parseAnnotationLines(input)).toThrow(message);
  });
});

describe('readAnnotationsFile', () => {
  it('should read the fixture phenotype.hpoa: 16 annotated terms, 31 (disease, term) pairs', async () => {
    const counts = await readAnnotationsFile(join(FIXTURES, 'phenotype.hpoa'));
    expect(counts.size).toBe(16);
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(31);
    // OMIM:607208 has two rows for Focal clonic seizure; ORPHA:306 the third: 2 diseases.
    expect(counts.get('0002266')).toBe(2);
    // OMIM:108800's NOT row is skipped: OMIM:607208, 613720, 617752 and ORPHA:567.
    expect(counts.get('0001249')).toBe(4);
    // Inheritance (aspect I) and onset (aspect C) rows do not count.
    expect(counts.has('0000006')).toBe(false);
    expect(counts.has('0003577')).toBe(false);
  });

  it('should read the fixture genes_to_phenotype.txt', async () => {
    const counts = await readAnnotationsFile(join(FIXTURES, 'genes_to_phenotype.txt'));
    // Seizure: SCN1A, SCN1B, SYNGAP1. Microcephaly: FGFR3 through two diseases, one gene.
    expect(Object.fromEntries(counts)).toEqual({
      '0000252': 1,
      '0002266': 1,
      '0002069': 1,
      '0001250': 3,
      '0001249': 1,
    });
  });
});

describe('parseAnnotations: the ORPHA disease links', () => {
  /** The map as [disease, terms] pairs, terms sorted (the lists keep file order). */
  const entries = (m: Map<string, string[]>) => [...m].map(([d, terms]) => [d, [...terms].sort()]);

  it('should collect the distinct direct terms of each ORPHA disease from P rows without NOT', () => {
    const { format, orphaTerms } = parseAnnotations([
      '#description: "HPO annotations for rare diseases"',
      HPOA_HEADER,
      row('ORPHA:558', 'HP:0001250'),
      row('ORPHA:558', 'HP:0001250'), // the same pair again (another reference): once
      row('ORPHA:558', 'HP:0000252'),
      row('ORPHA:558', 'HP:0001249', 'P', 'NOT'), // does not have it
      row('ORPHA:558', 'HP:0000006', 'I'), // inheritance, clinical course, modifier, frequency: not phenotypes
      row('ORPHA:558', 'HP:0003577', 'C'),
      row('ORPHA:558', 'HP:0012823', 'M'),
      row('ORPHA:558', 'HP:0040283', 'H'),
      row('OMIM:154700', 'HP:0001166'), // OMIM (and DECIPHER) diseases carry no ORPHA link
      row('DECIPHER:1', 'HP:0001166'),
      row('ORPHA:79', 'HP:0001166'),
      row('ORPHA:1934', 'HP:0000252'),
      row('ORPHA:0098', 'HP:0000252'), // leading zeros dropped
      row('ORPHA:98', 'HP:0000250'),
      row('ORPHA:x1', 'HP:0000250'), // not ORPHA:<digits>: no link (still counted as an item)
      row('ORPHA:1934', 'HP:0002266', 'P', 'NOT'), // a NOT row next to a kept one
    ]);
    expect(format).toBe('phenotype.hpoa');
    // Diseases in numeric ORPHA order, terms sorted.
    expect(entries(orphaTerms)).toEqual([
      ['79', ['0001166']],
      ['98', ['0000250', '0000252']],
      ['558', ['0000252', '0001250']],
      ['1934', ['0000252']],
    ]);
  });

  it('should keep a disease with only NOT or non-P rows out of the map', () => {
    const { orphaTerms, counts } = parseAnnotations([
      HPOA_HEADER,
      row('ORPHA:558', 'HP:0001250', 'P', 'NOT'),
      row('ORPHA:558', 'HP:0000006', 'I'),
      row('OMIM:1', 'HP:0001250'),
    ]);
    expect(orphaTerms).toEqual(new Map());
    expect(counts).toEqual(new Map([['0001250', 1]]));
  });

  it('should read the link from the pre-2021 hpoa header too', () => {
    const { orphaTerms } = parseAnnotations([
      '#DatabaseID\tDiseaseName\tQualifier\tHPO_ID\tReference\tEvidence\tOnset\tFrequency\tSex\tModifier\tAspect\tBiocuration',
      row('ORPHA:558', 'HP:0001250'),
    ]);
    expect(entries(orphaTerms)).toEqual([['558', ['0001250']]]);
  });

  it('should have no disease link in genes_to_phenotype.txt, even for ORPHA disease_ids', () => {
    const { format, orphaTerms, counts } = parseAnnotations([
      'ncbi_gene_id\tgene_symbol\thpo_id\thpo_name\tfrequency\tdisease_id',
      '6323\tSCN1A\tHP:0001250\tSeizure\t-\tORPHA:1934',
    ]);
    expect(format).toBe('genes_to_phenotype.txt');
    expect(orphaTerms).toEqual(new Map());
    expect(counts).toEqual(new Map([['0001250', 1]]));
  });

  it('should read the fixture phenotype.hpoa: 4 ORPHA diseases (ORPHA:558 has only a NOT row)', async () => {
    const { orphaTerms } = await readAnnotations(join(FIXTURES, 'phenotype.hpoa'));
    expect(Object.fromEntries(entries(orphaTerms))).toEqual({
      '306': ['0002266', '0020221'], // its NOT row (Intellectual disability) left out
      '567': ['0000750', '0001249', '0001263', '0001631'],
      '1934': ['0000252', '0001321', '0007359'],
      '2542': ['0000252', '0000568', '0000618'], // Microcephaly twice in the file: once here
    });
    expect([...orphaTerms.keys()]).toEqual(['306', '567', '1934', '2542']);
  });

  it('should return the same counts as readAnnotationsFile', async () => {
    const path = join(FIXTURES, 'phenotype.hpoa');
    expect((await readAnnotations(path)).counts).toEqual(await readAnnotationsFile(path));
  });
});
