import { Injectable } from '@nestjs/common';
import type { User } from './schemas/user.schema';
import { UsersRepository, type UserRecord } from './users.repository';

/** Local users (`user.info`). User management endpoints build on this. */
@Injectable()
export class UsersService {
  constructor(private readonly repo: UsersRepository) {}

  create(user: User): Promise<UserRecord> {
    return this.repo.create(user);
  }

  findByUserId(userId: string): Promise<UserRecord | null> {
    return this.repo.findByUserId(userId);
  }

  delete(userId: string): Promise<boolean> {
    return this.repo.deleteByUserId(userId);
  }
}
