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
