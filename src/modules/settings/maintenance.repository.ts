import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { type Connection, mongo } from 'mongoose';

export const MAINTENANCE_COLLECTION = 'instance.maintenance';
const MAINTENANCE_ID = 'maintenance';

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
   * Sets the state if `timestamp` is newer than the last accepted one, in one atomic operation so that two
   * processes never both accept the same timestamp. When the stored timestamp is not older, the filter misses
   * and the upsert's insert collides with the existing `_id`: that duplicate key is the refusal.
   * @returns false when the timestamp was not newer (a replay).
   */
  async setIfNewer(timestamp: number, state: MaintenanceState): Promise<boolean> {
    try {
      await this.collection.updateOne(
        { _id: MAINTENANCE_ID, lastTimestamp: { $lt: timestamp } },
        { $set: { ...state, lastTimestamp: timestamp, updatedAt: new Date() } },
        { upsert: true },
      );
      return true;
    } catch (err) {
      if (err instanceof mongo.MongoServerError && err.code === 11000) {
        return false;
      }
      throw err;
    }
  }
}
