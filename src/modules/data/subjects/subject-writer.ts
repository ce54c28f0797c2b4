import { Injectable } from '@nestjs/common';
import type { EavValue, SubjectDocument } from '../data.types';
import { mergeSubject } from '../ingestion/subject-builder';
import { type StoredSubject, SubjectsRepository } from './subjects.repository';

const BATCH = 1000;

/** MongoDB (and FerretDB) keys may not contain `.` or start with `$`. */
export function safeKey(key: string): string {
  return key.replace(/\./g, '_').replace(/^\$/, '_');
}

type Part = Partial<SubjectDocument>;

function safePart(part: Part): Part {
  const { subjectId: _s, dataFiles: _f, ...rest } = part;
  if (!rest.EAV) {
    return rest;
  }
  const EAV: Record<string, EavValue> = {};
  for (const [k, v] of Object.entries(rest.EAV)) {
    EAV[safeKey(k)] = v;
  }
  return { ...rest, EAV };
}

/** A stored subject's parts: its `_parts`, or (one contributing file) the document itself. */
function partsOf(doc: StoredSubject): Record<string, Part> {
  if (doc._parts) {
    return { ...doc._parts };
  }
  const { _id, _parts, subjectId: _s, dataFiles, ...fields } = doc;
  return dataFiles.length === 1 ? { [dataFiles[0]]: fields } : {};
}

/** The document for these parts, or null when none is left. */
export function buildSubject(subjectId: string, parts: Record<string, Part>): StoredSubject | null {
  const files = Object.keys(parts);
  if (files.length === 0) {
    return null;
  }
  const merged = mergeSubject(files.map((f) => parts[f]));
  const doc: StoredSubject = { _id: subjectId, ...merged, subjectId, dataFiles: files };
  if (files.length > 1) {
    doc._parts = parts;
  }
  return doc;
}

export interface WriteResult {
  subjects: number;
  /** Only new subjects were inserted: nothing of the source was changed or removed. */
  appendOnly: boolean;
}

export interface WriteOptions {
  firstWrite?: boolean;
  /** Called after each batch. */
  onBatch?: (progress: WriteResult) => Promise<void> | void;
  /** Called with each subject inserted as new. */
  onInserted?: (doc: StoredSubject) => void;
}

/**
 * Writes one data file's contribution to a source's subjects so that re-running it (after a crash or a re-upload)
 * gives exactly the subjects of one clean run. The subjects only this file made are deleted and inserted afresh in
 * batches (the fast path: bulk inserts, on MongoDB and FerretDB alike); subjects shared with other files keep every
 * file's part and are rebuilt from the parts.
 */
@Injectable()
export class SubjectWriter {
  constructor(private readonly repo: SubjectsRepository) {}

  /**
   * `parts` must yield each subject once. With `firstWrite` (the file has never written subjects, not even in a
   * run cut short), nothing of it can be in the source yet, so the scans for its old contribution are skipped.
   * The result says whether the write only added new subjects (`appendOnly`): then the source's index can be
   * extended with `onInserted`'s documents instead of being recomputed.
   */
  async writeFile(
    sourceId: string,
    dataFileId: string,
    parts: AsyncIterable<{ subjectId: string; part: Part }> | Iterable<{ subjectId: string; part: Part }>,
    options: WriteOptions = {},
  ): Promise<WriteResult> {
    const shared = new Set(options.firstWrite ? [] : await this.repo.findSharedIds(sourceId, dataFileId));
    const deleted = options.firstWrite ? 0 : await this.repo.deleteSolo(sourceId, dataFileId);
    const result: WriteResult = { subjects: 0, appendOnly: options.firstWrite === true && deleted === 0 };
    let batch: Array<{ subjectId: string; part: Part }> = [];
    const flush = async () => {
      const fresh: StoredSubject[] = [];
      const merge = new Map<string, Part>();
      for (const { subjectId, part } of batch) {
        const safe = safePart(part);
        if (shared.has(subjectId)) {
          merge.set(subjectId, safe);
          shared.delete(subjectId);
        } else {
          fresh.push(buildSubject(subjectId, { [dataFileId]: safe })!);
        }
      }
      // A subject that exists already belongs to other files: it is merged instead.
      const byId = new Map(fresh.map((d) => [d._id, d]));
      for (const id of await this.repo.insertNew(sourceId, fresh)) {
        merge.set(id, partsOf(byId.get(id)!)[dataFileId]);
        byId.delete(id);
      }
      if (options.onInserted) {
        byId.forEach((doc) => options.onInserted!(doc));
      }
      if (merge.size > 0) {
        result.appendOnly = false;
        await this.mergeInto(sourceId, dataFileId, merge);
      }
      result.subjects += batch.length;
      batch = [];
      await options.onBatch?.(result);
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
    // Shared subjects this run did not produce again lose this file's part.
    if (shared.size > 0) {
      result.appendOnly = false;
      await this.mergeInto(sourceId, dataFileId, new Map([...shared].map((id) => [id, null])));
    }
    return result;
  }

  /** Removes everything a data file contributed (its subjects lose its part; subjects left empty go). */
  async removeFile(sourceId: string, dataFileId: string): Promise<void> {
    const shared = await this.repo.findSharedIds(sourceId, dataFileId);
    await this.repo.deleteSolo(sourceId, dataFileId);
    for (let i = 0; i < shared.length; i += BATCH) {
      await this.mergeInto(sourceId, dataFileId, new Map(shared.slice(i, i + BATCH).map((id) => [id, null])));
    }
  }

  /** Sets (or, with null, removes) this file's part in existing subjects and rebuilds them. */
  private async mergeInto(sourceId: string, dataFileId: string, changes: Map<string, Part | null>): Promise<void> {
    if (changes.size === 0) {
      return;
    }
    const ids = [...changes.keys()];
    const stored = new Map((await this.repo.findByIds(sourceId, ids)).map((d) => [d._id, d]));
    const docs: StoredSubject[] = [];
    for (const id of ids) {
      const parts = stored.has(id) ? partsOf(stored.get(id)!) : {};
      const part = changes.get(id);
      if (part) {
        parts[dataFileId] = part;
      } else {
        delete parts[dataFileId];
      }
      const doc = buildSubject(id, parts);
      if (doc) {
        docs.push(doc);
      }
    }
    await this.repo.replaceMany(sourceId, ids, docs);
  }
}
