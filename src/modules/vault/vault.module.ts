import { Module } from '@nestjs/common';
import { VaultClient } from './vault.client';
import { VaultService } from './vault.service';

@Module({
  providers: [VaultClient, VaultService],
  exports: [VaultService],
})
export class VaultModule {}
