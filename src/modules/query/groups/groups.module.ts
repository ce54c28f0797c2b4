import { Module } from '@nestjs/common';
import { DataModule } from '@/modules/data/data.module';
import { UsersModule } from '@/modules/users/users.module';
import { AccessService } from './access.service';
import { GroupsController } from './groups.controller';
import { GroupsRepository } from './groups.repository';
import { GroupsService } from './groups.service';
import { SourceListController } from './source-list.controller';

/** Discovery groups and, from them, what each user may see of each source (the source lists included). */
@Module({
  imports: [DataModule, UsersModule],
  controllers: [GroupsController, SourceListController],
  providers: [GroupsRepository, GroupsService, AccessService],
  exports: [AccessService],
})
export class GroupsModule {}
