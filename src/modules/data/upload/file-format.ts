import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { FileFormat } from '../data.types';

/** How much of a CSV is checked for text and a header. */
export const CSV_SNIFF_BYTES = 64 * 1024;
const VCF_MAGIC = '##fileformat=VCF';
const CSV_DELIMITERS = [',', '\t', ';', '|'];

async function readHead(path: string, bytes: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** The first `bytes` decompressed bytes of a gzip (or bgzip) file; rejects when it is not gzip. */
function readGunzippedHead(path: string, bytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const input = createReadStream(path, { end: 1024 * 1024 });
    const gunzip = createGunzip();
    const finish = (err?: Error) => {
      input.destroy();
      gunzip.destroy();
      if (err && got < bytes) {
        reject(err);
      } else {
        resolve(Buffer.concat(chunks).subarray(0, bytes));
      }
    };
    gunzip.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      got += chunk.length;
      if (got >= bytes) {
        finish();
      }
    });
    gunzip.on('end', () => finish());
    gunzip.on('error', (err) => finish(err));
    input.on('error', (err) => finish(err));
    input.pipe(gunzip);
  });
}

/** Is this the head of a text CSV: UTF-8, no NUL bytes, a header line with at least two delimited fields? */
export function looksLikeCsv(head: Buffer, isWholeFile: boolean): boolean {
  if (head.length === 0 || head.includes(0)) {
    return false;
  }
  let text: string;
  try {
    // A cut through a multi-byte character at the end of the sample is fine; anywhere else it is not UTF-8.
    text = new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: !isWholeFile });
  } catch {
    return false;
  }
  const header = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0];
  return CSV_DELIMITERS.some((d) => header.split(d).filter((f) => f.trim() !== '').length >= 2);
}

/** Checks that the file's content is the format its name claims; returns why not, or null when it is. */
export async function checkContent(path: string, format: FileFormat, size: number): Promise<string | null> {
  switch (format) {
    case 'csv': {
      const head = await readHead(path, CSV_SNIFF_BYTES);
      return looksLikeCsv(head, size <= CSV_SNIFF_BYTES)
        ? null
        : 'not a CSV file (UTF-8 text with a delimited header line)';
    }
    case 'vcf': {
      const head = await readHead(path, VCF_MAGIC.length);
      return head.toString('latin1') === VCF_MAGIC ? null : `not a VCF file (no ${VCF_MAGIC} line)`;
    }
    case 'vcf.gz': {
      const magic = await readHead(path, 2);
      if (magic.length < 2 || magic[0] !== 0x1f || magic[1] !== 0x8b) {
        return 'not a gzip file';
      }
      try {
        const head = await readGunzippedHead(path, VCF_MAGIC.length);
        return head.toString('latin1') === VCF_MAGIC ? null : `not a compressed VCF file (no ${VCF_MAGIC} line)`;
      } catch {
        return 'not a readable gzip file';
      }
    }
  }
}
