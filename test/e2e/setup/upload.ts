import type { INestApplication } from '@nestjs/common';
import request from 'supertest';

export interface ChunkOptions {
  filename: string;
  chunkSize: number;
  identifier?: string;
  /** Override any field of every chunk. */
  fields?: Record<string, string | number>;
}

export interface Chunk {
  number: number;
  total: number;
  bytes: Buffer;
  fields: Record<string, string | number>;
}

/** Splits a file as resumable.js does by default: floor(size / chunkSize) chunks, the last takes the rest. */
export function splitChunks(content: Buffer, opts: ChunkOptions): Chunk[] {
  const total = Math.max(1, Math.floor(content.length / opts.chunkSize));
  const identifier = opts.identifier ?? `${content.length}-${opts.filename.replace(/[^0-9A-Za-z_-]/g, '')}`;
  return Array.from({ length: total }, (_, i) => {
    const start = i * opts.chunkSize;
    const end = i === total - 1 ? content.length : start + opts.chunkSize;
    return {
      number: i + 1,
      total,
      bytes: content.subarray(start, end),
      fields: {
        resumableChunkNumber: i + 1,
        resumableTotalChunks: total,
        resumableChunkSize: opts.chunkSize,
        resumableTotalSize: content.length,
        resumableIdentifier: identifier,
        resumableFilename: opts.filename,
        ...opts.fields,
      },
    };
  });
}

/** A deterministic shuffle (so a failure can be replayed). */
export function shuffled<T>(items: T[], seed = 7): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export function postChunk(
  app: INestApplication,
  sourceId: string,
  chunk: Chunk,
  auth: { bearer: string; uploadToken?: string },
  base = '/api/sources',
) {
  let req = request(app.getHttpServer())
    .post(`${base}/${sourceId}/upload`)
    .set('Authorization', `Bearer ${auth.bearer}`);
  if (auth.uploadToken !== undefined) {
    req = req.set('X-Upload-Token', auth.uploadToken);
  }
  for (const [k, v] of Object.entries(chunk.fields)) {
    req = req.field(k, String(v));
  }
  return req.attach('file', chunk.bytes, { filename: 'blob', contentType: 'application/octet-stream' });
}
