import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { VaultModule } from '@/modules/vault/vault.module';
import { MaintenanceController } from './maintenance.controller';
import { MaintenanceMiddleware } from './maintenance.middleware';
import { MaintenanceRepository } from './maintenance.repository';
import { MaintenanceService } from './maintenance.service';
import { SettingsController } from './settings.controller';
import { SettingsRepository } from './settings.repository';
import { SettingsService } from './settings.service';
import { SharedSecretGuard } from './shared-secret.guard';

/** System and user settings (`/config/*`) and maintenance mode. */
@Module({
  imports: [VaultModule],
  controllers: [SettingsController, MaintenanceController],
  providers: [
    SettingsRepository,
    SettingsService,
    MaintenanceRepository,
    MaintenanceService,
    MaintenanceMiddleware,
    SharedSecretGuard,
  ],
  exports: [SettingsService],
})
export class SettingsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(MaintenanceMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
