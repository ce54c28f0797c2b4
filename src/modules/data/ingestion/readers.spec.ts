import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { IngestionInputError, detectDelimiter, parseCsq, readCsv, readVcf, type VcfRecord } from './readers';

const fixture = (name: string): string => join(__dirname, '../../../../test/fixtures/data', name);

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) {
    out.push(x);
  }
  return out;
}

async function inputError(it: AsyncIterable<unknown>): Promise<IngestionInputError> {
  try {
    await collect(it);
  } catch (err) {
    if (err instanceof IngestionInputError) {
      return err;
    }
    throw err;
  }
  throw new Error('expected an IngestionInputError');
}

/** Splits a buffer into tiny chunks so line and multi-byte boundaries fall inside chunks. */
function chunked(buf: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) {
    parts.push(buf.subarray(i, i + size));
  }
  return Readable.from(parts);
}

describe('readCsv', () => {
  it('should read rows keyed by header with line numbers, quoted fields and skipped blank lines', async () => {
    const rows = await collect(readCsv(fixture('engine-patients.csv')));
    expect(rows.map((r) => r.line)).toEqual([2, 3, 5]);
    expect(rows[0].values).toEqual({
      subject_id: 'P1',
      hpo: 'HP:0001250,HP:0001263',
      ordo: 'ORPHA:558',
      age: '34',
      sex: 'female',
      gene: 'BRCA1:missense_variant',
      notes: 'said "hello", twice',
    });
  });

  it('should strip a BOM and detect the semicolon delimiter', async () => {
    let header: unknown;
    const rows = await collect(readCsv(fixture('engine-bom-semicolon.csv'), { onHeader: (h) => (header = h) }));
    expect(header).toEqual({ columns: ['subject_id', 'hpo', 'score'], delimiter: ';' });
    expect(rows[1]).toEqual({ line: 3, values: { subject_id: 'S2', hpo: 'HP:0000252', score: '2' } });
  });

  it('should detect the tab delimiter', async () => {
    const rows = await collect(readCsv(fixture('engine-tab.csv')));
    expect(rows).toEqual([{ line: 2, values: { subject_id: 'T1', hpo: 'HP:0001250', score: '1' } }]);
  });

  it('should give the same rows when the input arrives in tiny chunks', async () => {
    const whole = await collect(readCsv(fixture('engine-patients.csv')));
    const tiny = await collect(readCsv(chunked(readFileSync(fixture('engine-patients.csv')), 3)));
    expect(tiny).toEqual(whole);
  });

  it('should report the bytes read', async () => {
    const seen: number[] = [];
    await collect(readCsv(fixture('engine-tab.csv'), { onProgress: (b) => seen.push(b) }));
    expect(seen[seen.length - 1]).toBe(readFileSync(fixture('engine-tab.csv')).length);
  });

  it('should choose the most frequent delimiter outside quotes', () => {
    expect(detectDelimiter('a;b;"c,d,e"')).toBe(';');
    expect(detectDelimiter('single')).toBe(',');
  });

  it.each([
    ['engine-ragged.csv', 4, /expected 3 columns .* found 4/],
    ['engine-latin1.csv', 3, /invalid UTF-8/],
    ['engine-binary.csv', 3, /binary content/],
    ['engine-header-only.csv', 1, /no data rows/],
    ['engine-unclosed-quote.csv', 3, /Quote Not Closed/],
    ['engine-empty.csv', undefined, /empty/],
    ['engine-ann.vcf.gz', undefined, /gzip/],
  ])('should reject %s with its line number', async (name, line, message) => {
    const err = await inputError(readCsv(fixture(name)));
    expect(err.line).toBe(line);
    expect(err.message).toMatch(message);
  });

  it('should find the line of invalid UTF-8 even when a chunk splits it', async () => {
    const err = await inputError(readCsv(chunked(readFileSync(fixture('engine-latin1.csv')), 2)));
    expect(err.line).toBe(3);
  });

  it('should reject duplicate header names', async () => {
    const err = await inputError(readCsv(Readable.from([Buffer.from('a,b,a\n1,2,3\n')])));
    expect(err.toJobError()).toEqual({ line: 1, message: 'duplicate column name "a" in the header' });
  });
});

describe('readVcf', () => {
  const expectedAnn: Array<Partial<VcfRecord>> = [
    {
      line: 7,
      chrom: '1',
      pos: 100,
      ref: 'A',
      alt: ['G'],
      af: [0.25],
      annotations: [{ altIndex: 0, gene: 'BRCA1', consequence: 'missense_variant' }],
      genotypes: { S1: '0/1', S2: '0/0', S3: './.' },
    },
    {
      line: 8,
      alt: ['T', 'A'],
      af: undefined,
      annotations: [
        { altIndex: 0, gene: 'TP53', consequence: 'stop_gained' },
        { altIndex: 1, gene: 'TP53', consequence: 'synonymous_variant' },
      ],
      genotypes: { S1: '1/2', S2: '0/1', S3: '0|0' },
    },
    { line: 9, annotations: [{ altIndex: 0, gene: 'BRCA1', consequence: 'missense_variant' }] },
    { line: 10, annotations: [] },
  ];

  it('should read records with genotypes, SnpEff ANN annotations and INFO AF', async () => {
    let samples: string[] = [];
    const records = await collect(readVcf(fixture('engine-ann.vcf'), { onHeader: (h) => (samples = h.samples) }));
    expect(samples).toEqual(['S1', 'S2', 'S3']);
    expect(records).toHaveLength(4);
    records.forEach((r, i) => expect(r).toMatchObject(expectedAnn[i]));
  });

  it('should read a multi-member (bgzip-style) gzip file like the plain one', async () => {
    const plain = await collect(readVcf(fixture('engine-ann.vcf')));
    const gz = await collect(readVcf(fixture('engine-ann.vcf.gz')));
    expect(gz).toEqual(plain);
  });

  it('should read a gzip file arriving in tiny chunks', async () => {
    const plain = await collect(readVcf(fixture('engine-ann.vcf')));
    const gz = await collect(readVcf(chunked(readFileSync(fixture('engine-ann.vcf.gz')), 1)));
    expect(gz).toEqual(plain);
  });

  it('should read VEP CSQ annotations using the header field order, matching trimmed alleles', async () => {
    let csqFields: string[] | undefined;
    const records = await collect(readVcf(fixture('engine-csq.vcf'), { onHeader: (h) => (csqFields = h.csqFields) }));
    expect(csqFields?.slice(0, 4)).toEqual(['Allele', 'Consequence', 'IMPACT', 'SYMBOL']);
    expect(records[0].annotations).toEqual([{ altIndex: 0, gene: 'CFTR', consequence: 'frameshift_variant' }]);
    expect(records[1].annotations).toEqual([
      { altIndex: 0, gene: 'MYH7', consequence: 'missense_variant' },
      { altIndex: 1, gene: 'MYH7', consequence: 'stop_gained' },
    ]);
    expect(records[1].af).toEqual([0.1, 0.2]);
  });

  it('should prefer ALLELE_NUM over the allele text in CSQ', () => {
    const fields = ['Allele', 'Consequence', 'SYMBOL', 'ALLELE_NUM'];
    expect(parseCsq(['T|stop_gained|GENE1|2'], fields, 'G', ['C', 'T'])).toEqual([
      { altIndex: 1, gene: 'GENE1', consequence: 'stop_gained' },
    ]);
  });

  it.each([
    ['engine-bad-header.vcf', 3, /8 tab-separated columns/],
    ['engine-bad-line.vcf', 5, /expected 10 tab-separated columns but found 9/],
    ['engine-bad-pos.vcf', 4, /POS must be a positive integer, found "12x"/],
    ['engine-no-chrom.vcf', 2, /missing #CHROM/],
    ['engine-patients.csv', 1, /not a VCF file/],
    ['engine-binary.csv', 3, /binary content/],
    ['engine-empty.csv', undefined, /empty/],
    ['engine-truncated.vcf.gz', undefined, /corrupt or truncated gzip/],
  ])('should reject %s with its line number', async (name, line, message) => {
    const err = await inputError(readVcf(fixture(name)));
    expect(err.line).toBe(line);
    expect(err.message).toMatch(message);
  });

  it('should reject a header whose column 9 is not FORMAT', async () => {
    const vcf = '##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tS1\n';
    const err = await inputError(readVcf(Readable.from([Buffer.from(vcf)])));
    expect(err.toJobError()).toEqual({ line: 2, message: 'the #CHROM header column 9 must be FORMAT, found "S1"' });
  });

  it('should reject a VCF without records', async () => {
    const vcf = '##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n';
    const err = await inputError(readVcf(Readable.from([Buffer.from(vcf)])));
    expect(err.message).toMatch(/no records/);
  });

  describe('genotypes', () => {
    const header = (samples: string[]): string =>
      '##fileformat=VCFv4.2\n##INFO=<ID=AF,Number=A,Type=Float,Description="AF">\n' +
      `#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t${samples.join('\t')}\n`;
    const vcf = (samples: string[], ...records: string[]): Readable =>
      Readable.from([Buffer.from(header(samples) + records.map((r) => `${r}\n`).join(''))]);
    const read = async (samples: string[], ...records: string[]): Promise<VcfRecord[]> =>
      collect(readVcf(vcf(samples, ...records)));

    it('should read diploid, phased, haploid, missing, multi-allelic and multi-digit calls', async () => {
      const [r] = await read(
        ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
        '1\t5\t.\tA\tG,T\t.\t.\t.\tGT\t0/1\t1|2\t1\t.\t./0\t0/12\t0/0',
      );
      expect(r.genotypes).toEqual({ a: '0/1', b: '1|2', c: '1', d: '.', e: './0', f: '0/12', g: '0/0' });
      expect(r.calls?.samples).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
      expect([...(r.calls?.alleles ?? [])]).toEqual([0, 1, 1, 2, 1, -1, -1, 0, 0, 12, 0, 0]);
      expect([...(r.calls?.ends ?? [])]).toEqual([2, 4, 5, 6, 8, 10, 12]);
      expect([...(r.calls?.carriers ?? [])]).toEqual([0, 1, 2, 5]);
      expect(r.calls?.called).toBe(10);
    });

    it('should read GT before further FORMAT fields and ignore those', async () => {
      const [r] = await read(['a', 'b', 'c'], '1\t5\t.\tA\tG\t.\t.\t.\tGT:DP:AD\t0/1:7:3,4\t./.:.\t1/1');
      expect(r.genotypes).toEqual({ a: '0/1', b: './.', c: '1/1' });
      expect([...(r.calls?.alleles ?? [])]).toEqual([0, 1, -1, -1, 1, 1]);
    });

    it('should read a call without alleles from an empty GT', async () => {
      const [r] = await read(['a', 'b'], '1\t5\t.\tA\tG\t.\t.\t.\tGT:DP\t:7\t0/1:3');
      expect(r.genotypes).toEqual({ a: '', b: '0/1' });
      expect([...(r.calls?.ends ?? [])]).toEqual([0, 2]);
    });

    it('should have no genotypes or calls when FORMAT has no GT', async () => {
      const [r] = await read(['a', 'b'], '1\t5\t.\tA\tG\t.\t.\t.\tDP\t7\t3');
      expect(r.genotypes).toEqual({});
      expect(r.calls).toBeUndefined();
    });

    it('should still read GT when it is not the first FORMAT field', async () => {
      const [r] = await read(['a', 'b'], '1\t5\t.\tA\tG\t.\t.\t.\tDP:GT\t7:0/1\t3:1|1');
      expect(r.genotypes).toEqual({ a: '0/1', b: '1|1' });
      expect([...(r.calls?.alleles ?? [])]).toEqual([0, 1, 1, 1]);
    });

    it.each([
      ['0/x', 'GT', '0/x'],
      ['0/', 'GT', '0/'],
      ['/1', 'GT', '/1'],
      ['0//1', 'GT', '0//1'],
      ['1.', 'GT', '1.'],
      ['x', 'GT', 'x'],
      ['0/1:5', 'GT', '0/1:5'],
      ['0-1:5', 'GT:DP', '0-1'],
      ['5:0/y', 'DP:GT', '0/y'],
    ])('should reject the malformed GT column %s (FORMAT %s) with its line and sample', async (column, format, gt) => {
      const err = await inputError(
        readVcf(
          vcf(['a', 'b'], `1\t5\t.\tA\tG\t.\t.\t.\t${format}\t${format === 'DP:GT' ? '1:0/0' : '0/0'}\t${column}`),
        ),
      );
      expect(err.toJobError()).toEqual({
        line: 4,
        message: `malformed GT "${gt}" for sample b (expected allele numbers or "." separated by / or |)`,
      });
    });

    it.each([
      ['too few sample columns', '0/1', 10],
      ['too few sample columns with FORMAT fields', '0/1:5', 10],
      ['an extra column', '0/1\t0/0\t1/1', 12],
      ['an extra empty column', '0/1\t0/0\t', 12],
      ['a malformed GT and an extra column', '0/1\tx\t1/1', 12],
    ])('should report the column count for %s', async (_name, samples, found) => {
      const err = await inputError(readVcf(vcf(['a', 'b'], `1\t5\t.\tA\tG\t.\t.\t.\tGT\t${samples}`)));
      expect(err.toJobError()).toEqual({ line: 4, message: `expected 11 tab-separated columns but found ${found}` });
    });

    it('should report a bad POS before a malformed GT on the same line', async () => {
      const err = await inputError(readVcf(vcf(['a'], '1\tx5\t.\tA\tG\t.\t.\t.\tGT\t0/z')));
      expect(err.message).toMatch(/POS must be a positive integer, found "x5"/);
    });

    it('should read calls that outgrow the storage they are cut from', async () => {
      // 20,000 samples: the first record's calls and carriers, then the second's tetraploid alleles, need new storage.
      const samples = Array.from({ length: 20_000 }, (_, i) => `s${i}`);
      const records = await read(
        samples,
        `1\t5\t.\tA\tG\t.\t.\t.\tGT\t${samples.map(() => '0/1').join('\t')}`,
        `1\t6\t.\tA\tG,T\t.\t.\t.\tGT\t${samples.map((_, i) => (i % 2 ? '0/1/1/2' : '0/0/0/0')).join('\t')}`,
        `1\t7\t.\tA\tG\t.\t.\t.\tGT\t${samples.map(() => '1').join('\t')}`,
      );
      const parsed = (r: VcfRecord): number[] =>
        Object.values(r.genotypes).flatMap((gt) => gt.split(/[/|]/).map((a) => (a === '.' ? -1 : Number(a))));
      for (const r of records) {
        expect([...(r.calls?.alleles ?? [])]).toEqual(parsed(r));
      }
      expect(records.map((r) => r.calls?.carriers.length)).toEqual([20_000, 10_000, 20_000]);
      expect(records.map((r) => r.calls?.ends[19_999])).toEqual([40_000, 80_000, 20_000]);
    });
  });

  it('should parse INFO values by their declared type as before', async () => {
    const vcf =
      '##fileformat=VCFv4.2\n##INFO=<ID=DP,Number=1,Type=Integer,Description="d">\n' +
      '##INFO=<ID=SOMATIC,Number=0,Type=Flag,Description="f">\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n' +
      '1\t5\t.\tA\tG\t.\t.\tDP=7;SOMATIC;NOTE=a%3Bb,.,%ZZ;AF=0.5,.;EMPTY=;DB\n1\t6\t.\tA\t.\t.\t.\t.\n';
    const [r1, r2] = await collect(readVcf(Readable.from([Buffer.from(vcf)])));
    expect(r1.info).toEqual({
      DP: [7],
      SOMATIC: true,
      NOTE: ['a;b', undefined, '%ZZ'],
      AF: [0.5, undefined],
      EMPTY: true,
      DB: true,
    });
    expect(r1.af).toEqual([0.5, undefined]);
    expect(r2).toMatchObject({ alt: [], info: {}, genotypes: {} });
  });

  it('should read non-ASCII text in the fixed columns', async () => {
    const vcf =
      '##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n' +
      'chrΩ\t5\trs1\tA\tG\t.\tPASS\tNOTE=café;GENE=TTN\tGT\t0/1\n';
    const [r] = await collect(readVcf(Readable.from([Buffer.from(vcf)])));
    expect(r).toMatchObject({
      chrom: 'chrΩ',
      pos: 5,
      info: { NOTE: ['café'], GENE: ['TTN'] },
      genotypes: { S1: '0/1' },
    });
  });

  it('should read CRLF line endings and a BOM like plain LF', async () => {
    const text = readFileSync(fixture('engine-ann.vcf'), 'utf8');
    const plain = await collect(readVcf(fixture('engine-ann.vcf')));
    const crlf = await collect(readVcf(chunked(Buffer.from(`\ufeff${text.replace(/\n/g, '\r\n')}`), 7)));
    expect(crlf).toEqual(plain);
    expect(crlf.map((r) => r.genotypes)).toEqual(plain.map((r) => r.genotypes));
  });

  it.each([
    ['without samples', '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n1\t5\t.\tA\tG\t.\t.\t.\textra\n', 8],
    [
      'with FORMAT but no GT',
      '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n1\t5\t.\tA\tG\t.\t.\t.\tDP\t5\t6\n',
      10,
    ],
  ])('should reject a record with an extra column %s', async (_name, body, expected) => {
    const err = await inputError(readVcf(Readable.from([Buffer.from(`##fileformat=VCFv4.2\n${body}`)])));
    expect(err.toJobError()).toEqual({
      line: 3,
      message: `expected ${expected} tab-separated columns but found ${expected + 1}`,
    });
  });

  it('should reject an empty INFO column', async () => {
    const vcf = '##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n1\t5\t.\tA\tG\t.\t.\t\n';
    const err = await inputError(readVcf(Readable.from([Buffer.from(vcf)])));
    expect(err.line).toBe(3);
    expect(err.message).toMatch(/malformed record: no INFO field specified/);
  });

  it('should reject an empty CHROM or REF', async () => {
    const vcf = '##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n1\t5\t.\t\tG\t.\t.\t.\n';
    const err = await inputError(readVcf(Readable.from([Buffer.from(vcf)])));
    expect(err.toJobError()).toEqual({ line: 3, message: 'CHROM and REF must not be empty' });
  });

  it('should reject invalid UTF-8 in a record with its line number', async () => {
    const vcf = Buffer.concat([
      Buffer.from('##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n1\t5\t'),
      Buffer.from([0xe9]),
      Buffer.from('\tA\tG\t.\t.\t.\n'),
    ]);
    const err = await inputError(readVcf(Readable.from([vcf])));
    expect(err.line).toBe(3);
  });
});
