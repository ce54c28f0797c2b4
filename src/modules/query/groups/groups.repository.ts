import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { type Connection, mongo } from 'mongoose';
import { GroupConflictError } from './groups.errors';
import { GROUPS_COLLECTION, type DiscoveryGroup } from './groups.types';

type GroupDoc = DiscoveryGroup & { createdAt?: Date; updatedAt?: Date };

const NO_ID = { projection: { _id: 0, createdAt: 0, updatedAt: 0 } } as const;

const isDuplicateKey = (err: unknown) => err instanceof mongo.MongoServerError && err.code === 11000;

/** The `network.groups` collection. Groups are few: lists read them all. */
@Injectable()
export class GroupsRepository implements OnModuleInit {
  private readonly logger = new Logger(GroupsRepository.name);

  constructor(@InjectConnection() private readonly connection: Connection) {}

  private get groups() {
    return this.connection.collection<GroupDoc>(GROUPS_COLLECTION);
  }

  async onModuleInit(): Promise<void> {
    try {
      // Serves every lookup by ID (routes).
      await this.groups.createIndex({ groupId: 1 }, { unique: true, name: 'groupId_unique' });
      // Admins tell groups apart by name: one name, one group.
      await this.groups.createIndex({ groupName: 1 }, { unique: true, name: 'groupName_unique' });
    } catch (err) {
      this.logger.error({ err }, 'could not create the network.groups indexes');
    }
  }

  /** The ID is generated, so a duplicate key can only be the name. */
  async insert(group: DiscoveryGroup): Promise<void> {
    const now = new Date();
    try {
      await this.groups.insertOne({ ...group, createdAt: now, updatedAt: now });
    } catch (err) {
      throw isDuplicateKey(err) ? new GroupConflictError() : err;
    }
  }

  findById(groupId: string): Promise<DiscoveryGroup | null> {
    return this.groups.findOne({ groupId }, NO_ID);
  }

  findByName(groupName: string): Promise<DiscoveryGroup | null> {
    return this.groups.findOne({ groupName }, NO_ID);
  }

  findAll(): Promise<DiscoveryGroup[]> {
    return this.groups.find({}, NO_ID).sort({ groupName: 1 }).toArray();
  }

  /**
   * Returns false when there is no such group. FerretDB reports a unique-index refusal on update as an internal
   * error, not a duplicate key: the service checks a new name first.
   */
  async update(groupId: string, changes: Partial<Omit<DiscoveryGroup, 'groupId'>>): Promise<boolean> {
    try {
      const res = await this.groups.updateOne({ groupId }, { $set: { ...changes, updatedAt: new Date() } });
      return res.matchedCount === 1;
    } catch (err) {
      throw isDuplicateKey(err) ? new GroupConflictError() : err;
    }
  }

  /** Takes a deleted source out of every group. */
  async removeSource(sourceId: string): Promise<void> {
    await this.groups.updateMany({ assignedSources: sourceId }, { $pull: { assignedSources: sourceId } });
  }

  async delete(groupId: string): Promise<boolean> {
    const res = await this.groups.deleteOne({ groupId });
    return res.deletedCount === 1;
  }
}
