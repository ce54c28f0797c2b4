import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { checkContent, CSV_SNIFF_BYTES, looksLikeCsv } from './file-format';

const dir = mkdtempSync(join(tmpdir(), 'cv3-format-'));
function file(name: string, content: Buffer | string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
const VCF = '##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n';

describe('file format checks', () => {
  it.each([
    ['a comma header', 'a,b\n1,2\n', true],
    ['a tab header', 'a\tb\n1\t2\n', true],
    ['a semicolon header with a BOM', '\uFEFFa;b\n1;2\n', true],
    ['one column', 'a\n1\n', false],
    ['empty', '', false],
    ['NUL bytes', 'a,b\n\u0000', false],
  ])('should judge a CSV head with %s', (_name, text, ok) => {
    expect(looksLikeCsv(Buffer.from(text), true)).toBe(ok);
  });

  it('should accept a multi-byte character cut at the end of the sample only', () => {
    const head = Buffer.concat([Buffer.from('name,city\nJos'), Buffer.from('é').subarray(0, 1)]);
    expect(looksLikeCsv(head, false)).toBe(true);
    expect(looksLikeCsv(head, true)).toBe(false);
    expect(looksLikeCsv(Buffer.from('name,city\nJos\xe9\n', 'latin1'), true)).toBe(false);
  });

  it('should check a big CSV on its first 64 KiB only', async () => {
    const big = `a,b\n${'1,2\n'.repeat(CSV_SNIFF_BYTES / 2)}`;
    expect(await checkContent(file('big.csv', big), 'csv', big.length)).toBeNull();
  });

  it.each([
    ['vcf', VCF, null],
    ['vcf', 'a,b\n1,2\n', 'not a VCF'],
    ['vcf.gz', gzipSync(VCF), null],
    ['vcf.gz', Buffer.concat([gzipSync(VCF), gzipSync(VCF)]), null],
    ['vcf.gz', VCF, 'not a gzip'],
    ['vcf.gz', gzipSync('a,b\n'), 'not a compressed VCF'],
    ['vcf.gz', gzipSync(VCF).subarray(0, 12), 'not a'],
  ] as const)('should check %s content (%#)', async (format, content, problem) => {
    const buf = Buffer.from(content);
    const result = await checkContent(file(`x${Math.random()}`, buf), format, buf.length);
    if (problem === null) {
      expect(result).toBeNull();
    } else {
      expect(result).toContain(problem);
    }
  });
});
