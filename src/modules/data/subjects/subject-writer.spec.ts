import type { SubjectDocument } from '../data.types';
import { SubjectWriter } from './subject-writer';
import type { StoredSubject, SubjectsRepository } from './subjects.repository';

/** The repository's contract, in memory (the e2e tests run the real one on FerretDB). */
class MemoryRepo {
  readonly docs = new Map<string, StoredSubject>();
  failInsertAfter = Infinity;

  findSharedIds(_s: string, f: string) {
    return Promise.resolve(
      [...this.docs.values()].filter((d) => d.dataFiles.includes(f) && d.dataFiles.length > 1).map((d) => d._id),
    );
  }

  deleteSolo(_s: string, f: string) {
    for (const d of [...this.docs.values()]) {
      if (d.dataFiles.length === 1 && d.dataFiles[0] === f) {
        this.docs.delete(d._id);
      }
    }
    return Promise.resolve(0);
  }

  findByIds(_s: string, ids: string[]) {
    return Promise.resolve(ids.filter((id) => this.docs.has(id)).map((id) => structuredClone(this.docs.get(id)!)));
  }

  insertNew(_s: string, docs: StoredSubject[]) {
    const dup: string[] = [];
    for (const d of docs) {
      if (this.failInsertAfter-- <= 0) {
        return Promise.reject(new Error('worker killed'));
      }
      if (this.docs.has(d._id)) {
        dup.push(d._id);
      } else {
        this.docs.set(d._id, structuredClone(d));
      }
    }
    return Promise.resolve(dup);
  }

  replaceMany(_s: string, ids: string[], docs: StoredSubject[]) {
    ids.forEach((id) => this.docs.delete(id));
    docs.forEach((d) => this.docs.set(d._id, structuredClone(d)));
    return Promise.resolve();
  }

  view() {
    return [...this.docs.values()]
      .map(({ _parts, _id, ...d }) => d)
      .sort((a, b) => a.subjectId.localeCompare(b.subjectId));
  }
}

const part = (p: Partial<SubjectDocument>) => p;
const items = (o: Record<string, Partial<SubjectDocument>>) =>
  Object.entries(o).map(([subjectId, p]) => ({ subjectId, part: p }));

describe(SubjectWriter.name, () => {
  let repo: MemoryRepo;
  let writer: SubjectWriter;

  beforeEach(() => {
    repo = new MemoryRepo();
    writer = new SubjectWriter(repo as unknown as SubjectsRepository);
  });

  it('should merge two files into one subject and keep each part', async () => {
    await writer.writeFile('s', 'A', items({ X: part({ HPO: ['0000001'] }), Y: part({ HPO: ['0000002'] }) }));
    await writer.writeFile('s', 'B', items({ X: part({ ORDO: ['166'], HPO: ['0000003'] }) }));
    const x = repo.view().find((d) => d.subjectId === 'X')!;
    expect(x).toMatchObject({ HPO: ['0000001', '0000003'], ORDO: ['166'], dataFiles: ['A', 'B'] });
    // A's part comes from its single-file document (all fields), B's as written.
    expect(repo.docs.get('X')!._parts).toMatchObject({
      A: { HPO: ['0000001'], ORDO: [] },
      B: { ORDO: ['166'], HPO: ['0000003'] },
    });
    expect(repo.docs.get('Y')!._parts).toBeUndefined();
  });

  it('should replace exactly one file’s part when it is written again', async () => {
    await writer.writeFile('s', 'A', items({ X: part({ HPO: ['0000001'] }), Y: part({ HPO: ['0000002'] }) }));
    await writer.writeFile('s', 'B', items({ X: part({ ORDO: ['166'] }) }));
    // A again, now without Y and with a different X.
    await writer.writeFile('s', 'A', items({ X: part({ HPO: ['0000009'] }) }));
    expect(repo.view()).toEqual([
      expect.objectContaining({ subjectId: 'X', HPO: ['0000009'], ORDO: ['166'], dataFiles: ['A', 'B'] }),
    ]);
  });

  it('should drop a shared subject’s part when a re-run no longer produces it', async () => {
    await writer.writeFile('s', 'A', items({ X: part({ HPO: ['0000001'] }) }));
    await writer.writeFile('s', 'B', items({ X: part({ ORDO: ['166'] }) }));
    await writer.writeFile('s', 'A', items({ Z: part({ HPO: ['0000005'] }) }));
    const x = repo.view().find((d) => d.subjectId === 'X')!;
    expect(x).toMatchObject({ HPO: [], ORDO: ['166'], dataFiles: ['B'] });
    expect(repo.docs.get('X')!._parts).toBeUndefined();
  });

  it('should remove a file: subjects only it made go, shared ones keep the rest', async () => {
    await writer.writeFile('s', 'A', items({ X: part({ HPO: ['0000001'] }), Y: part({ HPO: ['0000002'] }) }));
    await writer.writeFile('s', 'B', items({ X: part({ ORDO: ['166'] }) }));
    await writer.removeFile('s', 'A');
    expect(repo.view()).toEqual([
      expect.objectContaining({ subjectId: 'X', HPO: [], ORDO: ['166'], dataFiles: ['B'] }),
    ]);
  });

  it('should end like one clean run when a run dies half way and is run again', async () => {
    const many = Object.fromEntries(
      Array.from({ length: 2500 }, (_, i) => [`P${i}`, part({ HPO: [String(i).padStart(7, '0')] })]),
    );
    const clean = new MemoryRepo();
    await new SubjectWriter(clean as unknown as SubjectsRepository).writeFile('s', 'A', items(many));
    await writer.writeFile('s', 'B', items({ P1: part({ ORDO: ['9'] }) }));
    await new SubjectWriter(clean as unknown as SubjectsRepository).writeFile(
      's',
      'B',
      items({ P1: part({ ORDO: ['9'] }) }),
    );

    repo.failInsertAfter = 1500;
    await expect(writer.writeFile('s', 'A', items(many))).rejects.toThrow('worker killed');
    repo.failInsertAfter = Infinity;
    await writer.writeFile('s', 'A', items(many));
    expect(repo.view()).toEqual(clean.view().map((d) => (d.subjectId === 'P1' ? { ...d, dataFiles: ['B', 'A'] } : d)));
  });
});

describe(`${SubjectWriter.name} first write`, () => {
  it('should skip the scans for an old contribution, report append-only and hand over every inserted subject', async () => {
    const repo = new MemoryRepo();
    const shared = jest.spyOn(repo, 'findSharedIds');
    const solo = jest.spyOn(repo, 'deleteSolo');
    const inserted: string[] = [];
    const res = await new SubjectWriter(repo as unknown as SubjectsRepository).writeFile(
      's',
      'A',
      items({ X: part({ HPO: ['0000001'] }), Y: part({ HPO: ['0000002'] }) }),
      { firstWrite: true, onFresh: (d) => inserted.push(d._id) },
    );
    expect(shared).not.toHaveBeenCalled();
    expect(solo).not.toHaveBeenCalled();
    expect(res).toEqual({ subjects: 2, appendOnly: true });
    expect(inserted).toEqual(['X', 'Y']);
  });

  it('should not report append-only when a subject of another file had to be merged', async () => {
    const repo = new MemoryRepo();
    const writer = new SubjectWriter(repo as unknown as SubjectsRepository);
    await writer.writeFile('s', 'A', items({ X: part({ HPO: ['0000001'] }) }), { firstWrite: true });
    const inserted: string[] = [];
    const res = await writer.writeFile('s', 'B', items({ X: part({ ORDO: ['166'] }), Z: part({ ORDO: ['9'] }) }), {
      firstWrite: true,
      onFresh: (d) => inserted.push(d._id),
    });
    expect(res.appendOnly).toBe(false);
    expect(inserted).toEqual(['X', 'Z']); // X then turned out to exist, so the write is not append-only
    expect(repo.view()).toEqual([
      expect.objectContaining({ subjectId: 'X', HPO: ['0000001'], ORDO: ['166'], dataFiles: ['A', 'B'] }),
      expect.objectContaining({ subjectId: 'Z', HPO: [], ORDO: ['9'], dataFiles: ['B'] }),
    ]);
  });

  it('should not report append-only for a write that is not the first', async () => {
    const repo = new MemoryRepo();
    const res = await new SubjectWriter(repo as unknown as SubjectsRepository).writeFile(
      's',
      'A',
      items({ X: part({ HPO: ['0000001'] }) }),
    );
    expect(res.appendOnly).toBe(false);
  });
});

describe(`${SubjectWriter.name} batches`, () => {
  it('should write two batches at a time, close batches by size, and count every subject', async () => {
    const repo = new MemoryRepo();
    let active = 0;
    let most = 0;
    const sizes: number[] = [];
    const insert = repo.insertNew.bind(repo);
    repo.insertNew = async (s: string, docs: StoredSubject[]) => {
      active++;
      most = Math.max(most, active);
      sizes.push(docs.length);
      await new Promise((r) => setTimeout(r, 5));
      active--;
      return insert(s, docs);
    };
    // 60 large subjects (2,000 variants each, ~128 kB by the writer's estimate): about 8 per batch.
    const VARIANT = Array.from({ length: 2000 }, (_, i) => ({ gene: `G${i}`, mutation: 'missense_variant' }));
    const many = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`S${i}`, part({ VARIANT })]));
    const res = await new SubjectWriter(repo as unknown as SubjectsRepository).writeFile('s', 'A', items(many), {
      firstWrite: true,
    });
    expect(res).toEqual({ subjects: 60, appendOnly: true });
    expect(repo.docs.size).toBe(60);
    expect(most).toBe(2);
    expect(Math.max(...sizes)).toBeLessThan(10);
  });
});
