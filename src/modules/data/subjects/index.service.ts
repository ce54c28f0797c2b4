import { Injectable } from '@nestjs/common';
import type { EavIndex, RecordIndex } from '../data.types';
import { JobRequestError, JobsErrorCode } from '../jobs/jobs.errors';
import { buildIndex, RecordIndexBuilder } from '../ingestion/indexer';
import { SourcesService } from '../sources.service';
import { MongoLimiter } from '../jobs/mongo-limiter';
import { SubjectsRepository } from './subjects.repository';

const REBUILD_ATTEMPTS = 3;

export interface IndexSnapshot {
  /** undefined: the source has no stored state (e.g. created before states were kept). */
  version: number | undefined;
  builder: RecordIndexBuilder | undefined;
}

/** Display names an administrator set survive a rebuild; everything else is recomputed from the subjects. */
export function keepDisplayNames(fresh: EavIndex, previous?: EavIndex): EavIndex {
  if (!previous) {
    return fresh;
  }
  const attributes = { ...fresh.attributes };
  for (const k of Object.keys(attributes)) {
    if (previous.attributes[k] !== undefined) {
      attributes[k] = previous.attributes[k];
    }
  }
  const values = { ...fresh.values };
  for (const k of Object.keys(values)) {
    if (previous.values[k] !== undefined) {
      values[k] = previous.values[k];
    }
  }
  return { attributes, values, mappings: fresh.mappings };
}

/** The per-source record index: capability, record count and EAV index (reference 1.8). */
@Injectable()
export class IndexService {
  constructor(
    private readonly subjects: SubjectsRepository,
    private readonly sources: SourcesService,
    private readonly limiter: MongoLimiter,
  ) {}

  /**
   * Recomputes the index in one streaming pass over the subjects (no aggregation: works on FerretDB's subset).
   * The stored state is swapped only if no writer changed it meanwhile; otherwise the pass runs again, so the
   * result never misses a write that finished before it.
   */
  async rebuild(sourceId: string): Promise<RecordIndex> {
    for (let attempt = 1; ; attempt++) {
      const before = await this.subjects.readIndexState(sourceId);
      const builder = await this.limiter.run(() => buildIndex(this.subjects.streamSubjects(sourceId)));
      const swapped = await this.subjects.swapIndexState(sourceId, before?.version, builder.toState());
      if (swapped || attempt >= REBUILD_ATTEMPTS) {
        return this.publish(sourceId, builder);
      }
    }
  }

  /** The index state before a write: subjects the write inserts are added to it (`add`) and `commit` stores it. */
  async snapshot(sourceId: string): Promise<IndexSnapshot> {
    const stored = await this.subjects.readIndexState(sourceId);
    return stored
      ? { version: stored.version, builder: RecordIndexBuilder.fromState(stored.state) }
      : { version: undefined, builder: undefined };
  }

  /**
   * After a write that only inserted new subjects (each added to `snapshot.builder`): stores the extended index,
   * unless the state is missing or changed since the snapshot, in which case it is rebuilt from the subjects.
   */
  async commit(sourceId: string, snapshot: IndexSnapshot): Promise<RecordIndex> {
    if (
      snapshot.builder &&
      (await this.subjects.swapIndexState(sourceId, snapshot.version, snapshot.builder.toState()))
    ) {
      return this.publish(sourceId, snapshot.builder);
    }
    return this.rebuild(sourceId);
  }

  private async publish(sourceId: string, builder: RecordIndexBuilder): Promise<RecordIndex> {
    const source = await this.sources.findOrFail(sourceId);
    const fresh = builder.result();
    const index: RecordIndex = { ...fresh, eavIndex: keepDisplayNames(fresh.eavIndex, source.recordIndex?.eavIndex) };
    await this.sources.updateRecordIndex(sourceId, index);
    return index;
  }

  async eavIndex(sourceId: string): Promise<EavIndex> {
    return (await this.sources.findOrFail(sourceId)).recordIndex.eavIndex;
  }

  /** Only display names change: an unknown attribute or value is refused, mappings are never edited. */
  async renameEav(
    sourceId: string,
    names: { attributes?: Record<string, string>; values?: Record<string, string> },
  ): Promise<EavIndex> {
    const source = await this.sources.findOrFail(sourceId);
    const current = source.recordIndex.eavIndex;
    for (const [field, map] of [
      ['attributes', names.attributes ?? {}],
      ['values', names.values ?? {}],
    ] as const) {
      for (const [key, name] of Object.entries(map)) {
        if (typeof name !== 'string' || name.trim() === '' || name.length > 200) {
          throw new JobRequestError(
            JobsErrorCode.EavUnknown,
            `${field}.${key}: must be a display name of 1–200 characters`,
          );
        }
        if (current[field][key] === undefined) {
          throw new JobRequestError(JobsErrorCode.EavUnknown, `${field}.${key}: not in the EAV index of this source`);
        }
      }
    }
    const eavIndex: EavIndex = {
      attributes: { ...current.attributes, ...names.attributes },
      values: { ...current.values, ...names.values },
      mappings: current.mappings,
    };
    await this.sources.updateRecordIndex(sourceId, { ...source.recordIndex, eavIndex });
    return eavIndex;
  }
}
