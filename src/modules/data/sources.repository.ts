import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { type Connection, mongo } from 'mongoose';
import { DataConflictError, DataErrorCode } from './data.errors';
import { RecordIndexBuilder } from './ingestion/indexer';
import { INDEX_CLAIMS_COLLECTION, INDEX_STATE_COLLECTION } from './subjects/subjects.repository';
import { stagingCollection, subjectCollection, type RecordIndex, type SourceRecord } from './data.types';

export const SOURCES_COLLECTION = 'sources';

/** Rows of one source's ingested-but-not-remapped data (field `dataFileId` says which file they came from). */

type SourceDoc = SourceRecord & { createdAt?: Date; updatedAt?: Date };

const NO_ID = { projection: { _id: 0 } } as const;

/*
 * EAV values are keys of `eavIndex.values` and may hold `.` or start with `$`, which MongoDB keys may not
 * (FerretDB refuses them outright): they are stored with look-alike characters and given back unchanged.
 */
const encodeKey = (k: string) => k.replace(/\./g, '\uFF0E').replace(/^\$/, '\uFF04');
const decodeKey = (k: string) => k.replace(/\uFF0E/g, '.').replace(/^\uFF04/, '$');
const mapKeys = (o: Record<string, string>, f: (k: string) => string) =>
  Object.fromEntries(Object.entries(o ?? {}).map(([k, v]) => [f(k), v]));

function encodeIndex(index: RecordIndex): RecordIndex {
  const { eavIndex } = index;
  return {
    ...index,
    eavIndex: {
      ...eavIndex,
      attributes: mapKeys(eavIndex.attributes, encodeKey),
      values: mapKeys(eavIndex.values, encodeKey),
    },
  };
}

function decodeSource(source: SourceRecord | null): SourceRecord | null {
  const eav = source?.recordIndex?.eavIndex;
  if (!source || !eav) {
    return source;
  }
  return {
    ...source,
    recordIndex: {
      ...source.recordIndex,
      eavIndex: { ...eav, attributes: mapKeys(eav.attributes, decodeKey), values: mapKeys(eav.values, decodeKey) },
    },
  };
}

export function isDuplicateKey(err: unknown): err is mongo.MongoServerError {
  return err instanceof mongo.MongoServerError && err.code === 11000;
}

/** The `sources` collection, and dropping a source's own collections. */
@Injectable()
export class SourcesRepository implements OnModuleInit {
  private readonly logger = new Logger(SourcesRepository.name);

  constructor(@InjectConnection() private readonly connection: Connection) {}

  private get sources() {
    return this.connection.collection<SourceDoc>(SOURCES_COLLECTION);
  }

  async onModuleInit(): Promise<void> {
    try {
      // Serves every lookup by ID (routes, jobs) and refuses a second source with the same ID.
      await this.sources.createIndex({ sourceId: 1 }, { unique: true, name: 'sourceId_unique' });
      // The internal name is what admins and the index builder tell sources apart by: unique.
      await this.sources.createIndex({ sourceName: 1 }, { unique: true, name: 'sourceName_unique' });
    } catch (err) {
      this.logger.error({ err }, 'could not create the sources indexes');
    }
  }

  async insert(source: SourceRecord): Promise<void> {
    const now = new Date();
    try {
      await this.sources.insertOne({ ...source, createdAt: now, updatedAt: now });
    } catch (err) {
      throw isDuplicateKey(err) ? await this.conflict(source.sourceName) : err;
    }
    // A new source has no subjects: its index state starts empty, so its first ingest can extend it.
    await this.connection
      .collection(INDEX_STATE_COLLECTION)
      .replaceOne(
        { _id: source.sourceId as never },
        { version: 1, state: new RecordIndexBuilder().toState() },
        { upsert: true },
      );
  }

  async findById(sourceId: string): Promise<SourceRecord | null> {
    return decodeSource(await this.sources.findOne({ sourceId }, NO_ID));
  }

  async findAll(): Promise<SourceRecord[]> {
    const all = await this.sources.find({}, NO_ID).sort({ sourceName: 1 }).toArray();
    return all.map((s) => decodeSource(s) as SourceRecord);
  }

  /** The EAV attribute names of every source's index (for `GET /pipelines/attributes`). */
  async findEavAttributes(): Promise<Array<Record<string, string>>> {
    const docs = await this.sources
      .find({}, { projection: { _id: 0, 'recordIndex.eavIndex.attributes': 1 } })
      .toArray();
    return docs.map((d) => mapKeys(d.recordIndex?.eavIndex?.attributes ?? {}, decodeKey));
  }

  /** Returns false when there is no such source. */
  async update(sourceId: string, changes: Partial<Omit<SourceRecord, 'sourceId'>>): Promise<boolean> {
    try {
      const res = await this.sources.updateOne({ sourceId }, { $set: { ...changes, updatedAt: new Date() } });
      return res.matchedCount === 1;
    } catch (err) {
      throw isDuplicateKey(err) ? await this.conflict(changes.sourceName) : err;
    }
  }

  async updateRecordIndex(sourceId: string, recordIndex: RecordIndex): Promise<boolean> {
    const res = await this.sources.updateOne(
      { sourceId },
      { $set: { recordIndex: encodeIndex(recordIndex), updatedAt: new Date() } },
    );
    return res.matchedCount === 1;
  }

  async delete(sourceId: string): Promise<boolean> {
    const res = await this.sources.deleteOne({ sourceId });
    return res.deletedCount === 1;
  }

  /** Drops the source's subject and staging collections; a missing collection is fine. */
  async dropSourceCollections(sourceId: string): Promise<void> {
    await this.connection.collection(INDEX_STATE_COLLECTION).deleteOne({ _id: sourceId as never });
    await this.connection
      .collection(INDEX_CLAIMS_COLLECTION)
      .deleteMany({ _id: { $regex: `^${sourceId.replace(/[^\w-]/g, '')}@` } as never });
    for (const name of [subjectCollection(sourceId), stagingCollection(sourceId)]) {
      try {
        await this.connection.dropCollection(name);
      } catch (err) {
        // 26 = NamespaceNotFound: nothing was ever ingested.
        if (!(err instanceof mongo.MongoServerError && (err.code === 26 || /ns not found/i.test(err.message)))) {
          throw err;
        }
      }
    }
  }

  async nameTaken(sourceName: string): Promise<boolean> {
    return (await this.sources.countDocuments({ sourceName }, { limit: 1 })) > 0;
  }

  /** Names the taken field (FerretDB's duplicate-key errors do not say which index refused). */
  private async conflict(sourceName: string | undefined): Promise<DataConflictError> {
    const field =
      sourceName !== undefined && (await this.sources.countDocuments({ sourceName })) > 0 ? 'sourceName' : 'sourceId';
    return new DataConflictError(DataErrorCode.SourceExists, `A source with this ${field} already exists`, { field });
  }
}
