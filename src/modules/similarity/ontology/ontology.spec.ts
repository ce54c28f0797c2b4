import { join } from 'node:path';
import { MEASURES, type Measure, type OntologyTerm } from '../similarity.types';
import { loadOntology } from './load';
import { OntologyInputError } from './obo-parser';
import { Ontology, roundScore, type SimilarityEdge } from './ontology';

const FIXTURES = join(__dirname, '../../../../test/fixtures/hpo');
const ln = Math.log;

/** A current term for hand-made DAGs. */
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

/*
 * The fixture (test/fixtures/hpo) by hand. Terms (current: 40) and their parents:
 *
 *   0000001 All
 *   ├─ 0000005 Mode of inheritance ─ 0000006 AD, 0000007 AR               (annotated with aspect I only: not counted)
 *   ├─ 0012823 Clinical modifier ─ 0003674 Onset ─ 0003577 Congenital onset                   (aspect C only)
 *   └─ 0000118 Phenotypic abnormality
 *      ├─ 0000707 Abnormality of the nervous system
 *      │  ├─ 0012638 Abnormal nervous system physiology
 *      │  │  ├─ 0001250 Seizure
 *      │  │  │  ├─ 0007359 Focal-onset seizure ─ 0002384 Focal impaired awareness seizure (FIAS), 0002266 (FCS)
 *      │  │  │  ├─ 0020219 Motor seizure ─ 0020221 Clonic seizure ─ 0002266 Focal clonic seizure (FCS)
 *      │  │  │  │                        └ 0002069 Bilateral tonic-clonic seizure (BTCS)
 *      │  │  │  └─ 0002197 Generalized-onset seizure ─ 0002069 (BTCS), 0002121 absence seizure
 *      │  │  └─ 0012759 Neurodevelopmental abnormality ─ 0001249 Intellectual disability,
 *      │  │     0012758 Neurodevelopmental delay ─ 0001263 Global developmental delay, 0000750 Delayed speech
 *      │  └─ 0012639 Abnormal nervous system morphology ─ 0002011 Morphological CNS abnormality
 *      │                                                  ─ 0001321 Cerebellar hypoplasia, 0000252 Microcephaly
 *      ├─ 0000152 Abnormality of head or neck ─ 0000234 head ─ 0000240 skull size ─ 0000252 Microcephaly
 *      ├─ 0000478 eye ─ 0000504 vision ─ 0000505 Visual impairment ─ 0000618 Blindness;
 *      │              0012372 eye morphology ─ 0000568 Microphthalmia
 *      └─ 0001626 cardiovascular ─ 0001627 heart morphology ─ 0001631 Atrial septal defect
 *
 * Two parents: FCS (Focal-onset, Clonic), BTCS (Generalized-onset, Motor), Microcephaly (CNS, skull size: two
 * branches of Phenotypic abnormality).
 *
 * Direct counts (distinct diseases, aspect P, no NOT) from phenotype.hpoa: Seizure 2, Focal-onset 1, Clonic 1,
 * FCS 2, Generalized-onset 1, BTCS 3, absence 2, ID 4, GDD 3, Delayed speech 2, Cerebellar hypoplasia 1,
 * Microcephaly 3, Visual impairment 1, Blindness 1, Microphthalmia 2, ASD 2: 31 in all.
 *
 * N(t) = direct + N of each child (a term adds its N to every parent):
 *   FIAS 0, FCS 2, Focal-onset 1+0+2 = 3, Clonic 1+2 = 3, BTCS 3, Motor 0+3+3 = 6, absence 2,
 *   Generalized-onset 1+3+2 = 6, Seizure 2+3+6+6 = 17 (12 direct in the branch; FCS and BTCS counted twice),
 *   ID 4, GDD 3, speech 2, ND delay 5, ND abnormality 9, physiology 17+9 = 26,
 *   Cerebellar hypoplasia 1, Microcephaly 3, CNS 4, NS morphology 4, nervous system 26+4 = 30,
 *   skull size = head = head or neck = 3, Blindness 1, Visual impairment 2, vision 2, Microphthalmia 2,
 *   eye morphology 2, eye 4, ASD = heart = cardiovascular = 2,
 *   Phenotypic abnormality 30+3+4+2 = 39, root 39 (31 annotations + 5 for FCS/BTCS + 3 for Microcephaly).
 * IC = ln(39 / N): root and Phenotypic abnormality 0; Seizure ln(39/17) = 0.830348; Motor ln 6.5 = 1.871802;
 * Focal-onset, Clonic, BTCS, Microcephaly ln 13 = 2.564949; FCS ln 19.5 = 2.970414; the highest, ln 39 = 3.663562
 * (Cerebellar hypoplasia, Blindness).
 */
describe(Ontology.name, () => {
  let hpo: Ontology;

  beforeAll(async () => {
    hpo = await loadOntology({
      oboPath: join(FIXTURES, 'hp.obo'),
      annotationsPath: join(FIXTURES, 'phenotype.hpoa'),
    });
  });

  describe('annotation counts', () => {
    it("should propagate counts along every path, as CV3's worked example (26 annotations, N(root) = 30)", () => {
      // R ─ A ─ C        raw: A 5, B 7, C 4, D 10 = 26.
      //   │   └ D        N(C) = 4, N(D) = 10, N(A) = 5 + 4 + 10 = 19, N(B) = 7 + 4 = 11,
      //   └ B ─ C        N(R) = 19 + 11 = 30: C's 4 reach R through A and through B.
      const o = new Ontology(
        [
          t('0000001'),
          t('0000002', ['0000001']),
          t('0000003', ['0000001']),
          t('0000004', ['0000002', '0000003']),
        ].concat([t('0000005', ['0000002'])]),
        new Map([
          ['0000002', 5],
          ['0000003', 7],
          ['0000004', 4],
          ['0000005', 10],
        ]),
      );
      expect(['0000001', '0000002', '0000003', '0000004', '0000005'].map((id) => o.count(id))).toEqual([
        30, 19, 11, 4, 10,
      ]);
      expect(o.probability('0000002')).toBeCloseTo(19 / 30, 15);
      expect(o.ic('0000004')).toBeCloseTo(ln(30 / 4), 15);
    });

    it('should count the fixture as computed by hand', () => {
      const expected: Record<string, number> = {
        '0002384': 0,
        '0002266': 2,
        '0007359': 3,
        '0020221': 3,
        '0002069': 3,
        '0020219': 6,
        '0002197': 6,
        '0001250': 17,
        '0012759': 9,
        '0012638': 26,
        '0002011': 4,
        '0000707': 30,
        '0000240': 3,
        '0000478': 4,
        '0000118': 39,
        '0000001': 39,
        '0000005': 0,
      };
      expect(Object.fromEntries(Object.keys(expected).map((id) => [id, hpo.count(id)]))).toEqual(expected);
      expect(hpo.icSource).toBe('annotations');
    });

    it('should give the root, and a term holding every annotation, IC 0', () => {
      expect(hpo.ic('0000001')).toBe(0);
      expect(hpo.ic('0000118')).toBe(0); // N = 39 = N(root)
      expect(hpo.probability('0000001')).toBe(1);
    });

    it('should compute IC = ln(N(root) / N(t))', () => {
      expect(hpo.ic('0001250')).toBeCloseTo(ln(39 / 17), 12);
      expect(hpo.ic('0020219')).toBeCloseTo(ln(39 / 6), 12);
      expect(hpo.ic('0002266')).toBeCloseTo(ln(39 / 2), 12);
      expect(hpo.maxIc).toBeCloseTo(ln(39), 12);
      expect(hpo.probability('0001250')).toBeCloseTo(17 / 39, 15);
    });

    it('should give a term with N = 0 the IC and p of its most informative annotated ancestor', () => {
      // FIAS has nothing annotated: it takes Focal-onset seizure's values (N 3).
      expect(hpo.ic('0002384')).toBeCloseTo(ln(13), 12);
      expect(hpo.probability('0002384')).toBeCloseTo(3 / 39, 15);
      // The Mode of inheritance branch has only the root above it: IC 0.
      expect(hpo.ic('0000005')).toBe(0);
      expect(hpo.ic('0000006')).toBe(0);
    });

    it('should move counts of an alt_id to its primary term and ignore unknown IDs', () => {
      const o = new Ontology(
        [t('0000001'), t('0000002', ['0000001'], { altIds: ['0000009'] }), t('0000003', ['0000001'])],
        new Map([
          ['0000009', 2],
          ['0000003', 1],
          ['0007777', 5],
        ]),
      );
      expect(o.count('0000002')).toBe(2);
      expect(o.count('0000001')).toBe(3);
      expect(o.unmatchedAnnotatedTerms).toBe(1);
    });
  });

  describe('measures on the fixture, by hand', () => {
    it('should find the MICA through the second parent (FCS vs BTCS: Motor seizure)', () => {
      // Common ancestors of FCS and BTCS: Motor (N 6), Seizure (17), physiology (26), nervous system (30),
      // Phenotypic abnormality (39), root (39). FCS reaches Motor only through its second parent, Clonic seizure.
      expect(hpo.mica('0002266', '0002069')).toBe('0020219');
      // Lin = 2·ln 6.5 / (ln 19.5 + ln 13) = 3.743604 / 5.535363 = 0.676307
      expect(hpo.lin('0002266', '0002069')).toBeCloseTo((2 * ln(6.5)) / (ln(19.5) + ln(13)), 12);
      expect(hpo.lin('0002266', '0002069')).toBeCloseTo(0.676307, 6);
      // Relevance = Lin × (1 − 6/39) = 0.676307 × 0.846154 = 0.572260
      expect(hpo.relevance('0002266', '0002069')).toBeCloseTo(0.57226, 5);
      // Resnik = ln 6.5 / ln 39 = 1.871802 / 3.663562 = 0.510924
      expect(hpo.resnik('0002266', '0002069')).toBeCloseTo(0.510924, 6);
      expect(hpo.score('HP:0002069', 'HP:0002266', 'relevance')).toBe(hpo.relevance('0002266', '0002069'));
    });

    it('should score a term with either of its parents alike when both have the same N', () => {
      // FCS vs Focal-onset (first parent, N 3) and vs Clonic (second parent, N 3): the parent is the MICA.
      // Lin = 2·ln 13 / (ln 19.5 + ln 13) = 5.129899 / 5.535363 = 0.926750; Relevance × (1 − 3/39) = 0.855462
      for (const parent of ['0007359', '0020221']) {
        expect(hpo.mica('0002266', parent)).toBe(parent);
        expect(hpo.lin('0002266', parent)).toBeCloseTo(0.92675, 5);
        expect(hpo.relevance('0002266', parent)).toBeCloseTo(0.855462, 6);
      }
    });

    it('should score across branches through the MICA of each branch (Microcephaly)', () => {
      // vs Cerebellar hypoplasia: MICA Morphological CNS abnormality (N 4, IC ln 9.75 = 2.277267).
      // Lin = 2·2.277267 / (ln 13 + ln 39) = 4.554535 / 6.228511 = 0.731240; Relevance × (1 − 4/39) = 0.656241
      expect(hpo.mica('0000252', '0001321')).toBe('0002011');
      expect(hpo.lin('0000252', '0001321')).toBeCloseTo(0.73124, 5);
      expect(hpo.relevance('0000252', '0001321')).toBeCloseTo(0.656241, 6);
      // vs Abnormality of the head, through the other parent: head, skull size and Microcephaly all have N 3, so
      // Lin = 2·ln 13 / (ln 13 + ln 13) = 1 and Relevance = 1 − 3/39 = 12/13.
      expect(hpo.lin('0000252', '0000234')).toBe(1);
      expect(hpo.relevance('0000252', '0000234')).toBeCloseTo(12 / 13, 12);
      // Ties of IC among common ancestors go to the lowest ID (the score does not depend on which).
      expect(hpo.mica('0000252', '0000240')).toBe('0000152');
      // vs Visual impairment: only Phenotypic abnormality and the root in common, both IC 0 (the tie goes to the root).
      expect(hpo.mica('0000252', '0000505')).toBe('0000001');
      for (const m of MEASURES) {
        expect(hpo.score('0000252', '0000505', m)).toBe(0);
      }
    });

    it('should score a term with N = 0 as its annotated ancestor', () => {
      // FIAS takes Focal-onset's IC (ln 13): with Focal-onset, Lin 1 and Relevance 1 − 3/39; with FCS as
      // Focal-onset does, 0.926750.
      expect(hpo.lin('0002384', '0007359')).toBe(1);
      expect(hpo.relevance('0002384', '0007359')).toBeCloseTo(12 / 13, 12);
      expect(hpo.lin('0002384', '0002266')).toBeCloseTo(0.92675, 5);
    });

    it('should score 0 with the root and inside a branch that has no annotations', () => {
      for (const m of MEASURES) {
        expect(hpo.score('0000001', '0001250', m)).toBe(0);
        expect(hpo.score('0000001', '0000001', m)).toBe(0);
        expect(hpo.score('0000006', '0000007', m)).toBe(0); // MICA Mode of inheritance, IC 0 like the root
      }
    });

    it('should give Lin 1 for a term with itself, Relevance 1 − p, and Resnik IC / maxIC', () => {
      expect(hpo.lin('0002266', '0002266')).toBe(1);
      expect(hpo.relevance('0002266', '0002266')).toBeCloseTo(1 - 2 / 39, 12);
      expect(hpo.resnik('0002266', '0002266')).toBeCloseTo(ln(19.5) / ln(39), 12); // 0.810800
      expect(hpo.resnik('0000618', '0000618')).toBe(1); // Blindness, N 1: the highest IC
    });

    it('should throw for a term that is not current', () => {
      expect(() => hpo.ic('0007334')).toThrow(RangeError);
      expect(() => hpo.score('0001250', 'nope', 'lin')).toThrow('nope is not a current term');
    });
  });

  describe('intrinsic IC (no annotations)', () => {
    let intrinsic: Ontology;

    beforeAll(async () => {
      intrinsic = await loadOntology({ oboPath: join(FIXTURES, 'hp.obo') });
    });

    it('should follow Sánchez 2011, computed by hand on the fixture', () => {
      // 15 leaves in all (maxLeaves): AD, AR, Congenital onset, FIAS, FCS, BTCS, absence, ID, GDD, speech,
      // Cerebellar hypoplasia, Microcephaly, Blindness, Microphthalmia, ASD.
      // IC = −ln((leaves/ancestors + 1) / 16).
      expect(intrinsic.icSource).toBe('intrinsic');
      expect(intrinsic.ic('0000001')).toBe(0); // (15/1 + 1) / 16 = 1
      expect(intrinsic.ic('0002266')).toBeCloseTo(ln(16), 12); // a leaf: 0 leaves below it
      // Seizure: 4 leaves (FIAS, FCS, BTCS, absence), 5 ancestors with itself: −ln(1.8/16) = 2.184802
      expect(intrinsic.ic('0001250')).toBeCloseTo(ln(16 / 1.8), 12);
      // Motor: 2 leaves (FCS, BTCS), 6 ancestors: −ln((1/3 + 1)/16) = ln 12 = 2.484907
      expect(intrinsic.ic('0020219')).toBeCloseTo(ln(12), 12);
      // Clonic: 1 leaf, 7 ancestors: −ln((1/7 + 1)/16) = ln 14
      expect(intrinsic.ic('0020221')).toBeCloseTo(ln(14), 12);
      expect(intrinsic.probability('0020219')).toBeCloseTo(1 / 12, 15);
      expect(intrinsic.maxIc).toBeCloseTo(ln(16), 12);
    });

    it('should score with intrinsic IC', () => {
      // FCS vs BTCS: MICA Motor (ln 12); Lin = 2 ln 12 / (ln 16 + ln 16) = 0.896241; Relevance × (1 − 1/12)
      expect(intrinsic.mica('0002266', '0002069')).toBe('0020219');
      expect(intrinsic.lin('0002266', '0002069')).toBeCloseTo(0.896241, 6);
      expect(intrinsic.relevance('0002266', '0002069')).toBeCloseTo(0.896241 * (11 / 12), 6);
      expect(intrinsic.score('0000001', '0002266', 'relevance')).toBe(0);
    });
  });

  describe('structure', () => {
    it('should answer parents, children and ancestors with or without prefix', () => {
      expect(hpo.parents('HP:0002266')).toEqual(['0007359', '0020221']);
      expect(hpo.children('0001250')).toEqual(['0002197', '0007359', '0020219']);
      expect(hpo.ancestors('0002069')).toEqual([
        '0000001',
        '0000118',
        '0000707',
        '0001250',
        '0002069',
        '0002197',
        '0012638',
        '0020219',
      ]);
      expect(hpo.rootId).toBe('0000001');
      expect(hpo.size).toBe(40);
      expect(hpo.maxDepth).toBe(6);
    });

    it('should list descendants breadth-first with their shortest depth', () => {
      // FCS is 2 below Seizure through Focal-onset and 3 through Motor → Clonic: it is listed once, at 2.
      expect(hpo.descendants('0001250', 2)).toEqual([
        { termId: '0002197', depth: 1 },
        { termId: '0007359', depth: 1 },
        { termId: '0020219', depth: 1 },
        { termId: '0002069', depth: 2 },
        { termId: '0002121', depth: 2 },
        { termId: '0002266', depth: 2 },
        { termId: '0002384', depth: 2 },
        { termId: '0020221', depth: 2 },
      ]);
      expect(hpo.descendants('0001250', 0)).toHaveLength(8);
      expect(hpo.descendants('0001250', 1).map((d) => d.termId)).toEqual(hpo.children('0001250'));
      expect(hpo.descendants('0000001', 0)).toHaveLength(39);
      expect(hpo.descendants('0002266', 3)).toEqual([]);
    });

    it('should answer [] for structure of obsolete and unknown terms, and keep obsolete terms for lookup', () => {
      expect(hpo.has('0007334')).toBe(false);
      expect(hpo.term('HP:0007334')?.label).toBe('obsolete Bilateral tonic-clonic seizure with focal onset');
      expect(hpo.term('0001366')).toBeUndefined(); // an alt_id: see replace
      expect(hpo.children('0007334')).toEqual([]);
      expect(hpo.descendants('9999999')).toEqual([]);
      expect(hpo.similarTo('0007334', 0.2, 'relevance')).toEqual([]);
    });

    it('should replace obsolete terms and alt_ids with current terms', () => {
      expect(hpo.replace('HP:0007334')).toEqual({ replacedBy: ['0002069'], consider: [] });
      expect(hpo.replace('0001298')).toEqual({ replacedBy: [], consider: ['0012638', '0001249'] });
      // Obsolete with replaced_by Seizure, and an alt_id of Seizure too: named once.
      expect(hpo.replace('0002279')).toEqual({ replacedBy: ['0001250'], consider: [] });
      expect(hpo.replace('0001366')).toEqual({ replacedBy: ['0000252'], consider: [] });
      expect(hpo.replace('0001250')).toBeUndefined();
      expect(hpo.replace('9999999')).toBeUndefined();
    });

    it('should follow replaced_by chains to a current term', () => {
      const o = new Ontology([
        t('0000001'),
        t('0000002', ['0000001']),
        t('0000008', [], { obsolete: true, replacedBy: ['0000009'] }),
        t('0000009', [], { obsolete: true, replacedBy: ['0000002'] }),
      ]);
      expect(o.replace('0000008')?.replacedBy).toEqual(['0000002']);
    });

    it.each([
      ['an is_a to a missing term', [t('0000001'), t('0000002', ['0000003'])], 'term 0000002: is_a 0000003 is not'],
      ['two roots', [t('0000001'), t('0000002')], 'expected one root term (without is_a), found 2'],
      [
        'a cycle',
        [t('0000001'), t('0000002', ['0000001', '0000003']), t('0000003', ['0000002'])],
        'is_a cycle: term 0000002',
      ],
      ['no current term', [t('0000001', [], { obsolete: true })], 'no current term'],
    ])('should refuse %s', (_, terms, message) => {
      expect(() => new Ontology(terms)).toThrow(OntologyInputError);
      expect(() => new Ontology(terms)).toThrow(message);
    });

    it('should refuse annotations that name no current term', () => {
      expect(() => new Ontology([t('0000001')], new Map([['0000002', 1]]))).toThrow('no annotation names');
    });
  });

  describe('similar terms and edges against brute force', () => {
    const THRESHOLDS = [0, 0.2, 0.3, 0.45, 0.5, 0.6, 0.75, 0.8, 0.9, 1];

    /** Every other term with roundScore(score) ≥ max(threshold, 0.2), scoring all terms. */
    function bruteSimilar(o: Ontology, id: string, threshold: number, measure: Measure) {
      const cutoff = Math.max(threshold, 0.2);
      return o
        .currentTerms()
        .filter((x) => x.id !== id)
        .map((x) => ({ termId: x.id, score: roundScore(o.score(id, x.id, measure)) }))
        .filter((x) => x.score >= cutoff)
        .sort((x, y) => y.score - x.score || (x.termId < y.termId ? -1 : 1));
    }

    function bruteEdges(o: Ontology, minScore: number, measure: Measure): SimilarityEdge[] {
      const ids = o.currentTerms().map((x) => x.id);
      const edges: SimilarityEdge[] = [];
      ids.forEach((a, i) =>
        ids.slice(i + 1).forEach((b) => {
          const score = roundScore(o.score(a, b, measure));
          if (score >= minScore) {
            edges.push({ a, b, score });
          }
        }),
      );
      return edges;
    }

    const byPair = (x: SimilarityEdge, y: SimilarityEdge) => (x.a + x.b < y.a + y.b ? -1 : 1);

    it.each(['annotations', 'intrinsic'])(
      'should equal a brute-force scan for every term, threshold and measure (%s IC)',
      async (mode) => {
        const o =
          mode === 'annotations' ? hpo : await loadOntology({ oboPath: join(FIXTURES, 'hp.obo'), annotationsPath: '' });
        let compared = 0;
        for (const measure of MEASURES) {
          for (const threshold of THRESHOLDS) {
            for (const { id } of o.currentTerms()) {
              expect({ id, measure, threshold, r: o.similarTo(id, threshold, measure) }).toEqual({
                id,
                measure,
                threshold,
                r: bruteSimilar(o, id, threshold, measure),
              });
              compared += o.similarTo(id, threshold, measure).length;
            }
          }
        }
        expect(compared).toBeGreaterThan(1000); // the comparison is not vacuous
      },
    );

    it.each(MEASURES)('should enumerate exactly the brute-force edge set (%s)', async (measure) => {
      for (const minScore of [0.2, 0.5, 0.8]) {
        const batches: SimilarityEdge[][] = [];
        const total = await hpo.similarityEdges(minScore, measure, (b) => void batches.push(b), 7);
        const edges = batches.flat();
        expect(total).toBe(edges.length);
        expect(batches.slice(0, -1).every((b) => b.length === 7)).toBe(true);
        expect(edges.every((e) => e.a < e.b)).toBe(true);
        expect(edges.sort(byPair)).toEqual(bruteEdges(hpo, minScore, measure).sort(byPair));
      }
    });

    it('should await each batch before producing the next', async () => {
      const seen: number[] = [];
      let pending = 0;
      await hpo.similarityEdges(
        0.2,
        'relevance',
        async (b) => {
          seen.push(pending++);
          await new Promise((r) => setImmediate(r));
          pending--;
          expect(b.length).toBeGreaterThan(0);
        },
        5,
      );
      expect(seen.every((p) => p === 0)).toBe(true);
      expect(seen.length).toBeGreaterThan(1);
    });
  });
});
