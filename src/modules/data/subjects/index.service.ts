import { Injectable } from '@nestjs/common';
import type { EavIndex, RecordIndex } from '../data.types';
import { JobRequestError, JobsErrorCode } from '../jobs/jobs.errors';
import { computeIndex } from '../ingestion/indexer';
import { SourcesService } from '../sources.service';
import { MongoLimiter } from '../jobs/mongo-limiter';
import { SubjectsRepository } from './subjects.repository';

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

  /** One streaming pass over the subjects (works on FerretDB's aggregation subset: it needs none). */
  async rebuild(sourceId: string): Promise<RecordIndex> {
    const source = await this.sources.findOrFail(sourceId);
    const fresh = await this.limiter.run(() => computeIndex(this.subjects.streamSubjects(sourceId)));
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
