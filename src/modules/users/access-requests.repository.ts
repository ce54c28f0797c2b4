import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { AccessRequest, type AccessRequestStatus } from './schemas/access-request.schema';

export type AccessRequestRecord = AccessRequest;

/** An approval claim older than this is taken to be from a crashed process and no longer blocks. */
const CLAIM_TTL_MS = 5 * 60_000;

@Injectable()
export class AccessRequestsRepository implements OnModuleInit {
  private readonly logger = new Logger(AccessRequestsRepository.name);

  constructor(@InjectModel(AccessRequest.name) private readonly requests: Model<AccessRequest>) {}

  async onModuleInit(): Promise<void> {
    try {
      await this.requests.createIndexes();
    } catch (err) {
      this.logger.error({ err }, 'could not create the user.requests indexes');
    }
  }

  async create(request: Omit<AccessRequest, 'status' | 'claimedAt' | 'decidedBy' | 'decidedAt' | 'userId'>) {
    const doc = await this.requests.create({ ...request, status: 'pending' });
    return doc.toObject<AccessRequestRecord>();
  }

  async findById(requestId: string): Promise<AccessRequestRecord | null> {
    return this.requests.findOne({ requestId }, { _id: 0 }).lean<AccessRequestRecord>().exec();
  }

  async findPendingByEmail(email: string): Promise<AccessRequestRecord | null> {
    return this.requests
      .findOne({ email: email.toLowerCase(), status: 'pending' }, { _id: 0 })
      .lean<AccessRequestRecord>()
      .exec();
  }

  async findAll(): Promise<AccessRequestRecord[]> {
    return this.requests.find({}, { _id: 0 }).sort({ createdAt: -1 }).lean<AccessRequestRecord[]>().exec();
  }

  /** Atomically claims a pending, unclaimed request for approval; null when it is not (or no longer) claimable. */
  async claim(requestId: string): Promise<AccessRequestRecord | null> {
    const now = new Date();
    return this.requests
      .findOneAndUpdate(
        { requestId, ...unclaimedPending(now) },
        { $set: { claimedAt: now } },
        // No projection: FerretDB does not implement it on findAndModify.
        { new: true },
      )
      .lean<AccessRequestRecord>()
      .exec();
  }

  async release(requestId: string): Promise<void> {
    await this.requests.updateOne({ requestId, status: 'pending' }, { $set: { claimedAt: null } }).exec();
  }

  /**
   * Records the decision. An approval must hold the claim (`claimed`); a denial needs an unclaimed pending
   * request. Returns false when the request was decided (or claimed) by someone else meanwhile.
   */
  async decide(
    requestId: string,
    decision: { status: Exclude<AccessRequestStatus, 'pending'>; decidedBy: string; userId?: string },
    claimed: boolean,
  ): Promise<boolean> {
    const filter = claimed ? { requestId, status: 'pending' } : { requestId, ...unclaimedPending(new Date()) };
    const res = await this.requests
      .updateOne(filter, {
        $set: {
          status: decision.status,
          decidedBy: decision.decidedBy,
          decidedAt: new Date(),
          userId: decision.userId ?? null,
          claimedAt: null,
        },
      })
      .exec();
    return res.modifiedCount === 1;
  }
}

function unclaimedPending(now: Date) {
  return {
    status: 'pending',
    $or: [{ claimedAt: null }, { claimedAt: { $lt: new Date(now.getTime() - CLAIM_TTL_MS) } }],
  };
}
