import { Injectable } from '@nestjs/common';
import type { EavValue, SubjectDocument } from '../data.types';
import { mergeSubject } from '../ingestion/subject-builder';
import { type StoredSubject, SubjectsRepository } from './subjects.repository';

const BATCH = 1000;
/** A generation no job ever has: selects every subject a file contributed to. */
const NO_GENERATION = '\u0000';

/** MongoDB (and FerretDB) keys may not contain `.` or start with `$`. */
export function safeKey(key: string): string {
  return key.replace(/\./g, '_').replace(/^\$/, '_');
}

function safePart(part: Partial<SubjectDocument>): Partial<SubjectDocument> {
  if (!part.EAV) {
    return part;
  }
  const EAV: Record<string, EavValue> = {};
  for (const [k, v] of Object.entries(part.EAV)) {
    EAV[safeKey(k)] = v;
  }
  return { ...part, EAV };
}

function build(subjectId: string, parts: StoredSubject['_parts'], gens: StoredSubject['_gen']): StoredSubject | null {
  const files = Object.keys(parts);
  if (files.length === 0) {
    return null;
  }
  const merged = mergeSubject(files.map((f) => parts[f]));
  return { ...merged, subjectId, dataFiles: files, _parts: parts, _gen: gens };
}

export interface WriteProgress {
  subjects: number;
}

/**
 * Writes one data file's contribution to a source's subjects so that re-running it (after a crash, or a re-upload)
 * gives exactly the subjects of one clean run: each subject keeps every file's part, the merged fields are rebuilt
 * from the parts, and parts a re-run did not produce again (tagged with an older generation) are removed at the end.
 */
@Injectable()
export class SubjectWriter {
  constructor(private readonly repo: SubjectsRepository) {}

  /** `parts` must yield each subject once. */
  async writeFile(
    sourceId: string,
    dataFileId: string,
    gen: string,
    parts:
      | AsyncIterable<{ subjectId: string; part: Partial<SubjectDocument> }>
      | Iterable<{ subjectId: string; part: Partial<SubjectDocument> }>,
    onBatch?: (p: WriteProgress) => Promise<void> | void,
  ): Promise<WriteProgress> {
    const progress: WriteProgress = { subjects: 0 };
    let batch: Array<{ subjectId: string; part: Partial<SubjectDocument> }> = [];
    const flush = async () => {
      const existing = new Map(
        (
          await this.repo.findBySubjectIds(
            sourceId,
            batch.map((b) => b.subjectId),
          )
        ).map((s) => [s.subjectId, s]),
      );
      const writes = batch.map(({ subjectId, part }) => {
        const stored = existing.get(subjectId);
        const doc = build(
          subjectId,
          { ...stored?._parts, [dataFileId]: safePart(part) },
          { ...stored?._gen, [dataFileId]: gen },
        );
        return { subjectId, doc };
      });
      await this.repo.writeSubjects(sourceId, writes);
      progress.subjects += batch.length;
      batch = [];
      await onBatch?.(progress);
    };
    for await (const item of parts) {
      batch.push(item);
      if (batch.length >= BATCH) {
        await flush();
      }
    }
    if (batch.length > 0) {
      await flush();
    }
    await this.removeParts(sourceId, dataFileId, gen);
    return progress;
  }

  /** Removes everything a data file contributed (its subjects lose its part; subjects left empty go). */
  removeFile(sourceId: string, dataFileId: string): Promise<void> {
    return this.removeParts(sourceId, dataFileId, NO_GENERATION);
  }

  /** Removes this file's parts not written by generation `keep`. */
  private async removeParts(sourceId: string, dataFileId: string, keep: string): Promise<void> {
    for (;;) {
      const stale = await this.repo.findStale(sourceId, dataFileId, keep, BATCH);
      if (stale.length === 0) {
        return;
      }
      const writes = stale.map((s) => {
        const parts = { ...s._parts };
        const gens = { ...s._gen };
        delete parts[dataFileId];
        delete gens[dataFileId];
        return { subjectId: s.subjectId, doc: build(s.subjectId, parts, gens) };
      });
      await this.repo.writeSubjects(sourceId, writes);
    }
  }
}
