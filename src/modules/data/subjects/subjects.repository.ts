import { Injectable, Logger } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { type Connection, mongo } from 'mongoose';

type Collection<T extends mongo.Document> = mongo.Collection<T>;
type Document = mongo.Document;
import { stagingCollection, subjectCollection, type SubjectDocument } from '../data.types';
import { MongoLimiter } from '../jobs/mongo-limiter';
import type { RecordIndexState } from '../ingestion/indexer';
import { ALLELE_KEYS_FIELD, DERIVED_FIELDS, type QueryKeys, VARIANT_KEYS_FIELD } from './query-keys';
import { manifestId, type StagingChunk, type StagingManifest } from './staging';

/**
 * A stored subject: `_id` is the subjectId. A subject with several contributing files also keeps each file's part
 * (`_parts`), so one file's contribution can be replaced exactly; with one file, the document is that part.
 */
export interface StoredSubject extends SubjectDocument, Partial<QueryKeys> {
  _id: string;
  _parts?: Record<string, Partial<SubjectDocument>>;
}

/** A source's index state (`source_index_state`, keyed by source ID); `version` changes with every write. */
export interface StoredIndexState {
  _id: string;
  version: number;
  state: RecordIndexState;
}

/** What a detailed query answer shows of a subject: CV3's fields, without storage internals. */
const SERVED_PROJECTION = {
  _id: 0,
  _parts: 0,
  dataFiles: 0,
  ...Object.fromEntries(DERIVED_FIELDS.map((f) => [f, 0])),
};

export const INDEX_STATE_COLLECTION = 'source_index_state';
/** `<sourceId>@<version>`: who moved a source's index state to that version. */
export const INDEX_CLAIMS_COLLECTION = 'source_index_claims';

/**
 * Owns the per-source collections: subjects (`sources.<id>`, as CV3) and staged rows (`staging.<id>`).
 * Every heavy operation goes through the MaxJobs limiter.
 */
@Injectable()
export class SubjectsRepository {
  private readonly logger = new Logger(SubjectsRepository.name);

  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly limiter: MongoLimiter,
  ) {}

  private subjects(sourceId: string): Collection<StoredSubject> {
    return this.connection.collection<StoredSubject>(subjectCollection(sourceId));
  }

  private staging(sourceId: string): Collection<StagingChunk | StagingManifest> {
    return this.connection.collection<StagingChunk | StagingManifest>(stagingCollection(sourceId));
  }

  /** Idempotent; FerretDB lacks some index kinds, so a failure is logged, not fatal. */
  async ensureIndexes(sourceId: string): Promise<void> {
    const specs: Array<[Collection<Document>, Record<string, 1>, { unique?: boolean; name: string }]> = [
      // Queries that name subjects by their ID field (the key itself is `_id`).
      [this.subjects(sourceId) as never, { subjectId: 1 }, { name: 'subjectId' }],
      // Re-ingest and deletion of a data file: the subjects it contributed to.
      [this.subjects(sourceId) as never, { dataFiles: 1 }, { name: 'dataFiles' }],
      // Record queries: phenotype, disease, SNOMED and gene/variant filters.
      [this.subjects(sourceId) as never, { HPO: 1 }, { name: 'HPO' }],
      [this.subjects(sourceId) as never, { ORDO: 1 }, { name: 'ORDO' }],
      [this.subjects(sourceId) as never, { SNOMED: 1 }, { name: 'SNOMED' }],
      [this.subjects(sourceId) as never, { 'VARIANT.gene': 1 }, { name: 'VARIANT.gene' }],
      // Variant (gene + mutation) and allele filters (see query-keys.ts).
      [this.subjects(sourceId) as never, { [VARIANT_KEYS_FIELD]: 1 }, { name: VARIANT_KEYS_FIELD }],
      [this.subjects(sourceId) as never, { [ALLELE_KEYS_FIELD]: 1 }, { name: ALLELE_KEYS_FIELD }],
      // Clearing one file's staged chunks (they are read by `_id`).
      [this.staging(sourceId) as never, { dataFileId: 1 }, { name: 'dataFileId' }],
    ];
    for (const [collection, key, opts] of specs) {
      try {
        await collection.createIndex(key, opts);
      } catch (err) {
        this.logger.error({ err, index: opts.name }, 'could not create a subject index');
      }
    }
  }

  // ---- staging ------------------------------------------------------------------------------------------------

  /** Removes a file's staged chunks and manifest (manifest first: what is left of a cut-short clear is unused). */
  async clearStaging(sourceId: string, dataFileId: string): Promise<void> {
    await this.limiter.run(async () => {
      await this.staging(sourceId).deleteOne({ _id: manifestId(dataFileId) });
      await this.staging(sourceId).deleteMany({ dataFileId });
    });
  }

  async insertChunks(sourceId: string, chunks: StagingChunk[]): Promise<void> {
    if (chunks.length > 0) {
      await this.limiter.run(() => this.staging(sourceId).insertMany(chunks, { ordered: false }));
    }
  }

  async readChunks(sourceId: string, ids: string[]): Promise<StagingChunk[]> {
    const docs = await this.limiter.run(() =>
      this.staging(sourceId)
        .find({ _id: { $in: ids } })
        .toArray(),
    );
    return docs as StagingChunk[];
  }

  /** Written last: a file's staging is complete once its manifest is there. */
  async writeManifest(sourceId: string, manifest: StagingManifest): Promise<void> {
    await this.staging(sourceId).insertOne(manifest);
  }

  async readManifest(sourceId: string, dataFileId: string): Promise<StagingManifest | null> {
    return (await this.staging(sourceId).findOne({ _id: manifestId(dataFileId) })) as StagingManifest | null;
  }

  // ---- index state ------------------------------------------------------------------------------------------

  async readIndexState(sourceId: string): Promise<StoredIndexState | null> {
    return this.connection.collection<StoredIndexState>(INDEX_STATE_COLLECTION).findOne({ _id: sourceId });
  }

  /**
   * Stores a source's index state if it is still at `expected` (undefined: there is none yet). False when another
   * writer got there first.
   */
  async swapIndexState(sourceId: string, expected: number | undefined, state: RecordIndexState): Promise<boolean> {
    const states = this.connection.collection<StoredIndexState>(INDEX_STATE_COLLECTION);
    if (expected === undefined) {
      try {
        await states.insertOne({ _id: sourceId, version: 1, state });
        return true;
      } catch (err) {
        if (err instanceof mongo.MongoServerError && err.code === 11000) {
          return false;
        }
        throw err;
      }
    }
    // The move from `expected` to the next version is claimed by a unique insert first: atomic on MongoDB and on
    // FerretDB alike (FerretDB does not make a filtered update atomic against a concurrent one).
    const claims = this.connection.collection<{ _id: string }>(INDEX_CLAIMS_COLLECTION);
    try {
      await claims.insertOne({ _id: `${sourceId}@${expected + 1}` });
    } catch (err) {
      if (err instanceof mongo.MongoServerError && err.code === 11000) {
        return false;
      }
      throw err;
    }
    const res = await states.updateOne(
      { _id: sourceId, version: expected },
      { $set: { state, version: expected + 1 } },
    );
    await claims.deleteOne({ _id: `${sourceId}@${expected}` });
    return res.matchedCount === 1;
  }

  // ---- subjects (keyed by `_id` = subjectId: the only key FerretDB looks up without a scan) ----------------------

  /** The subjects this file shares with other files (their `_parts` must be merged, not overwritten). */
  async findSharedIds(sourceId: string, dataFileId: string): Promise<string[]> {
    const docs = await this.limiter.run(() =>
      this.subjects(sourceId)
        .find({ dataFiles: dataFileId, 'dataFiles.1': { $exists: true } }, { projection: { _id: 1 } })
        .toArray(),
    );
    return docs.map((d) => String(d._id));
  }

  /** Deletes the subjects only this file contributed to. */
  async deleteSolo(sourceId: string, dataFileId: string): Promise<number> {
    const res = await this.limiter.run(() =>
      this.subjects(sourceId).deleteMany({ dataFiles: { $size: 1, $all: [dataFileId] } }),
    );
    return res.deletedCount;
  }

  async findByIds(sourceId: string, subjectIds: string[]): Promise<StoredSubject[]> {
    if (subjectIds.length === 0) {
      return [];
    }
    return this.limiter.run(() =>
      this.subjects(sourceId)
        .find({ _id: { $in: subjectIds } })
        .toArray(),
    );
  }

  /**
   * Inserts new subjects in one unordered batch; returns the ids that already existed (duplicate key), which the
   * caller merges instead.
   */
  async insertNew(sourceId: string, docs: StoredSubject[]): Promise<string[]> {
    if (docs.length === 0) {
      return [];
    }
    try {
      await this.limiter.run(() => this.subjects(sourceId).insertMany(docs, { ordered: false }));
      return [];
    } catch (err) {
      const writeErrors = (err as { writeErrors?: Array<{ code: number; index: number }> }).writeErrors;
      if (!(err instanceof mongo.MongoBulkWriteError) || !writeErrors?.length) {
        throw err;
      }
      const list = Array.isArray(writeErrors) ? writeErrors : [writeErrors];
      if (list.some((e) => e.code !== 11000)) {
        throw err;
      }
      return list.map((e) => String(docs[e.index]._id));
    }
  }

  /** Replaces these subjects (delete, then insert: one scan and one batch, also on FerretDB). */
  async replaceMany(sourceId: string, subjectIds: string[], docs: StoredSubject[]): Promise<void> {
    if (subjectIds.length === 0) {
      return;
    }
    await this.limiter.run(async () => {
      await this.subjects(sourceId).deleteMany({ _id: { $in: subjectIds } as never });
      if (docs.length > 0) {
        await this.subjects(sourceId).insertMany(docs, { ordered: false });
      }
    });
  }

  // ---- record queries (filters compiled by the query module) ---------------------------------------------------

  /** Does any subject match? */
  async anyMatching(sourceId: string, filter: Record<string, unknown>): Promise<boolean> {
    const hit = await this.limiter.run(() =>
      this.subjects(sourceId).findOne(filter as never, { projection: { _id: 1 } }),
    );
    return hit !== null;
  }

  async countMatching(sourceId: string, filter: Record<string, unknown>): Promise<number> {
    return this.limiter.run(() => this.subjects(sourceId).countDocuments(filter as never));
  }

  /** The IDs of up to `limit` matching subjects (in no particular order). */
  async matchingIds(sourceId: string, filter: Record<string, unknown>, limit: number): Promise<string[]> {
    const docs = await this.limiter.run(() =>
      this.subjects(sourceId)
        .find(filter as never, { projection: { _id: 1 } })
        .limit(limit)
        .batchSize(Math.min(limit, 10_000))
        .toArray(),
    );
    return docs.map((d) => d._id);
  }

  /** The first `limit` matching subjects by ID, CV3's fields only. */
  async matchingDocuments(
    sourceId: string,
    filter: Record<string, unknown>,
    limit: number,
  ): Promise<SubjectDocument[]> {
    return this.limiter.run(() =>
      this.subjects(sourceId)
        .find(filter as never, { projection: SERVED_PROJECTION })
        .sort({ _id: 1 })
        .limit(limit)
        .toArray(),
    );
  }

  /**
   * For each of these variant keys, how many subjects hold it; and how many subjects the source has (the local
   * frequency of `useLocalAf`). One pass over the subjects holding any of them.
   */
  async variantCarriers(sourceId: string, keys: string[]): Promise<{ carriers: Map<string, number>; total: number }> {
    const wanted = new Set(keys);
    const carriers = new Map<string, number>();
    const [docs, total] = await this.limiter.run(() =>
      Promise.all([
        this.subjects(sourceId)
          .find({ [VARIANT_KEYS_FIELD]: { $in: keys } } as never, { projection: { [VARIANT_KEYS_FIELD]: 1 } })
          .toArray(),
        this.subjects(sourceId).countDocuments({}),
      ]),
    );
    for (const d of docs) {
      for (const k of new Set(d._variantKeys ?? [])) {
        if (wanted.has(k)) {
          carriers.set(k, (carriers.get(k) ?? 0) + 1);
        }
      }
    }
    return { carriers, total };
  }

  /** Every subject of a source, merged fields only (for indexing). */
  streamSubjects(sourceId: string): AsyncIterable<SubjectDocument> {
    return this.subjects(sourceId)
      .find({}, { projection: { _id: 0, _parts: 0, ...Object.fromEntries(DERIVED_FIELDS.map((f) => [f, 0])) } })
      .batchSize(1000);
  }
}
