import { Module } from '@nestjs/common';
import { SettingsModule } from '@/modules/settings/settings.module';
import { InfoController } from './info.controller';
import { InfoService } from './info.service';

@Module({
  imports: [SettingsModule],
  controllers: [InfoController],
  providers: [InfoService],
})
export class InfoModule {}
