import { Injectable, Logger } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { type Connection, mongo } from 'mongoose';
import type { SystemConfig, UserSetting } from './settings.defaults';

export const SYSTEM_CONFIG_COLLECTION = 'instance.config';
export const USER_SETTINGS_COLLECTION = 'user.settings';
/** The `_id` of the one SystemConfig document we create (a document migrated from CV3 may have another). */
export const SYSTEM_CONFIG_ID = 'system';

type SystemConfigDoc = Partial<SystemConfig> & { _id: string | mongo.ObjectId; updatedAt?: Date };
interface UserSettingDoc extends Partial<UserSetting> {
  userId: string;
  updatedAt?: Date;
}

const MAX_TIME_MS = 3000;

function isDuplicateKey(err: unknown): boolean {
  return err instanceof mongo.MongoServerError && err.code === 11000;
}

/** `instance.config` (one document, read by the info module too) and `user.settings` (one per local user). */
@Injectable()
export class SettingsRepository {
  private readonly logger = new Logger(SettingsRepository.name);

  constructor(@InjectConnection() private readonly connection: Connection) {}

  private get systemConfigs() {
    return this.connection.collection<SystemConfigDoc>(SYSTEM_CONFIG_COLLECTION);
  }

  private get userSettings() {
    return this.connection.collection<UserSettingDoc>(USER_SETTINGS_COLLECTION);
  }

  /** Serves the per-user lookup and makes a concurrent first write of two requests one document. */
  async createIndexes(): Promise<void> {
    try {
      await this.userSettings.createIndex({ userId: 1 }, { unique: true, name: 'userId_unique' });
    } catch (err) {
      this.logger.error({ err }, 'could not create the user.settings indexes');
    }
  }

  async findSystemConfig(): Promise<SystemConfigDoc | null> {
    return this.systemConfigs.findOne({}, { maxTimeMS: MAX_TIME_MS });
  }

  /**
   * Creates the document when there is none. Idempotent and safe when several processes start at once: they
   * all upsert the same `_id`, so at most one inserts and the others match it or lose with a duplicate key.
   */
  async ensureSystemConfig(defaults: SystemConfig): Promise<void> {
    if (await this.findSystemConfig()) {
      return;
    }
    try {
      await this.systemConfigs.updateOne(
        { _id: SYSTEM_CONFIG_ID },
        { $setOnInsert: { ...defaults, updatedAt: new Date() } },
        { upsert: true },
      );
    } catch (err) {
      if (!isDuplicateKey(err)) {
        throw err;
      }
    }
  }

  /** Replaces every section of the one document (whatever its `_id`), creating it when it is gone. */
  async replaceSystemConfig(config: SystemConfig, defaults: SystemConfig): Promise<void> {
    const update = { $set: { ...config, updatedAt: new Date() } };
    const res = await this.systemConfigs.updateOne({}, update);
    if (res.matchedCount === 0) {
      await this.ensureSystemConfig(defaults);
      await this.systemConfigs.updateOne({}, update);
    }
  }

  async findUserSetting(userId: string): Promise<UserSettingDoc | null> {
    return this.userSettings.findOne({ userId }, { maxTimeMS: MAX_TIME_MS });
  }

  async replaceUserSetting(userId: string, setting: UserSetting): Promise<void> {
    const update = {
      $set: { colorSetting: setting.colorSetting, capability: setting.capability, updatedAt: new Date() },
    };
    try {
      await this.userSettings.updateOne({ userId }, update, { upsert: true });
    } catch (err) {
      // Two first writes at once: the loser's insert hits the unique index; the document now exists.
      if (!isDuplicateKey(err)) {
        throw err;
      }
      await this.userSettings.updateOne({ userId }, update);
    }
  }
}
