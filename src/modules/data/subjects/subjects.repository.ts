import { Injectable, Logger } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { type Connection, mongo } from 'mongoose';

type Collection<T extends mongo.Document> = mongo.Collection<T>;
type Document = mongo.Document;
import { stagingCollection, subjectCollection, type SubjectDocument } from '../data.types';
import { MongoLimiter } from '../jobs/mongo-limiter';

/** A stored subject: the merged document plus each contributing file's part, for exact replacement. */
export interface StoredSubject extends SubjectDocument {
  /** dataFileId → what that file contributed. */
  _parts: Record<string, Partial<SubjectDocument>>;
  /** dataFileId → the job generation that last wrote its part (stale parts are removed after a re-run). */
  _gen: Record<string, string>;
}

/** A staged row (file pipeline output) waiting for remap. */
export interface StagedRow {
  dataFileId: string;
  subjectId: string;
  line: number;
  values: Record<string, string | string[]>;
}

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

  private staging(sourceId: string): Collection<StagedRow> {
    return this.connection.collection<StagedRow>(stagingCollection(sourceId));
  }

  /** Idempotent; FerretDB lacks some index kinds, so a failure is logged, not fatal. */
  async ensureIndexes(sourceId: string): Promise<void> {
    const specs: Array<[Collection<Document>, Record<string, 1>, { unique?: boolean; name: string }]> = [
      // Upserts and lookups by subject.
      [this.subjects(sourceId) as never, { subjectId: 1 }, { unique: true, name: 'subjectId' }],
      // Re-ingest and deletion of a data file: the subjects it contributed to.
      [this.subjects(sourceId) as never, { dataFiles: 1 }, { name: 'dataFiles' }],
      // Record queries: phenotype, disease, SNOMED and gene/variant filters.
      [this.subjects(sourceId) as never, { HPO: 1 }, { name: 'HPO' }],
      [this.subjects(sourceId) as never, { ORDO: 1 }, { name: 'ORDO' }],
      [this.subjects(sourceId) as never, { SNOMED: 1 }, { name: 'SNOMED' }],
      [this.subjects(sourceId) as never, { 'VARIANT.gene': 1 }, { name: 'VARIANT.gene' }],
      // Remap reads one file's staged rows grouped by subject, in file order.
      [this.staging(sourceId) as never, { dataFileId: 1, subjectId: 1, line: 1 }, { name: 'file_subject_line' }],
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

  clearStaging(sourceId: string, dataFileId: string): Promise<unknown> {
    return this.limiter.run(() => this.staging(sourceId).deleteMany({ dataFileId }));
  }

  async insertStaged(sourceId: string, rows: StagedRow[]): Promise<void> {
    if (rows.length > 0) {
      await this.limiter.run(() => this.staging(sourceId).insertMany(rows, { ordered: false }));
    }
  }

  /** One file's staged rows, grouped by subject (sorted by subjectId, then line). */
  streamStaged(sourceId: string, dataFileId: string): AsyncIterable<StagedRow> {
    return this.staging(sourceId)
      .find({ dataFileId }, { projection: { _id: 0 } })
      .sort({ subjectId: 1, line: 1 })
      .batchSize(1000);
  }

  async sampleStaged(sourceId: string, dataFileId: string, limit: number): Promise<StagedRow[]> {
    return this.staging(sourceId)
      .find({ dataFileId }, { projection: { _id: 0 } })
      .sort({ line: 1 })
      .limit(limit)
      .toArray();
  }

  // ---- subjects -----------------------------------------------------------------------------------------------

  async findBySubjectIds(sourceId: string, subjectIds: string[]): Promise<StoredSubject[]> {
    return this.limiter.run(() =>
      this.subjects(sourceId)
        .find({ subjectId: { $in: subjectIds } }, { projection: { _id: 0 } })
        .toArray(),
    );
  }

  /** Subjects that still hold a part of this file from an older generation. */
  async findStale(sourceId: string, dataFileId: string, gen: string, limit: number): Promise<StoredSubject[]> {
    return this.limiter.run(() =>
      this.subjects(sourceId)
        .find({ dataFiles: dataFileId, [`_gen.${dataFileId}`]: { $ne: gen } }, { projection: { _id: 0 } })
        .limit(limit)
        .toArray(),
    );
  }

  /** Replaces (or deletes, when `doc` is null) each subject, unordered, in one round trip. */
  async writeSubjects(
    sourceId: string,
    writes: Array<{ subjectId: string; doc: StoredSubject | null }>,
  ): Promise<void> {
    if (writes.length === 0) {
      return;
    }
    const ops: mongo.AnyBulkWriteOperation<StoredSubject>[] = writes.map(({ subjectId, doc }) =>
      doc
        ? { replaceOne: { filter: { subjectId }, replacement: doc, upsert: true } }
        : { deleteOne: { filter: { subjectId } } },
    );
    await this.limiter.run(() => this.subjects(sourceId).bulkWrite(ops, { ordered: false }));
  }

  /** Every subject of a source, merged fields only (for indexing). */
  streamSubjects(sourceId: string): AsyncIterable<SubjectDocument> {
    return this.subjects(sourceId)
      .find({}, { projection: { _id: 0, _parts: 0, _gen: 0 } })
      .batchSize(1000);
  }

  async countSubjects(sourceId: string): Promise<number> {
    return this.subjects(sourceId).countDocuments({});
  }

  async dropSource(sourceId: string): Promise<void> {
    for (const c of [this.subjects(sourceId), this.staging(sourceId)]) {
      await c.drop().catch(() => undefined);
    }
  }
}
