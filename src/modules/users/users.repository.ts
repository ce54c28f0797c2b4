import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, mongo } from 'mongoose';
import { User, type UserRole } from './schemas/user.schema';
import { UserConflictError } from './users.errors';

export type UserRecord = User;

@Injectable()
export class UsersRepository implements OnModuleInit {
  private readonly logger = new Logger(UsersRepository.name);

  constructor(@InjectModel(User.name) private readonly users: Model<User>) {}

  /** Indexes are created explicitly (autoIndex is off) so a failure is reported, not emitted on the model. */
  async onModuleInit(): Promise<void> {
    try {
      await this.users.createIndexes();
    } catch (err) {
      this.logger.error({ err }, 'could not create the user.info indexes');
    }
  }

  async create(user: User): Promise<UserRecord> {
    try {
      const doc = await this.users.create(user);
      return doc.toObject<UserRecord>();
    } catch (err) {
      if (err instanceof mongo.MongoServerError && err.code === 11000) {
        throw new UserConflictError('USER_EXISTS', 'A user with this userId or email already exists');
      }
      throw err;
    }
  }

  async findByUserId(userId: string): Promise<UserRecord | null> {
    return this.users.findOne({ userId }, { _id: 0 }).lean<UserRecord>().exec();
  }

  async findAll(): Promise<UserRecord[]> {
    return this.users.find({}, { _id: 0 }).sort({ username: 1 }).lean<UserRecord[]>().exec();
  }

  async findByRoles(roles: readonly UserRole[]): Promise<UserRecord[]> {
    return this.users
      .find({ role: { $in: roles } }, { _id: 0 })
      .lean<UserRecord[]>()
      .exec();
  }

  /**
   * Applies the changes and returns the updated row (with its _id: FerretDB has no projection on findAndModify),
   * or null when there is no such user.
   */
  async update(userId: string, changes: Partial<Omit<User, 'userId'>>): Promise<UserRecord | null> {
    return this.users
      .findOneAndUpdate({ userId }, { $set: changes }, { new: true, runValidators: true })
      .lean<UserRecord>()
      .exec();
  }

  async deleteByUserId(userId: string): Promise<boolean> {
    const res = await this.users.deleteOne({ userId }).exec();
    return res.deletedCount === 1;
  }
}
