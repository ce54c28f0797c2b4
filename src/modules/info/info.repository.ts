import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';

/** The parts of the stored SystemConfig (`instance.config`) that the public info endpoint shows. */
export interface PublicInstanceSettings {
  instanceName?: string;
  ownerName?: string;
  ownerAddress?: string;
  ownerEmail?: string;
}

interface StoredSystemConfig {
  instanceSettings?: { name?: string };
  ownershipSettings?: { name?: string; address?: string; email?: string };
}

@Injectable()
export class InfoRepository {
  constructor(@InjectConnection() private readonly connection: Connection) {}

  async findPublicSettings(): Promise<PublicInstanceSettings> {
    const doc = await this.connection
      .collection<StoredSystemConfig>('instance.config')
      .findOne({}, { projection: { instanceSettings: 1, ownershipSettings: 1 }, maxTimeMS: 3000 });
    return {
      instanceName: doc?.instanceSettings?.name,
      ownerName: doc?.ownershipSettings?.name,
      ownerAddress: doc?.ownershipSettings?.address,
      ownerEmail: doc?.ownershipSettings?.email,
    };
  }
}
