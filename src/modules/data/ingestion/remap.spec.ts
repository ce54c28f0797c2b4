import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { RemapPipeline, TermSetDirective } from '../data.types';
import { readVcf, type VcfRecord } from './readers';
import {
  compileRemap,
  defaultDestination,
  normaliseTerm,
  parseScalar,
  recordVariants,
  remapSubject,
  vcfSubjects,
  type RemapIssue,
} from './remap';

const pipeline = (...directives: TermSetDirective[]): RemapPipeline => ({
  pipelineId: 'r1',
  pipelineName: 'remap',
  pipelineType: 'remapPipeline',
  directives,
});

describe('normaliseTerm', () => {
  it.each([
    ['hpo', 'HP:0001250', '0001250'],
    ['hpo', 'hp_0001250', '0001250'],
    ['hpo', 'http://purl.obolibrary.org/obo/HP_0001250', '0001250'],
    ['hpo', 'HP:1250', undefined],
    ['ordo', 'ORPHA:558', '558'],
    ['ordo', 'Orphanet_558', '558'],
    ['ordo', 'http://www.orpha.net/ORDO/Orphanet_558', '558'],
    ['snomed', 'SNOMEDCT:84757009', '84757009'],
    ['snomed', '84757009', '84757009'],
    ['snomed', 'seizure', undefined],
    ['ncit', 'NCIT:C12345', 'C12345'],
    ['ncit', 'C12345', 'C12345'],
  ] as const)('should normalise %s %s to %s', (kind, raw, expected) => {
    expect(normaliseTerm(kind, raw)).toBe(expected);
  });
});

describe('parseScalar', () => {
  it('should parse numbers and booleans and keep IDs with leading zeros as strings', () => {
    expect([
      parseScalar('42'),
      parseScalar('-1.5e2'),
      parseScalar('TRUE'),
      parseScalar('007'),
      parseScalar('x'),
    ]).toEqual([42, -150, true, '007', 'x']);
  });
});

describe('remapSubject', () => {
  it('should apply basic pattern sets (first match wins, Python-style groups) and strip prefixes', () => {
    const p = pipeline({
      directiveType: 'termSet',
      origin: 'pheno',
      destination: 'hpo',
      patternSets: [
        { type: 'basic', pattern: '^seizures?$', replacement: 'HP:0001250' },
        { type: 'basic', pattern: '^HPO-(\\d+)$', replacement: 'HP:\\1' },
        { type: 'basic', pattern: '^seiz', replacement: 'never used' },
      ],
    });
    const doc = remapSubject([{ line: 2, values: { pheno: ['Seizure', 'seizures', 'HPO-0000252', 'HP:0001263'] } }], p);
    expect(doc.HPO).toEqual(['0001250', '0000252', '0001263']);
  });

  it('should report and drop invalid terms by default', () => {
    const issues: RemapIssue[] = [];
    const remapper = compileRemap(
      pipeline({ directiveType: 'termSet', origin: 'o', destination: 'ordo', patternSets: [] }),
      { onInvalid: (i) => issues.push(i) },
    );
    const doc = remapSubject([{ line: 7, values: { o: ['ORPHA:558', 'ORPHA:x'] } }], remapper);
    expect(doc.ORDO).toEqual(['558']);
    expect(issues).toEqual([
      { line: 7, column: 'o', value: 'ORPHA:x', destination: 'ordo', reason: 'an ORDO (Orphanet) number' },
    ]);
  });

  it('should throw on an invalid term with its line in error mode', () => {
    const p = pipeline({ directiveType: 'termSet', origin: 'h', destination: 'hpo', patternSets: [] });
    expect(() => remapSubject([{ line: 9, values: { h: 'HP:12' } }], p, { invalid: 'error' })).toThrow(/^line 9: /);
  });

  it('should produce qualified terms for hpo and key/value pairs for eav with qualifier sets', () => {
    const p = pipeline(
      {
        directiveType: 'termSet',
        origin: 'onset',
        destination: 'hpo',
        patternSets: [
          { type: 'qualifier', pattern: '^(HP:\\d{7})@(\\d+)$', qualifierReplacement: '$1', valueReplacement: '$2' },
        ],
      },
      {
        directiveType: 'termSet',
        origin: 'lab',
        destination: 'eav',
        patternSets: [
          {
            type: 'qualifier',
            pattern: '^(?P<k>\\w+)=(?P<v>.+)$',
            qualifierReplacement: '\\g<k>',
            valueReplacement: '\\g<v>',
          },
        ],
      },
    );
    const doc = remapSubject([{ values: { onset: 'HP:0003581@35', lab: ['ldl=3.2', 'fasting=true'] } }], p);
    expect(doc.HPO).toEqual([{ '0003581': 35 }]);
    expect(doc.EAV).toEqual({ ldl: 3.2, fasting: true });
  });

  it('should turn gene values into VARIANT or ALLELES entries', () => {
    const p = pipeline({ directiveType: 'termSet', origin: 'g', destination: 'gene', patternSets: [] });
    const doc = remapSubject([{ values: { g: ['BRCA1', 'TP53:stop_gained', 'APOE:e3/e4'] } }], p);
    expect(doc.VARIANT).toEqual([
      { gene: 'BRCA1', mutation: 'unknown' },
      { gene: 'TP53', mutation: 'stop_gained' },
    ]);
    expect(doc.ALLELES).toEqual([{ gene: 'APOE', alleles: ['e3', 'e4'] }]);
  });

  it('should ignore columns no directive names and merge rows', () => {
    const p = pipeline({ directiveType: 'termSet', origin: 'snomed', destination: 'snomedCT', patternSets: [] });
    const doc = remapSubject(
      [
        { values: { snomed: '84757009', other: 'x' } },
        { values: { snomed: ['SCTID:84757009', '230690007'], other: 'y' } },
      ],
      p,
    );
    expect(doc).toEqual({
      HPO: [],
      ORDO: [],
      SNOMED: ['84757009', '230690007'],
      NCIT: [],
      ALLELES: [],
      VARIANT: [],
      EAV: {},
    });
  });

  it('should remap by header names without directives, everything else into EAV', () => {
    const doc = remapSubject(
      [
        {
          values: {
            HPO: ['HP:0001250'],
            Orpha_Code: 'ORPHA:558',
            NCIT: 'NCIT:C3262',
            Gene: 'TTN',
            age: '34',
            'a.b': 'x',
          },
        },
        { values: { HPO: 'HP:0000252', Orpha_Code: '', NCIT: '', Gene: '', age: '35', 'a.b': 'x' } },
      ],
      null,
    );
    expect(doc).toEqual({
      HPO: ['0001250', '0000252'],
      ORDO: ['558'],
      SNOMED: [],
      NCIT: ['C3262'],
      ALLELES: [],
      VARIANT: [{ gene: 'TTN', mutation: 'unknown' }],
      EAV: { age: [34, 35], a_b: 'x' },
    });
  });

  it('should map header names to default destinations', () => {
    expect(['hpo_terms', 'ORDO', 'SCTID', 'gene symbol', 'diagnosis'].map(defaultDestination)).toEqual([
      'hpo',
      'ordo',
      'snomedCT',
      'gene',
      'eav',
    ]);
  });

  it('should refuse an invalid regex at compile time', () => {
    const p = pipeline({
      directiveType: 'termSet',
      origin: 'h',
      destination: 'hpo',
      patternSets: [{ type: 'basic', pattern: '(', replacement: '' }],
    });
    expect(() => compileRemap(p)).toThrow(/invalid pattern/);
  });
});

describe('VCF variants', () => {
  const record = (over: Partial<VcfRecord>): VcfRecord => ({
    line: 1,
    chrom: '1',
    pos: 1,
    ref: 'A',
    alt: ['G'],
    info: {},
    genotypes: {},
    annotations: [],
    ...over,
  });

  it('should give carriers of an ALT allele its annotations with af computed from the record', () => {
    const v = recordVariants(
      record({
        genotypes: { a: '0/1', b: '0/0', c: './.', d: '1|1' },
        annotations: [{ altIndex: 0, gene: 'TTN', consequence: 'missense_variant' }],
      }),
    );
    expect([...v]).toEqual([
      ['a', [{ gene: 'TTN', mutation: 'missense_variant', af: 0.5 }]],
      ['d', [{ gene: 'TTN', mutation: 'missense_variant', af: 0.5 }]],
    ]);
  });

  it('should fall back to INFO GENEINFO and MC without annotations', () => {
    const v = recordVariants(
      record({
        genotypes: { a: '0/1' },
        info: { GENEINFO: ['BRCA2:675'], MC: ['SO:0001587|nonsense'] },
        af: [0.01],
      }),
    );
    expect(v.get('a')).toEqual([{ gene: 'BRCA2', mutation: 'nonsense', af: 0.01 }]);
  });

  it('should list the entries of a sample by gene in the order it first carried each, then by mutation', async () => {
    const ann = (gene: string, consequence: string) => [{ altIndex: 0, gene, consequence }];
    const subjects = await vcfSubjects([
      record({ genotypes: { a: '0/1', b: '0/0' }, annotations: ann('TTN', 'missense_variant'), af: [0.1] }),
      record({ genotypes: { a: '0/1', b: '0/1' }, annotations: ann('BRCA1', 'stop_gained'), af: [0.2] }),
      record({ genotypes: { a: '1/1', b: '0/1' }, annotations: ann('TTN', 'synonymous_variant'), af: [0.3] }),
      record({ genotypes: { a: '0/1', b: '0/1' }, annotations: ann('TTN', 'missense_variant'), af: [0.05] }),
    ]);
    expect(subjects.get('a')?.VARIANT).toEqual([
      { gene: 'TTN', mutation: 'missense_variant', af: 0.1 },
      { gene: 'TTN', mutation: 'synonymous_variant', af: 0.3 },
      { gene: 'BRCA1', mutation: 'stop_gained', af: 0.2 },
    ]);
    expect(subjects.get('b')?.VARIANT).toEqual([
      { gene: 'BRCA1', mutation: 'stop_gained', af: 0.2 },
      { gene: 'TTN', mutation: 'synonymous_variant', af: 0.3 },
      { gene: 'TTN', mutation: 'missense_variant', af: 0.05 },
    ]);
  });

  it('should compute af from the calls when INFO AF is missing and keep the highest', async () => {
    const ann = [{ altIndex: 0, gene: 'TTN', consequence: 'missense_variant' }];
    // af = 2 ALT of 4 called alleles: '.' and 7 (not an ALT of this record) do not count.
    const computed = record({ genotypes: { a: '0/1', b: '1/.', c: '7/0' }, annotations: ann, af: [undefined] });
    const subjects = await vcfSubjects([
      record({ genotypes: { a: '0/1', b: '0/0', c: '0/0' }, annotations: ann }),
      computed,
    ]);
    expect(recordVariants(computed).get('a')).toEqual([{ gene: 'TTN', mutation: 'missense_variant', af: 0.5 }]);
    expect([...subjects]).toEqual([
      ['a', { VARIANT: [{ gene: 'TTN', mutation: 'missense_variant', af: 0.5 }] }],
      ['b', { VARIANT: [{ gene: 'TTN', mutation: 'missense_variant', af: 0.5 }] }],
      ['c', { VARIANT: [] }],
    ]);
  });

  it('should give each ALT allele a sample carries its own annotations, once per allele', () => {
    const v = recordVariants(
      record({
        alt: ['G', 'T'],
        genotypes: { het: '1/2', hom: '2|2', haploid: '2', triploid: '1/2/1', ref: '0/0', missing: './.' },
        annotations: [
          { altIndex: 0, gene: 'TTN', consequence: 'missense_variant' },
          { altIndex: 1, gene: 'TTN', consequence: 'stop_gained' },
        ],
        af: [0.1, 0.2],
      }),
    );
    const first = { gene: 'TTN', mutation: 'missense_variant', af: 0.1 };
    const second = { gene: 'TTN', mutation: 'stop_gained', af: 0.2 };
    expect([...v]).toEqual([
      ['het', [first, second]],
      ['hom', [second]],
      ['haploid', [second]],
      ['triploid', [first, second]],
    ]);
  });

  it('should skip ALT alleles without annotations, records without ALT and unusable fallback genes', () => {
    const annotations = [{ altIndex: 0, gene: 'TTN', consequence: 'missense_variant' }];
    const multi = recordVariants(record({ alt: ['G', 'T'], genotypes: { a: '0/2', b: '2/1' }, annotations }));
    expect([...multi]).toEqual([['b', [{ gene: 'TTN', mutation: 'missense_variant', af: 0.25 }]]]);
    expect(recordVariants(record({ alt: [], genotypes: { a: '0/1' }, annotations })).size).toBe(0);
    const badGene = record({ genotypes: { a: '0/1' }, info: { GENEINFO: ['not a gene!:1'] } });
    expect(recordVariants(badGene).size).toBe(0);
  });

  it('should add a sample first seen in a later record (records built by hand) when it carries a variant', async () => {
    const annotations = [{ altIndex: 0, gene: 'TTN', consequence: 'missense_variant' }];
    const subjects = await vcfSubjects([
      record({ genotypes: { a: '0/1' }, annotations, af: [0.1] }),
      record({ genotypes: { a: '0/0', b: '', c: '1/1' }, annotations, af: [0.2] }),
      record({ alt: [], genotypes: { a: '0/1', d: '1/1' }, annotations }),
      record({ alt: ['G', 'T'], genotypes: { a: '0/2', d: '2/2' }, annotations, af: [0.3, 0.4] }),
    ]);
    expect([...subjects.keys()]).toEqual(['a', 'c']);
    expect(subjects.get('c')).toEqual({ VARIANT: [{ gene: 'TTN', mutation: 'missense_variant', af: 0.2 }] });
  });

  it('should give the same subjects for records read from a file as for records built from their genotypes', async () => {
    const file = join(__dirname, '../../../../test/fixtures/data/small.vcf');
    const read: VcfRecord[] = [];
    for await (const r of readVcf(file)) {
      read.push(r);
    }
    // Plain objects without `calls`: the accumulator parses `genotypes` itself.
    const built = read.map(({ line, chrom, pos, ref, alt, info, genotypes, annotations, af }) =>
      record({ line, chrom, pos, ref, alt, info, genotypes, annotations, af }),
    );
    expect(read.every((r) => r.calls !== undefined)).toBe(true);
    expect(await vcfSubjects(read)).toEqual(await vcfSubjects(built));
  });

  it('should give the same subjects when carriers are applied in several batches', async () => {
    // 1,600 records × ~100 carriers is more than one batch of pending carriers.
    const samples = Array.from({ length: 130 }, (_, i) => `s${i}`);
    const genes = ['TTN', 'BRCA1', 'DMD', 'CFTR'];
    const lines = Array.from({ length: 1600 }, (_, i) => {
      const gts = samples.map((_, s) => ((i * 7 + s * 3) % 5 === 0 ? '0/0' : (i + s) % 3 ? '0/1' : '1/1'));
      const ann = `ANN=G|${i % 3 ? 'missense_variant' : 'stop_gained'}|HIGH|${genes[(i * 5 + (i >> 4)) % 4]}|x`;
      return `1\t${i + 1}\t.\tA\tG\t.\t.\tAF=0.${i % 10}${i % 7};${ann}\tGT\t${gts.join('\t')}\n`;
    });
    const vcf = `##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t${samples.join('\t')}\n`;
    const records: VcfRecord[] = [];
    for await (const r of readVcf(Readable.from([Buffer.from(vcf + lines.join(''))]))) {
      records.push(r);
    }
    // The expected result computed the simple way: per sample, gene → mutation → highest af, in first-seen order.
    const expected = new Map(samples.map((s) => [s, new Map<string, Map<string, number>>()]));
    for (const r of records) {
      const { gene, consequence } = r.annotations[0];
      for (const [s, gt] of Object.entries(r.genotypes)) {
        if (gt !== '0/0') {
          const byGene = expected.get(s)!;
          const byMutation = byGene.get(gene) ?? byGene.set(gene, new Map()).get(gene)!;
          byMutation.set(consequence, Math.max(byMutation.get(consequence) ?? -1, r.af![0]!));
        }
      }
    }
    const subjects = await vcfSubjects(records);
    expect([...subjects.keys()]).toEqual(samples);
    for (const [s, byGene] of expected) {
      const want = [...byGene].flatMap(([gene, m]) => [...m].map(([mutation, af]) => ({ gene, mutation, af })));
      expect(subjects.get(s)?.VARIANT).toEqual(want);
    }
  });

  it('should keep every sample as a subject and the highest af per (gene, mutation)', async () => {
    const ann = [{ altIndex: 0, gene: 'TTN', consequence: 'missense_variant' }];
    const subjects = await vcfSubjects([
      record({ genotypes: { a: '0/1', b: '0/0' }, annotations: ann, af: [0.1] }),
      record({ genotypes: { a: '1/1', b: '0/0' }, annotations: ann, af: [0.3] }),
      record({ genotypes: { a: '0/1', b: '0/0' }, annotations: ann, af: [0.2] }),
    ]);
    expect([...subjects]).toEqual([
      ['a', { VARIANT: [{ gene: 'TTN', mutation: 'missense_variant', af: 0.3 }] }],
      ['b', { VARIANT: [] }],
    ]);
  });
});
