import { UploadRefusedError } from '../data.errors';
import { checkChunk, checkFilename, expectedChunkBytes, formatFromName, MAX_UPLOAD_BYTES } from './upload.rules';

const fields = (over: Partial<Parameters<typeof checkChunk>[0]> = {}) => ({
  resumableChunkNumber: 1,
  resumableTotalChunks: 3,
  resumableChunkSize: 100,
  resumableTotalSize: 350,
  resumableFilename: 'patients.csv',
  ...over,
});
const ALL = ['csv', 'vcf', 'vcf.gz'];

describe('upload rules', () => {
  it.each([
    ['a.csv', 'csv'],
    ['A.CSV', 'csv'],
    ['x.vcf', 'vcf'],
    ['x.vcf.gz', 'vcf.gz'],
    ['x.VCF.GZ', 'vcf.gz'],
    ['x.gz', null],
    ['x.xlsx', null],
    ['csv', null],
  ])('should read the format of %s as %s', (name, format) => {
    expect(formatFromName(name)).toBe(format);
  });

  it.each(['../a.csv', 'a/b.csv', 'a\\b.csv', '', '.', '..', 'a\u0000.csv', 'a\n.csv'])(
    'should refuse the file name %j',
    (name) => {
      expect(() => checkFilename(name)).toThrow(UploadRefusedError);
    },
  );

  it('should expect nominal chunks and a last chunk taking the remainder', () => {
    expect(expectedChunkBytes(fields({ resumableChunkNumber: 1 }))).toBe(100);
    expect(expectedChunkBytes(fields({ resumableChunkNumber: 3 }))).toBe(150);
    expect(expectedChunkBytes(fields({ resumableChunkNumber: 4, resumableTotalChunks: 4 }))).toBe(50);
  });

  it('should accept both floor and ceil chunk counts (resumable.js forceChunkSize off and on)', () => {
    expect(checkChunk(fields({ resumableChunkNumber: 3 }), 150, ALL)).toBe('csv');
    expect(checkChunk(fields({ resumableChunkNumber: 4, resumableTotalChunks: 4 }), 50, ALL)).toBe('csv');
    expect(checkChunk(fields({ resumableTotalSize: 50, resumableTotalChunks: 1 }), 50, ALL)).toBe('csv');
  });

  it.each([
    ['a format not configured', fields({ resumableFilename: 'x.vcf.gz' }), 100, ['csv'], 400],
    ['an unknown extension', fields({ resumableFilename: 'x.txt' }), 100, ALL, 400],
    ['a total above the limit', fields({ resumableTotalSize: MAX_UPLOAD_BYTES + 1 }), 100, ALL, 413],
    ['an empty file', fields({ resumableTotalSize: 0, resumableTotalChunks: 1 }), 0, ALL, 400],
    ['a chunk count that does not add up', fields({ resumableTotalChunks: 5 }), 100, ALL, 400],
    ['chunk number 0', fields({ resumableChunkNumber: 0 }), 100, ALL, 400],
    ['a chunk number past the end', fields({ resumableChunkNumber: 4 }), 100, ALL, 400],
    ['a missing chunk', fields(), undefined, ALL, 400],
    ['a short chunk', fields(), 99, ALL, 400],
    ['a last chunk of the wrong size', fields({ resumableChunkNumber: 3 }), 100, ALL, 400],
    ['a zero chunk size', fields({ resumableChunkSize: 0 }), 100, ALL, 400],
  ])('should refuse %s', (_name, f, bytes, formats, status) => {
    try {
      checkChunk(f, bytes, formats);
      throw new Error('accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(UploadRefusedError);
      expect((err as UploadRefusedError).httpStatus).toBe(status);
    }
  });
});
