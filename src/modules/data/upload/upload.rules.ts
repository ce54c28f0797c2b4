import { basename } from 'node:path';
import { DataErrorCode, UploadRefusedError } from '../data.errors';
import type { FileFormat } from '../data.types';

/**
 * The largest file an upload may assemble: 5 GiB. A constant rather than a config key (the config schema keeps
 * CV3's keys only); large cohorts' VCFs are split per chromosome well below this.
 */
export const MAX_UPLOAD_BYTES = 5 * 1024 ** 3;
/** The largest chunk the server takes (resumable.js's last chunk may reach twice the nominal size). */
export const MAX_CHUNK_BYTES = 32 * 1024 ** 2;
/** The largest nominal chunk size, so that the last chunk stays under MAX_CHUNK_BYTES. */
export const MAX_NOMINAL_CHUNK_BYTES = MAX_CHUNK_BYTES / 2;

export interface ChunkFields {
  resumableChunkNumber: number;
  resumableTotalChunks: number;
  resumableChunkSize: number;
  resumableTotalSize: number;
  resumableFilename: string;
}

function refuse(message: string, code = DataErrorCode.UploadInvalid, status = 400): UploadRefusedError {
  return new UploadRefusedError(code, message, status);
}

/** The format a file name claims (by its extension, case-insensitively), or null. */
export function formatFromName(filename: string): FileFormat | null {
  const lower = filename.toLowerCase();
  if (lower.endsWith('.vcf.gz')) {
    return 'vcf.gz';
  }
  if (lower.endsWith('.vcf')) {
    return 'vcf';
  }
  if (lower.endsWith('.csv')) {
    return 'csv';
  }
  return null;
}

/** A bare file name: no directory parts, no control characters, not `.` or `..`. */
export function checkFilename(filename: string): void {
  if (
    filename.length === 0 ||
    /[/\\]/.test(filename) ||
    /\p{Cc}/u.test(filename) ||
    filename === '.' ||
    filename === '..' ||
    basename(filename) !== filename
  ) {
    throw refuse('resumableFilename must be a file name without path parts');
  }
}

/**
 * resumable.js splits a file into floor(total / chunkSize) chunks, the last taking the remainder (or, with
 * forceChunkSize, ceil(total / chunkSize) chunks of at most chunkSize). Both counts are accepted.
 */
export function expectedChunkBytes(f: ChunkFields): number {
  const offset = (f.resumableChunkNumber - 1) * f.resumableChunkSize;
  return f.resumableChunkNumber < f.resumableTotalChunks ? f.resumableChunkSize : f.resumableTotalSize - offset;
}

/** Checks one chunk's fields and its byte count; returns the file's format. Throws UploadRefusedError. */
export function checkChunk(
  f: ChunkFields,
  chunkBytes: number | undefined,
  validFormats: readonly string[],
): FileFormat {
  checkFilename(f.resumableFilename);
  const format = formatFromName(f.resumableFilename);
  if (format === null || !validFormats.includes(format)) {
    throw refuse(
      `resumableFilename: the format is not one of ${validFormats.join(', ')}`,
      DataErrorCode.UploadFormatNotAllowed,
    );
  }
  if (f.resumableTotalSize < 1) {
    throw refuse('resumableTotalSize must be at least 1');
  }
  if (f.resumableTotalSize > MAX_UPLOAD_BYTES) {
    throw refuse(
      `resumableTotalSize: a file may have at most ${MAX_UPLOAD_BYTES} bytes`,
      DataErrorCode.UploadTooLarge,
      413,
    );
  }
  if (f.resumableChunkSize < 1 || f.resumableChunkSize > MAX_NOMINAL_CHUNK_BYTES) {
    throw refuse(`resumableChunkSize must be between 1 and ${MAX_NOMINAL_CHUNK_BYTES}`);
  }
  const floor = Math.max(1, Math.floor(f.resumableTotalSize / f.resumableChunkSize));
  const ceil = Math.ceil(f.resumableTotalSize / f.resumableChunkSize);
  if (f.resumableTotalChunks !== floor && f.resumableTotalChunks !== ceil) {
    throw refuse('resumableTotalChunks does not add up with resumableTotalSize and resumableChunkSize');
  }
  if (f.resumableChunkNumber < 1 || f.resumableChunkNumber > f.resumableTotalChunks) {
    throw refuse(`resumableChunkNumber must be between 1 and ${f.resumableTotalChunks}`);
  }
  if (chunkBytes === undefined) {
    throw refuse('file: the chunk is missing');
  }
  const expected = expectedChunkBytes(f);
  if (chunkBytes !== expected) {
    throw refuse(`file: chunk ${f.resumableChunkNumber} has ${chunkBytes} bytes, expected ${expected}`);
  }
  return format;
}
