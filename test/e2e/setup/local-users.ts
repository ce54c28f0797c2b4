import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { Role } from '@/common/auth/permissions';
import { decodeJwtPayload, passwordGrant, type TestUser } from './tokens';

export interface LocalUserOptions {
  role?: Role;
  active?: boolean;
  allowLogin?: boolean;
}

/** The Keycloak user ID of one of the stack's test users. */
export async function keycloakId(user: TestUser): Promise<string> {
  const { access_token } = await passwordGrant(user);
  return decodeJwtPayload(access_token).sub as string;
}

/** Gives a stack test user a local `user.info` row (as an admin would), straight into the database. */
export async function insertLocalUser(
  app: INestApplication,
  user: TestUser,
  opts: LocalUserOptions = {},
): Promise<string> {
  const userId = await keycloakId(user);
  const connection = app.get<Connection>(getConnectionToken());
  const now = new Date();
  await connection.collection('user.info').replaceOne(
    { userId },
    {
      userId,
      email: `${user}@cafevariome.test`,
      username: user,
      firstName: user,
      lastName: 'Test',
      affiliation: 'CV3 e2e',
      role: opts.role ?? 'user',
      active: opts.active ?? true,
      allowLogin: opts.allowLogin ?? false,
      budget: 100,
      createdAt: now,
      updatedAt: now,
    },
    { upsert: true },
  );
  return userId;
}
