import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ThrottlerModule } from '@nestjs/throttler';
import { NotifyModule } from '@/modules/notify/notify.module';
import { VaultModule } from '@/modules/vault/vault.module';
import { AccessRequestsController } from './access-requests.controller';
import { AccessRequestBodySizeGuard } from './access-requests.guards';
import { AccessRequestsRepository } from './access-requests.repository';
import { AccessRequestsService } from './access-requests.service';
import { KeycloakAdminClient } from './keycloak-admin.client';
import { AccessRequest, AccessRequestSchema } from './schemas/access-request.schema';
import { User, UserSchema } from './schemas/user.schema';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: User.name, schema: UserSchema },
      { name: AccessRequest.name, schema: AccessRequestSchema },
    ]),
    // Only the anonymous access-request route uses the throttler guard; its limit is set on the route.
    // The store is in memory, so with several API processes each counts on its own.
    ThrottlerModule.forRoot([{ name: 'default', ttl: 60 * 60_000, limit: 5 }]),
    VaultModule,
    NotifyModule,
  ],
  controllers: [UsersController, AccessRequestsController],
  providers: [
    UsersRepository,
    UsersService,
    KeycloakAdminClient,
    AccessRequestsRepository,
    AccessRequestsService,
    AccessRequestBodySizeGuard,
  ],
  exports: [UsersService],
})
export class UsersModule {}
