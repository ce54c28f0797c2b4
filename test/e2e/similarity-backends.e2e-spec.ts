/*
 * One suite of term-service cases run against both similarity backends built from the test ontology
 * (test/fixtures/hpo): the built-in one, and the Neo4j one after `Neo4jLoader` filled the stack's Neo4j
 * (`bin/cv3-stack up --with-neo4j`). Then the two are compared answer by answer for every fixture term, and the
 * loader and `ready()` are checked on their own.
 *
 * Neo4j Community has a single user database, so this file owns the graph while it runs (e2e files run in band).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { BuiltinBackend } from '@/modules/similarity/builtin/builtin.backend';
import { Neo4jBackend } from '@/modules/similarity/neo4j/neo4j.backend';
import { Neo4jClient, type Neo4jConnectionConfig } from '@/modules/similarity/neo4j/neo4j.client';
import { GRAPH_MODEL, similarTypeOf } from '@/modules/similarity/neo4j/neo4j.graph';
import { Neo4jLoader, readOboDataVersion } from '@/modules/similarity/neo4j/neo4j.loader';
import { loadOntology } from '@/modules/similarity/ontology/load';
import type { Ontology } from '@/modules/similarity/ontology/ontology';
import { SimilarityUnavailableError } from '@/modules/similarity/similarity.errors';
import {
  type Measure,
  normaliseHpoId,
  normaliseOrphaId,
  type SimilarityBackend,
} from '@/modules/similarity/similarity.types';

const FIXTURE = {
  oboPath: join(__dirname, '../fixtures/hpo/hp.obo'),
  annotationsPath: join(__dirname, '../fixtures/hpo/phenotype.hpoa'),
};
const MEASURE: Measure = 'relevance';

/**
 * The HPO–Orphanet link read from the fixture file with code of this test's own: ORPHA rows, aspect P, not NOT,
 * distinct pairs, both directions (IDs without prefixes, lists sorted: terms by ID, diseases numerically).
 */
function fixtureDiseaseLinks(): { termsOf: Map<string, string[]>; diseasesOf: Map<string, string[]> } {
  const pairs = new Set<string>();
  const lines = readFileSync(FIXTURE.annotationsPath, 'utf8').split('\n');
  const header = lines.find((l) => l.startsWith('database_id'))!.split('\t');
  const col = (name: string) => header.indexOf(name);
  for (const line of lines) {
    const cols = line.split('\t');
    const disease = /^ORPHA:(\d+)$/.exec(cols[col('database_id')] ?? '');
    if (disease && cols[col('aspect')] === 'P' && cols[col('qualifier')] !== 'NOT') {
      pairs.add(`${disease[1]} ${cols[col('hpo_id')].replace(/^HP:/, '')}`);
    }
  }
  const termsOf = new Map<string, string[]>();
  const diseasesOf = new Map<string, string[]>();
  for (const [d, t] of [...pairs].map((p) => p.split(' '))) {
    termsOf.set(d, [...(termsOf.get(d) ?? []), t]);
    diseasesOf.set(t, [...(diseasesOf.get(t) ?? []), d]);
  }
  termsOf.forEach((list) => list.sort());
  diseasesOf.forEach((list) => list.sort((a, b) => Number(a) - Number(b)));
  return { termsOf, diseasesOf };
}

function neo4jConfig(): Neo4jConnectionConfig {
  const uri = process.env.CV3_NEO4J_URI;
  if (!uri) {
    throw new Error(
      'this suite needs Neo4j: run "bin/cv3-stack up --with-neo4j" and "eval \\"$(bin/cv3-stack env)\\"" ' +
        '(npm test does both)',
    );
  }
  return { uri, user: 'neo4j', password: '' };
}

let ontology: Ontology;
let version: string;
let client: Neo4jClient;
let builtin: BuiltinBackend;
let neo: Neo4jBackend;

async function loadGraph(measure: Measure = MEASURE) {
  return new Neo4jLoader(client).load(ontology, { measure, version, maxJobs: 4, nodeBatch: 7, edgeBatch: 10 });
}

/** Label and relationship-type counts of the whole graph. */
async function graphCounts(): Promise<Record<string, number>> {
  const nodes = await client.read<{ label: string; n: number }>(
    'MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n ORDER BY label',
  );
  const rels = await client.read<{ type: string; n: number }>(
    'MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n ORDER BY type',
  );
  return Object.fromEntries([...nodes.map((r) => [r.label, r.n]), ...rels.map((r) => [r.type, r.n])]);
}

beforeAll(async () => {
  const cfg = neo4jConfig();
  [ontology, version] = await Promise.all([loadOntology(FIXTURE), readOboDataVersion(FIXTURE.oboPath)]);
  builtin = new BuiltinBackend(ontology, MEASURE);
  client = new Neo4jClient(cfg);
  await loadGraph();
  neo = new Neo4jBackend(cfg, MEASURE);
  await neo.ready();
  // Clearing a full-HPO graph left by a manual `similarity-load` (16 M edges) takes minutes; a fresh stack's is empty.
}, 15 * 60_000);

afterAll(async () => {
  await neo?.close();
  await client?.close();
});

describe.each([
  ['BuiltinBackend', () => builtin as SimilarityBackend],
  ['Neo4jBackend', () => neo as SimilarityBackend],
])('%s on the test ontology', (_name, backendOf) => {
  let backend: SimilarityBackend;

  beforeAll(() => {
    backend = backendOf();
  });

  describe('term', () => {
    it('should answer a term with its parents in hp.obo order and its children in ID order', async () => {
      expect(await backend.term('0000252')).toEqual({
        termId: '0000252',
        label: 'Microcephaly',
        definition: 'Head circumference below 2 standard deviations below the mean for age and gender.',
        synonyms: ['Abnormally small skull', 'Reduced head circumference', 'Small head'],
        comment: expect.stringMatching(/^Microcephaly is an absolute term\./),
        parents: ['0002011', '0000240'],
        children: [],
        obsolete: false,
        replacedBy: [],
        consider: [],
      });
      expect(await backend.term('0001250')).toMatchObject({
        label: 'Seizure',
        parents: ['0012638'],
        children: ['0002197', '0007359', '0020219'],
      });
    });

    it('should answer the root with no parents', async () => {
      const root = await backend.term('0000001');
      expect(root).toMatchObject({ label: 'All', parents: [] });
      expect(root!.children).toEqual(['0000005', '0000118', '0012823']);
    });

    it('should show an obsolete term with its replacements and no place in the DAG', async () => {
      expect(await backend.term('0002279')).toMatchObject({
        label: 'obsolete Seizure disorder',
        obsolete: true,
        parents: [],
        children: [],
        replacedBy: ['0001250'],
        consider: [],
      });
      expect(await backend.term('0001298')).toMatchObject({ replacedBy: [], consider: ['0012638', '0001249'] });
    });

    it('should answer nothing for alt IDs, unknown and malformed IDs', async () => {
      expect(await backend.term('0001425')).toBeUndefined();
      expect(await backend.term('9999999')).toBeUndefined();
      expect(await backend.term('seizure')).toBeUndefined();
    });

    it('should accept IDs with or without the HP prefix and answer without it', async () => {
      const bare = await backend.term('0001250');
      expect(await backend.term('HP:0001250')).toEqual(bare);
      expect(await backend.term('hp_0001250')).toEqual(bare);
      expect(bare!.termId).toBe('0001250');
    });
  });

  describe('autocomplete', () => {
    const ids = async (query: string, limit = 0) =>
      (await backend.autocomplete(query, limit, false)).map((h) => h.termId);

    it('should answer nothing under 3 characters, quotes not counted', async () => {
      expect(await backend.autocomplete('se', 10, false)).toEqual([]);
      expect(await backend.autocomplete('"se"', 10, false)).toEqual([]);
      expect(await backend.autocomplete('  ', 10, false)).toEqual([]);
    });

    it('should rank label hits shortest label first, then earliest match, then ID', async () => {
      expect(await ids('seizure')).toEqual([
        '0001250', // Seizure
        '0020219', // Motor seizure
        '0020221', // Clonic seizure
        '0007359', // Focal-onset seizure
        '0002266', // Focal clonic seizure
        '0002197', // Generalized-onset seizure
        '0002069', // Bilateral tonic-clonic seizure
        '0002384', // Focal impaired awareness seizure
        '0002121', // Generalized non-motor (absence) seizure
      ]);
    });

    it('should match case-insensitively and without quotes', async () => {
      expect(await ids('"SEIZURE"')).toEqual(await ids('seizure'));
    });

    it('should need every word in one field', async () => {
      expect(await ids('focal seizure')).toEqual(['0007359', '0002266', '0002384']);
      expect(await ids('abnormal eye')).toEqual(['0000478', '0012372', '0000568', '0000504']);
    });

    it('should rank ID hits first and accept a prefixed ID', async () => {
      expect(await ids('HP:0001250')).toEqual(['0001250']);
      const hits = await ids('onset');
      expect(hits.slice(0, 2)).toEqual(['0003674', '0003577']); // Onset, Congenital onset (labels)
      expect(hits).toContain('0012823'); // Clinical modifier: only its definition mentions onset
    });

    it('should cut at the limit and add definitions on request', async () => {
      const hits = await backend.autocomplete('seizure', 2, true);
      expect(hits).toEqual([
        { termId: '0001250', label: 'Seizure', definition: expect.stringMatching(/^A seizure is/) },
        { termId: '0020219', label: 'Motor seizure', definition: expect.any(String) },
      ]);
    });

    it('should never suggest obsolete terms', async () => {
      expect(await ids('obsolete')).toEqual([]);
    });
  });

  describe('expand', () => {
    const seizure1 = [
      { termId: '0002197', depth: 1 },
      { termId: '0007359', depth: 1 },
      { termId: '0020219', depth: 1 },
    ];
    const seizure2 = [
      ...seizure1,
      { termId: '0002069', depth: 2 },
      { termId: '0002121', depth: 2 },
      { termId: '0002266', depth: 2 }, // also at 3 through Clonic seizure: the shortest depth counts
      { termId: '0002384', depth: 2 },
      { termId: '0020221', depth: 2 },
    ];

    it('should answer the children at depth 1', async () => {
      expect(await backend.expand(['0001250'], 1)).toEqual([{ termId: '0001250', children: seizure1, depth: 1 }]);
    });

    it('should answer each descendant once at its shortest depth at depth 2', async () => {
      expect(await backend.expand(['0001250'], 2)).toEqual([{ termId: '0001250', children: seizure2, depth: 2 }]);
    });

    it('should answer every descendant at depth 0', async () => {
      expect(await backend.expand(['0001250'], 0)).toEqual([{ termId: '0001250', children: seizure2, depth: 0 }]);
      const [all] = await backend.expand(['0000001'], 0);
      expect(all.children).toHaveLength(ontology.size - 1);
      expect(Math.max(...all.children.map((c) => c.depth))).toBe(6);
    });

    it('should answer one result per input, in input order, empty for leaves, obsolete and unknown IDs', async () => {
      const res = await backend.expand(['HP:0000252', '0002279', '9999999', 'nonsense', '0001425'], 3);
      expect(res).toEqual([
        { termId: '0000252', children: [], depth: 3 },
        { termId: '0002279', children: [], depth: 3 },
        { termId: '9999999', children: [], depth: 3 },
        { termId: 'nonsense', children: [], depth: 3 },
        { termId: '0001425', children: [], depth: 3 },
      ]);
    });
  });

  describe('similar', () => {
    const micro08 = [
      { termId: '0000252', score: 1 },
      { termId: '0000152', score: 0.9231 },
      { termId: '0000234', score: 0.9231 },
      { termId: '0000240', score: 0.9231 },
      { termId: '0002011', score: 0.8441 },
      { termId: '0012639', score: 0.8441 },
    ];

    it('should answer the input first with score 1, then by score and ID, at 0.8', async () => {
      expect(await backend.similar(['0000252'], 0.8)).toEqual([
        { termId: '0000252', similar: micro08, threshold: 0.8 },
      ]);
    });

    it('should add lower scores at 0.5', async () => {
      const [res] = await backend.similar(['0000252'], 0.5);
      expect(res.similar).toEqual([...micro08, { termId: '0001321', score: 0.6562 }]);
      expect(res.threshold).toBe(0.5);
    });

    it('should answer scores down to 0.2 at 0.2', async () => {
      const [res] = await backend.similar(['0001250'], 0.2);
      expect(res.similar).toEqual([
        { termId: '0001250', score: 1 },
        { termId: '0002197', score: 0.3467 },
        { termId: '0020219', score: 0.3467 },
        { termId: '0002069', score: 0.2759 },
        { termId: '0002384', score: 0.2759 },
        { termId: '0007359', score: 0.2759 },
        { termId: '0020221', score: 0.2759 },
        { termId: '0002121', score: 0.2465 },
        { termId: '0002266', score: 0.2465 },
        { termId: '0012638', score: 0.2187 },
      ]);
    });

    it('should treat a threshold under 0.2 as 0.2', async () => {
      const [low] = await backend.similar(['0001250'], 0.1);
      const [min] = await backend.similar(['0001250'], 0.2);
      expect(low).toEqual(min);
      expect(low.threshold).toBe(0.2);
    });

    it('should cap the list, the input included, at the limit', async () => {
      const [res] = await backend.similar(['0000252'], 0.5, 3);
      expect(res.similar).toEqual(micro08.slice(0, 3));
    });

    it('should answer only the input when nothing else passes', async () => {
      expect(await backend.similar(['0002069'], 0.8)).toEqual([
        { termId: '0002069', similar: [{ termId: '0002069', score: 1 }], threshold: 0.8 },
      ]);
    });

    it('should answer nothing, not even the input, for obsolete, alt and unknown IDs', async () => {
      const res = await backend.similar(['0002279', '0001425', '9999999'], 0.5);
      expect(res.map((r) => r.similar)).toEqual([[], [], []]);
    });

    it('should accept prefixed IDs', async () => {
      expect(await backend.similar(['HP:0000252'], 0.8)).toEqual(await backend.similar(['0000252'], 0.8));
    });
  });

  describe('disease links', () => {
    it('should say it has the HPO–Orphanet link', async () => {
      expect(await backend.hasDiseaseLinks()).toBe(true);
    });

    it('should answer the ORPHA diseases annotated directly with each term, numerically', async () => {
      expect(await backend.diseasesOfTerms(['HP:0000252', '0001249', '0002266', '0001250', '0000152'])).toEqual(
        new Map([
          ['0000252', ['1934', '2542']],
          ['0001249', ['567']], // ORPHA:306's NOT row left out, OMIM diseases never count
          ['0002266', ['306']],
          ['0001250', []], // ORPHA:558 has only a NOT row
          ['0000152', []], // an ancestor of annotated terms: no propagation
        ]),
      );
    });

    it('should answer the terms annotated directly to each disease, any ORPHA ID form', async () => {
      expect(await backend.termsOfDiseases(['ORPHA:567', 'Orphanet_1934', 'Orphanet:306', '558', '79', 'x'])).toEqual(
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
  });

  describe('replace', () => {
    it('should answer the replacement of an obsolete term and of an alt ID', async () => {
      expect(await backend.replace(['0007334', 'HP:0001425', '0001298'])).toEqual([
        { termId: '0007334', replacedBy: ['0002069'], consider: [] },
        { termId: '0001425', replacedBy: ['0000005'], consider: [] },
        { termId: '0001298', replacedBy: [], consider: ['0012638', '0001249'] },
      ]);
    });

    it('should answer an ID that is both obsolete and an alt ID once', async () => {
      expect(await backend.replace(['0002279'])).toEqual([
        { termId: '0002279', replacedBy: ['0001250'], consider: [] },
      ]);
    });

    it('should answer empty lists for current and unknown IDs', async () => {
      expect(await backend.replace(['0001250', '9999999', 'x'])).toEqual([
        { termId: '0001250', replacedBy: [], consider: [] },
        { termId: '9999999', replacedBy: [], consider: [] },
        { termId: 'x', replacedBy: [], consider: [] },
      ]);
    });
  });
});

describe('BuiltinBackend and Neo4jBackend', () => {
  /** Every fixture ID (current, obsolete, alt), plus an unknown and a malformed one, some prefixed. */
  function allIds(): string[] {
    const current = ontology.currentTerms().map((t) => t.id);
    const obsolete = ontology.obsoleteTerms().map((t) => t.id);
    const alt = ontology.currentTerms().flatMap((t) => t.altIds);
    return [...current, ...obsolete, ...alt, '9999999', 'HP:0000118', 'oops'];
  }

  /** Calls both backends, keeps what differs. */
  async function differences<T>(cases: T[], call: (b: SimilarityBackend, c: T) => Promise<unknown>) {
    const out: { case: T; builtin: unknown; neo4j: unknown }[] = [];
    for (const c of cases) {
      const [x, y] = await Promise.all([call(builtin, c), call(neo, c)]);
      if (!isDeepStrictEqual(x, y)) {
        out.push({ case: c, builtin: x, neo4j: y });
      }
    }
    return out;
  }

  it('should answer the same term lookups for every ID', async () => {
    expect(await differences(allIds(), (b, id) => b.term(id))).toEqual([]);
  });

  it('should answer the same expansions for every term at depths 0 to 4', async () => {
    const cases = [0, 1, 2, 3, 4].flatMap((depth) => allIds().map((id) => ({ id, depth })));
    expect(await differences(cases, (b, c) => b.expand([c.id], c.depth))).toEqual([]);
  });

  it('should answer the same similar terms for every term at several thresholds', async () => {
    const cases = [0, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.79, 0.8, 0.95, 1].flatMap((threshold) =>
      allIds().map((id) => ({ id, threshold })),
    );
    expect(await differences(cases, (b, c) => b.similar([c.id], c.threshold))).toEqual([]);
  });

  it('should answer the same capped lists for every term at several thresholds and limits', async () => {
    // Each call asks for every ID at once; the answers per ID are independent of the others.
    const cases = [0.2, 0.3, 0.5, 0.8].flatMap((threshold) => [1, 2, 5].map((limit) => ({ threshold, limit })));
    expect(await differences(cases, (b, c) => b.similar(allIds(), c.threshold, c.limit))).toEqual([]);
  });

  it('should answer the same lists for many terms at once', async () => {
    const ids = allIds();
    expect(await differences([ids], (b, c) => b.expand(c, 2))).toEqual([]);
    expect(await differences([ids], (b, c) => b.similar(c, 0.4, 4))).toEqual([]);
    expect(await differences([ids], (b, c) => b.replace(c))).toEqual([]);
  });

  it('should answer the same autocompletion for a prefix of every word of every label and synonym', async () => {
    const words = new Set<string>();
    for (const t of ontology.currentTerms()) {
      for (const w of [t.label, ...t.synonyms].join(' ').split(/\s+/)) {
        if (w.length >= 3) {
          words.add(w.slice(0, 4));
        }
      }
    }
    const queries = [...words, 'abnormal head', 'seizure focal', '"Seizure"', '0001', 'HP:00012', 'the of'];
    expect(await differences(queries, (b, q) => b.autocomplete(q, 0, true))).toEqual([]);
    expect(await differences(queries, (b, q) => b.autocomplete(q, 3, false))).toEqual([]);
  });

  it('should report the same ontology stats', async () => {
    expect(await neo.stats()).toEqual(builtin.stats());
  });

  it("should answer every fixture term's ORPHA diseases as read from phenotype.hpoa", async () => {
    const { diseasesOf } = fixtureDiseaseLinks();
    expect(diseasesOf.size).toBeGreaterThanOrEqual(10);
    // The fixture's ORPHA rows name current terms only, so nothing is resolved or dropped.
    expect([...diseasesOf.keys()].filter((id) => !ontology.has(id))).toEqual([]);
    const ids = allIds();
    const expected = new Map(
      ids.map((id) => [normaliseHpoId(id) ?? id, diseasesOf.get(normaliseHpoId(id) ?? '') ?? []]),
    );
    // One call for all of them, and one call per term.
    expect(await builtin.diseasesOfTerms(ids)).toEqual(expected);
    expect(await neo.diseasesOfTerms(ids)).toEqual(expected);
    expect(await differences(ids, (b, id) => b.diseasesOfTerms([id]))).toEqual([]);
  });

  it("should answer every fixture disease's HPO terms as read from phenotype.hpoa", async () => {
    const { termsOf } = fixtureDiseaseLinks();
    expect([...termsOf.keys()].sort()).toEqual(['1934', '2542', '306', '567']);
    const ids = [...termsOf.keys(), '558', '79', 'ORPHA:1934', 'Orphanet_306', 'OMIM:607208', 'x'];
    const expected = new Map(
      ids.map((id) => [normaliseOrphaId(id) ?? id, termsOf.get(normaliseOrphaId(id) ?? '') ?? []]),
    );
    expect(await builtin.termsOfDiseases(ids)).toEqual(expected);
    expect(await neo.termsOfDiseases(ids)).toEqual(expected);
    expect(await differences(ids, (b, id) => b.termsOfDiseases([id]))).toEqual([]);
  });
});

describe(Neo4jLoader.name, () => {
  it('should record what it loaded in the meta node', () => {
    expect(neo.graphMeta).toMatchObject({
      model: GRAPH_MODEL,
      version: 'hp/releases/2025-01-16-cv3-test-fixture',
      measure: MEASURE,
      minScore: 0.2,
      terms: ontology.size + ontology.obsoleteTerms().length,
      diseases: 4,
      diseaseLinks: 12,
    });
  });

  it('should give the same graph when loading twice', async () => {
    const before = await graphCounts();
    const first = await loadGraph();
    const second = await loadGraph();
    const after = await graphCounts();
    const { ms: _a, ...firstCounts } = first;
    const { ms: _b, ...secondCounts } = second;
    expect(secondCounts).toEqual(firstCounts);
    expect(after).toEqual(before);
    const bands: Record<string, number> = {};
    await ontology.similarityEdges(0.2, MEASURE, (batch) => {
      for (const e of batch) {
        const type = similarTypeOf(e.score);
        bands[type] = (bands[type] ?? 0) + 1;
      }
    });
    expect(after).toEqual({
      TERM_HPO: ontology.size + ontology.obsoleteTerms().length,
      HPO_ALT_ID: first.altIds,
      HPO_META: 1,
      IS_A: ontology.currentTerms().reduce((n, t) => n + t.parents.length, 0),
      REPLACED_BY: 2,
      ALT_ID_OF: first.altIds,
      DISEASE_ORPHA: ontology.diseaseLinks.diseaseCount,
      ANNOTATED_WITH: ontology.diseaseLinks.linkCount,
      ...bands,
    });
    expect({ diseases: first.diseases, links: first.diseaseLinks }).toEqual({ diseases: 4, links: 12 });
    expect(Object.values(bands).reduce((a, b) => a + b, 0)).toBe(first.edges);
    expect(Object.keys(bands).sort()).toEqual(['SIMILAR_20', 'SIMILAR_40', 'SIMILAR_60', 'SIMILAR_80']);
    expect(await neo.similar(['0000252'], 0.8)).toEqual(await builtin.similar(['0000252'], 0.8));
  });

  it('should make ready() refuse a graph loaded with another measure, naming the command to run', async () => {
    const lin = new Neo4jBackend(neo4jConfig(), 'lin');
    try {
      await expect(lin.ready()).rejects.toThrow(SimilarityUnavailableError);
      await expect(lin.ready()).rejects.toThrow(/holds relevance scores.*HPO\.Measure is lin.*similarity-load/);
    } finally {
      await lin.close();
    }
  });

  it('should make ready() refuse a graph of an older model, naming the command to run', async () => {
    const check = async (pattern: RegExp) => {
      const old = new Neo4jBackend(neo4jConfig(), MEASURE);
      try {
        await expect(old.ready()).rejects.toThrow(SimilarityUnavailableError);
        await expect(old.ready()).rejects.toThrow(pattern);
      } finally {
        await old.close();
      }
    };
    try {
      // Model 1 graphs carry no `model` and no disease nodes.
      await client.write('MATCH (m:HPO_META) REMOVE m.model');
      await check(/loaded as graph model 1, but this version of CV3 reads model 2: run .*similarity-load/);
      await client.write('MATCH (m:HPO_META) SET m.model = $model', { model: GRAPH_MODEL + 1 });
      await check(/graph model 3, .*reads model 2: run .*similarity-load/);
    } finally {
      await client.write('MATCH (m:HPO_META) SET m.model = $model', { model: GRAPH_MODEL });
    }
    const fresh = new Neo4jBackend(neo4jConfig(), MEASURE);
    try {
      await expect(fresh.ready()).resolves.toBeUndefined();
    } finally {
      await fresh.close();
    }
  });

  it('should load no disease link from genes_to_phenotype.txt, and say so', async () => {
    const genes = await loadOntology({
      oboPath: FIXTURE.oboPath,
      annotationsPath: join(__dirname, '../fixtures/hpo/genes_to_phenotype.txt'),
    });
    const result = await new Neo4jLoader(client).load(genes, { measure: MEASURE, version, maxJobs: 4 });
    expect({ diseases: result.diseases, links: result.diseaseLinks }).toEqual({ diseases: 0, links: 0 });
    const counts = await graphCounts();
    expect(counts.DISEASE_ORPHA).toBeUndefined();
    expect(counts.ANNOTATED_WITH).toBeUndefined();
    const none = new Neo4jBackend(neo4jConfig(), MEASURE);
    try {
      expect(await none.hasDiseaseLinks()).toBe(false);
      expect(await none.diseasesOfTerms(['0000252'])).toEqual(new Map([['0000252', []]]));
      expect(await none.termsOfDiseases(['1934'])).toEqual(new Map([['1934', []]]));
      expect(await new BuiltinBackend(genes, MEASURE).hasDiseaseLinks()).toBe(false);
    } finally {
      await none.close();
      await loadGraph();
    }
    expect(await neo.diseasesOfTerms(['0000252'])).toEqual(new Map([['0000252', ['1934', '2542']]]));
  });

  it('should make ready() refuse an empty graph, naming the command to run', async () => {
    await new Neo4jLoader(client).clear();
    expect(await graphCounts()).toEqual({});
    const empty = new Neo4jBackend(neo4jConfig(), MEASURE);
    try {
      await expect(empty.ready()).rejects.toThrow(SimilarityUnavailableError);
      await expect(empty.ready()).rejects.toThrow(/empty or was not completely loaded: run .*similarity-load/);
    } finally {
      await empty.close();
    }
    await loadGraph();
  });

  it('should fail fast with a 503 error when Neo4j cannot be reached', async () => {
    const down = new Neo4jBackend({ uri: 'bolt://127.0.0.1:1', user: 'neo4j', password: '' }, MEASURE, {
      connectTimeoutMs: 1000,
    });
    try {
      const err = await down.ready().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SimilarityUnavailableError);
      expect(err).toMatchObject({ httpStatus: 503, message: expect.stringMatching(/unavailable/) });
    } finally {
      await down.close();
    }
  });
});
