import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { type Connection, mongo } from 'mongoose';

export const MAINTENANCE_COLLECTION = 'instance.maintenance';
/** One document per accepted `X-Timestamp` (kept for the replay window): a unique key is the claim. */
export const MAINTENANCE_CLAIMS_COLLECTION = 'instance.maintenance_claims';
const MAINTENANCE_ID = 'maintenance';
/** Claims older than this (twice the ±60 s window) can no longer be replayed and are removed. */
const CLAIM_KEEP_MS = 120_000;

export interface MaintenanceState {
  maintenance: boolean;
  message: string;
}

interface MaintenanceDoc extends MaintenanceState {
  _id: string;
  /** The newest `X-Timestamp` accepted: the replay guard. */
  lastTimestamp: number;
  updatedAt: Date;
}

/** Maintenance mode lives in MongoDB so that every process of the installation agrees on it. */
@Injectable()
export class MaintenanceRepository {
  constructor(@InjectConnection() private readonly connection: Connection) {}

  private get collection() {
    return this.connection.collection<MaintenanceDoc>(MAINTENANCE_COLLECTION);
  }

  async find(maxTimeMS: number): Promise<MaintenanceState> {
    const doc = await this.collection.findOne({ _id: MAINTENANCE_ID }, { maxTimeMS });
    return { maintenance: doc?.maintenance === true, message: doc?.message ?? '' };
  }

  /**
   * Sets the state if `timestamp` is newer than the last accepted one, so that two processes never both accept the
   * same timestamp. The same timestamp is refused by a unique insert (its claim), which is atomic on MongoDB and on
   * FerretDB alike; FerretDB does not make a filtered update atomic against a concurrent one. An older timestamp
   * is refused by the update's filter: when the stored one is not older, the filter misses and the upsert's insert
   * collides with the existing `_id`.
   * @returns false when the timestamp was not newer (a replay).
   */
  async setIfNewer(timestamp: number, state: MaintenanceState): Promise<boolean> {
    const claims = this.connection.collection<{ _id: number; at: Date }>(MAINTENANCE_CLAIMS_COLLECTION);
    try {
      await claims.insertOne({ _id: timestamp, at: new Date() });
      await this.collection.updateOne(
        { _id: MAINTENANCE_ID, lastTimestamp: { $lt: timestamp } },
        { $set: { ...state, lastTimestamp: timestamp, updatedAt: new Date() } },
        { upsert: true },
      );
    } catch (err) {
      if (err instanceof mongo.MongoServerError && err.code === 11000) {
        return false;
      }
      throw err;
    }
    await claims.deleteMany({ _id: { $lt: timestamp - CLAIM_KEEP_MS } });
    return true;
  }
}
