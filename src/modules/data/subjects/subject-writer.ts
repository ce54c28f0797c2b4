import { Injectable } from '@nestjs/common';
import type { EavValue, SubjectDocument } from '../data.types';
import { mergeSubject } from '../ingestion/subject-builder';
import { queryKeys } from './query-keys';
import { type StoredSubject, SubjectsRepository } from './subjects.repository';

/** A batch closes at this many subjects, or at about BATCH_BYTES of documents (a VCF's subjects are large). */
const BATCH = 1000;
const BATCH_BYTES = 1024 * 1024;
/** Batches written at once: the next is built (and the input read on) while the database takes the previous. */
const IN_FLIGHT = 2;

/** A rough size of a subject part, without serialising it. */
function approxBytes(part: Part): number {
  const terms =
    (part.HPO?.length ?? 0) + (part.ORDO?.length ?? 0) + (part.SNOMED?.length ?? 0) + (part.NCIT?.length ?? 0);
  return (
    100 +
    24 * terms +
    64 * (part.VARIANT?.length ?? 0) +
    64 * (part.ALLELES?.length ?? 0) +
    48 * Object.keys(part.EAV ?? {}).length
  );
}

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
  const { _id, _parts, subjectId: _s, dataFiles, _variantKeys, _variantAf, _alleleKeys, ...fields } = doc;
  return dataFiles.length === 1 ? { [dataFiles[0]]: fields } : {};
}

/** The document for these parts, or null when none is left. */
export function buildSubject(subjectId: string, parts: Record<string, Part>): StoredSubject | null {
  const files = Object.keys(parts);
  if (files.length === 0) {
    return null;
  }
  const merged = mergeSubject(files.map((f) => parts[f]));
  const doc: StoredSubject = { _id: subjectId, ...merged, subjectId, dataFiles: files, ...queryKeys(merged) };
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
  /** Called with each subject the write inserts as new, in input order, before the insert. */
  onFresh?: (doc: StoredSubject) => void;
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
   * extended with `onFresh`'s documents instead of being recomputed. Two batches are written at a time, each under
   * the MaxJobs limiter; a failed batch fails the write (after the others in flight settle).
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
    let batchBytes = 0;
    // Batches in flight, oldest first; each settles without rejecting and records the first failure instead.
    const inFlight: Promise<void>[] = [];
    let failure: { error: unknown } | undefined;
    const settle = async (keep: number) => {
      while (inFlight.length > keep) {
        await inFlight.shift();
      }
      if (failure) {
        throw failure.error;
      }
    };
    const write = async (
      items: Array<{ subjectId: string; part: Part }>,
      fresh: StoredSubject[],
      merge: Map<string, Part>,
    ) => {
      // A subject that exists already belongs to other files: it is merged instead.
      const byId = new Map(fresh.map((d) => [d._id, d]));
      for (const id of await this.repo.insertNew(sourceId, fresh)) {
        merge.set(id, partsOf(byId.get(id)!)[dataFileId]);
      }
      if (merge.size > 0) {
        result.appendOnly = false;
        await this.mergeInto(sourceId, dataFileId, merge);
      }
      result.subjects += items.length;
      await options.onBatch?.(result);
    };
    const flush = async () => {
      const items = batch;
      batch = [];
      batchBytes = 0;
      const fresh: StoredSubject[] = [];
      const merge = new Map<string, Part>();
      for (const { subjectId, part } of items) {
        const safe = safePart(part);
        if (shared.has(subjectId)) {
          merge.set(subjectId, safe);
          shared.delete(subjectId);
        } else {
          fresh.push(buildSubject(subjectId, { [dataFileId]: safe })!);
        }
      }
      // In input order, before the insert: should one of them exist already, the write is not append-only anyway.
      fresh.forEach((doc) => options.onFresh?.(doc));
      inFlight.push(
        write(items, fresh, merge).catch((error: unknown) => {
          failure ??= { error };
        }),
      );
      await settle(IN_FLIGHT - 1);
    };
    for await (const item of parts) {
      batch.push(item);
      batchBytes += approxBytes(item.part);
      if (batch.length >= BATCH || batchBytes >= BATCH_BYTES) {
        await flush();
      }
    }
    if (batch.length > 0) {
      await flush();
    }
    await settle(0);
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
