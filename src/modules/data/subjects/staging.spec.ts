import type { StagedRow } from '../ingestion/file-pipeline';
import {
  BUCKET_BYTES,
  bucketOf,
  bucketsFor,
  manifestId,
  sampleRows,
  stagedSubjects,
  type StagingChunk,
  StagingWriter,
} from './staging';

/** Stages rows into an in-memory "collection" and returns it with the manifest. */
async function stage(rows: StagedRow[], buckets: number, sample = 3) {
  const store = new Map<string, StagingChunk>();
  const writes: number[] = [];
  const writer = new StagingWriter('F', buckets, sample, (chunks) => {
    writes.push(chunks.length);
    chunks.forEach((c) => store.set(c._id, c));
    return Promise.resolve();
  });
  for (const r of rows) {
    await writer.add(r);
  }
  const manifest = await writer.finish();
  const reads: number[] = [];
  const read = (ids: string[]) => {
    reads.push(ids.length);
    return Promise.resolve(ids.filter((id) => store.has(id)).map((id) => store.get(id)!));
  };
  return { store, manifest, read, reads, writes };
}

async function collect(it: AsyncIterable<{ subjectId: string; rows: StagedRow[] }>) {
  const out: Array<{ subjectId: string; rows: StagedRow[] }> = [];
  for await (const s of it) {
    out.push(s);
  }
  return out;
}

/** 5,000 rows over 700 subjects, each subject's rows scattered through the file. */
const rows: StagedRow[] = Array.from({ length: 5000 }, (_, i) => ({
  subjectId: `P${(i * 7919) % 700}`,
  line: i + 2,
  values: { n: String(i), list: [String(i), 'x'] },
}));

describe('staging', () => {
  it('should give every subject once, with all its rows in line order, whatever the bucket count', async () => {
    for (const buckets of [1, 3, 16]) {
      const { manifest, read } = await stage(rows, buckets);
      const subjects = await collect(stagedSubjects(manifest, read));
      expect(subjects).toHaveLength(700);
      expect(new Set(subjects.map((s) => s.subjectId)).size).toBe(700);
      for (const s of subjects) {
        const expected = rows.filter((r) => r.subjectId === s.subjectId);
        expect(s.rows).toEqual(expected);
      }
      expect(manifest).toMatchObject({ _id: manifestId('F'), dataFileId: 'F', buckets, rows: 5000, subjects: 700 });
      expect(manifest.chunks.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    }
  });

  it('should keep a subject in one bucket, and the bucket stable (a remap may run in another process)', () => {
    expect(bucketOf('P1', 16)).toBe(bucketOf('P1', 16));
    expect(bucketOf('', 1)).toBe(0);
    const spread = new Set(rows.map((r) => bucketOf(r.subjectId, 16)));
    expect(spread.size).toBe(16);
  });

  it('should read one bucket at a time, in bounded batches of chunks', async () => {
    const { manifest, read, reads } = await stage(rows, 4);
    const seen: number[] = [];
    for await (const s of stagedSubjects(manifest, read)) {
      seen.push(bucketOf(s.subjectId, 4));
    }
    // Buckets come in order, never interleaved.
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(Math.max(...reads)).toBeLessThanOrEqual(16);
  });

  it('should keep the first rows of the file as its sample', async () => {
    const { manifest } = await stage(rows, 4, 3);
    expect(sampleRows(manifest)).toEqual(rows.slice(0, 3));
  });

  it('should fail loudly when a chunk the manifest names is missing', async () => {
    const { manifest, store, read } = await stage(rows, 2);
    store.delete([...store.keys()][0]);
    await expect(collect(stagedSubjects(manifest, read))).rejects.toThrow(/missing/);
  });

  it('should size buckets by the input', () => {
    expect(bucketsFor(0)).toBe(1);
    expect(bucketsFor(BUCKET_BYTES)).toBe(1);
    expect(bucketsFor(BUCKET_BYTES + 1)).toBe(2);
    expect(bucketsFor(Number.MAX_SAFE_INTEGER)).toBe(1024);
  });
});
