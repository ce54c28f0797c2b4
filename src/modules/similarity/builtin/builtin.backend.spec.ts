import { join } from 'node:path';
import { BuiltinBackend } from './builtin.backend';

const FIXTURES = join(__dirname, '../../../../test/fixtures/hpo');
const paths = { oboPath: join(FIXTURES, 'hp.obo'), annotationsPath: join(FIXTURES, 'phenotype.hpoa') };

const ids = (hits: Array<{ termId: string }>) => hits.map((h) => h.termId);

describe(BuiltinBackend.name, () => {
  let backend: BuiltinBackend;

  beforeAll(async () => {
    backend = await BuiltinBackend.fromFiles(paths, 'relevance');
    await backend.ready();
  });

  it('should report its mode and the shape of the ontology', () => {
    expect(backend.mode).toBe('builtin');
    expect(backend.stats()).toEqual({ termCount: 40, rootTerm: '0000001', maxDepth: 6 });
  });

  describe('autocomplete', () => {
    it('should answer nothing under 3 characters, quotes and spaces not counted', async () => {
      for (const q of ['', 'se', ' se  ', '"se"', "'s'e"]) {
        expect(await backend.autocomplete(q, 0, false)).toEqual([]);
      }
    });

    it('should rank label hits by shortest label, then earliest match', async () => {
      expect(ids(await backend.autocomplete('seizure', 5, false))).toEqual([
        '0001250', // Seizure
        '0020219', // Motor seizure
        '0020221', // Clonic seizure
        '0007359', // Focal-onset seizure (19 characters)
        '0002266', // Focal clonic seizure (20)
      ]);
    });

    it('should require every word, in any order, case-insensitively and without quotes', async () => {
      const expected = ['0007359', '0002266', '0002384']; // Focal-onset, Focal clonic, Focal impaired awareness
      expect(ids(await backend.autocomplete('focal seiz', 0, false))).toEqual(expected);
      expect(ids(await backend.autocomplete('"SEIZ  Focal"', 0, false))).toEqual(expected);
    });

    it('should search IDs with or without prefix first, then labels, synonyms and definitions', async () => {
      expect(ids(await backend.autocomplete('HP:0001250', 0, false))).toEqual(['0001250']);
      // IDs containing 00012: Seizure, Intellectual disability, Global developmental delay (the obsolete 0001298
      // is left out), by label length.
      expect(ids(await backend.autocomplete('00012', 0, false))).toEqual(['0001250', '0001249', '0001263']);
      expect(ids(await backend.autocomplete('petit mal', 0, false))).toEqual(['0002121']); // a synonym
      expect(ids(await backend.autocomplete('bulbus oculi', 0, false))).toEqual(['0012372']); // a definition
      // Label hits before synonym hits (Microcephaly: "Abnormally small skull") before definition hits (Seizure).
      const abnormal = ids(await backend.autocomplete('abnormal', 0, false));
      expect(abnormal.indexOf('0001631')).toBeGreaterThan(abnormal.indexOf('0000252'));
      expect(abnormal.indexOf('0000252')).toBeGreaterThan(abnormal.indexOf('0002011'));
      expect(abnormal.indexOf('0001250')).toBeGreaterThan(abnormal.indexOf('0000252'));
    });

    it('should never suggest obsolete terms', async () => {
      expect(await backend.autocomplete('encephalopathy', 0, false)).toEqual([]);
      expect(await backend.autocomplete('secondarily generalized', 0, false)).toEqual([]);
    });

    it('should cap by limit and add definitions on request', async () => {
      expect(await backend.autocomplete('petit', 1, true)).toEqual([
        {
          termId: '0002121',
          label: 'Generalized non-motor (absence) seizure',
          definition: expect.stringMatching(/^A generalized non-motor \(absence\) seizure is/),
        },
      ]);
      expect(await backend.autocomplete('seizure', 2, false)).toHaveLength(2);
    });
  });

  describe('term', () => {
    it('should show a term with its parents and children', async () => {
      expect(await backend.term('HP:0002266')).toMatchObject({
        termId: '0002266',
        label: 'Focal clonic seizure',
        synonyms: ['Focal clonic seizures', 'Partial clonic seizure'],
        parents: ['0007359', '0020221'],
        children: [],
        obsolete: false,
      });
      expect((await backend.term('0001250'))?.children).toEqual(['0002197', '0007359', '0020219']);
    });

    it('should show an obsolete term with its replacements, and nothing for alt_ids and unknown IDs', async () => {
      expect(await backend.term('0007334')).toMatchObject({
        obsolete: true,
        parents: [],
        children: [],
        replacedBy: ['0002069'],
      });
      expect(await backend.term('0001298')).toMatchObject({ replacedBy: [], consider: ['0012638', '0001249'] });
      expect(await backend.term('0001366')).toBeUndefined();
      expect(await backend.term('9999999')).toBeUndefined();
      expect(await backend.term('seizure')).toBeUndefined();
    });
  });

  describe('expand', () => {
    it('should list descendants to a depth, and nothing for unknown or obsolete inputs', async () => {
      expect(await backend.expand(['HP:0007359', 'nope', '0007334'], 1)).toEqual([
        {
          termId: '0007359',
          children: [
            { termId: '0002266', depth: 1 },
            { termId: '0002384', depth: 1 },
          ],
          depth: 1,
        },
        { termId: 'nope', children: [], depth: 1 },
        { termId: '0007334', children: [], depth: 1 },
      ]);
      const [all] = await backend.expand(['0001250'], 0);
      expect(all.children).toHaveLength(8);
    });
  });

  describe('similar', () => {
    it('should list the term itself, then terms at or above the threshold, best first', async () => {
      // Relevance with Focal clonic seizure: see ontology.spec.ts for the hand computation of these values.
      expect(await backend.similar(['HP:0002266'], 0.5)).toEqual([
        {
          termId: '0002266',
          similar: [
            { termId: '0002266', score: 1 },
            { termId: '0002384', score: 0.8555 },
            { termId: '0007359', score: 0.8555 },
            { termId: '0020221', score: 0.8555 },
            { termId: '0020219', score: 0.6542 },
            { termId: '0002069', score: 0.5723 },
          ],
          threshold: 0.5,
        },
      ]);
    });

    it('should treat thresholds below 0.2 as 0.2 and cap by limit', async () => {
      const [low] = await backend.similar(['0002266'], 0.05);
      expect(low.threshold).toBe(0.2);
      expect(low.similar.at(-1)).toEqual({ termId: '0001250', score: 0.2465 });
      const [capped] = await backend.similar(['0002266'], 0.05, 2);
      expect(capped.similar).toEqual(low.similar.slice(0, 2));
    });

    it('should sort the term itself among other terms scoring 1', async () => {
      // Lin: FIAS has no annotations and takes Focal-onset's IC, so the two score 1 (ontology.spec.ts).
      const lin = new BuiltinBackend(backend.ontology, 'lin');
      const [r] = await lin.similar(['0007359'], 0.9);
      expect(r.similar).toEqual([
        { termId: '0002384', score: 1 },
        { termId: '0007359', score: 1 },
        { termId: '0002266', score: 0.9268 },
      ]);
    });

    it('should answer nothing for unknown and obsolete terms', async () => {
      expect(await backend.similar(['0007334', 'x'], 0.6)).toEqual([
        { termId: '0007334', similar: [], threshold: 0.6 },
        { termId: 'x', similar: [], threshold: 0.6 },
      ]);
    });
  });

  describe('replace', () => {
    it('should map obsolete IDs and alt_ids to current terms', async () => {
      expect(await backend.replace(['HP:0007334', '0001298', '0001366', '0001250', 'x'])).toEqual([
        { termId: '0007334', replacedBy: ['0002069'], consider: [] },
        { termId: '0001298', replacedBy: [], consider: ['0012638', '0001249'] },
        { termId: '0001366', replacedBy: ['0000252'], consider: [] },
        { termId: '0001250', replacedBy: [], consider: [] },
        { termId: 'x', replacedBy: [], consider: [] },
      ]);
    });
  });

  describe('disease links', () => {
    it('should answer the ORPHA diseases annotated directly with each term, in numeric order', async () => {
      expect(await backend.diseasesOfTerms(['HP:0000252', '0001249', '0002266', '0001250', '0000152'])).toEqual(
        new Map([
          ['0000252', ['1934', '2542']], // twice for 2542 in the file, once here
          ['0001249', ['567']], // ORPHA:306's NOT row left out; OMIM diseases never count
          ['0002266', ['306']],
          ['0001250', []], // ORPHA:558 has only a NOT row; Seizure's OMIM diseases do not count
          ['0000152', []], // an ancestor of annotated terms: no propagation
        ]),
      );
    });

    it('should answer the terms annotated directly to each disease, any ORPHA ID form', async () => {
      expect(await backend.termsOfDiseases(['ORPHA:567', 'Orphanet_1934', '306', '558', '79', 'x'])).toEqual(
        new Map([
          ['567', ['0000750', '0001249', '0001263', '0001631']],
          ['1934', ['0000252', '0001321', '0007359']],
          ['306', ['0002266', '0020221']],
          ['558', []],
          ['79', []],
          ['x', []],
        ]),
      );
    });

    it('should answer [] for obsolete, alt, unknown and malformed term IDs', async () => {
      expect(await backend.diseasesOfTerms(['0007334', '0001366', '9999999', 'nope'])).toEqual(
        new Map([
          ['0007334', []],
          ['0001366', []],
          ['9999999', []],
          ['nope', []],
        ]),
      );
    });

    it('should say whether it has disease links: only with phenotype.hpoa', async () => {
      expect(await backend.hasDiseaseLinks()).toBe(true);
      const genes = await BuiltinBackend.fromFiles(
        { oboPath: paths.oboPath, annotationsPath: join(FIXTURES, 'genes_to_phenotype.txt') },
        'relevance',
      );
      expect(await genes.hasDiseaseLinks()).toBe(false);
      expect(await genes.diseasesOfTerms(['0000252'])).toEqual(new Map([['0000252', []]]));
      const intrinsic = await BuiltinBackend.fromFiles({ oboPath: paths.oboPath }, 'relevance');
      expect(await intrinsic.hasDiseaseLinks()).toBe(false);
    });
  });

  it('should use intrinsic IC when no annotation file is given', async () => {
    const intrinsic = await BuiltinBackend.fromFiles({ oboPath: paths.oboPath, annotationsPath: '' }, 'lin');
    expect(intrinsic.ontology.icSource).toBe('intrinsic');
  });
});
