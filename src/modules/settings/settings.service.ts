import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { emailConfig, legacyConfig, loggingConfig } from '@/config/configs';
import type { SystemConfigDto } from './dto/system-config.dto';
import type { UserSettingDto } from './dto/user-setting.dto';
import {
  defaultSystemConfig,
  type SystemConfig,
  toSystemConfig,
  toUserSetting,
  type UserSetting,
} from './settings.defaults';
import { SettingsRepository } from './settings.repository';

/** Other modules read the settings on hot paths (auth: autoUserRegistration, anonymousAccess). */
export const SYSTEM_CONFIG_CACHE_MS = 2000;

let packageVersion: string | undefined;

/** The backend's version, from package.json (same relative place from src/ and dist/). */
export function backendVersion(): string {
  packageVersion ??= (
    JSON.parse(readFileSync(resolve(__dirname, '../../../package.json'), 'utf8')) as { version: string }
  ).version;
  return packageVersion;
}

@Injectable()
export class SettingsService implements OnModuleInit {
  private cached?: { value: SystemConfig; at: number };
  private loading?: Promise<SystemConfig>;
  /** Bumped on every local write, so a read that started before it is not cached after it. */
  private generation = 0;

  constructor(
    private readonly repo: SettingsRepository,
    @Inject(loggingConfig.KEY) private readonly logging: ConfigType<typeof loggingConfig>,
    @Inject(emailConfig.KEY) private readonly email: ConfigType<typeof emailConfig>,
    @Inject(legacyConfig.KEY) private readonly legacy: ConfigType<typeof legacyConfig>,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.repo.createIndexes();
    await this.repo.ensureSystemConfig(this.defaults());
  }

  /**
   * The SystemConfig, cached for {@link SYSTEM_CONFIG_CACHE_MS}: a change made by another process is seen within
   * that time, one made here at once. Callers must not mutate the answer.
   */
  async getSystemConfig(): Promise<SystemConfig> {
    if (this.cached && Date.now() - this.cached.at < SYSTEM_CONFIG_CACHE_MS) {
      return this.cached.value;
    }
    if (!this.loading) {
      const loading: Promise<SystemConfig> = this.load().finally(() => {
        if (this.loading === loading) {
          this.loading = undefined;
        }
      });
      this.loading = loading;
    }
    return this.loading;
  }

  /** Replaces the whole SystemConfig; `instanceSettings.version` is read-only: the running version is stored. */
  async replaceSystemConfig(dto: SystemConfigDto): Promise<void> {
    const defaults = this.defaults();
    const config = toSystemConfig(dto, defaults);
    // Optional and free of defaults on write: absent stays absent.
    if (!dto.discoverySettings.capability) {
      delete (config.discoverySettings as Partial<SystemConfig['discoverySettings']>).capability;
    }
    await this.repo.replaceSystemConfig(config, defaults);
    this.invalidate();
  }

  async getUserSetting(userId: string): Promise<UserSetting> {
    return toUserSetting(await this.repo.findUserSetting(userId));
  }

  async replaceUserSetting(userId: string, dto: UserSettingDto): Promise<void> {
    await this.repo.replaceUserSetting(userId, {
      colorSetting: { seedColor: dto.colorSetting.seedColor, themeMode: dto.colorSetting.themeMode },
      capability: dto.capability,
    });
  }

  private invalidate(): void {
    this.generation += 1;
    this.cached = undefined;
    this.loading = undefined;
  }

  private async load(): Promise<SystemConfig> {
    const generation = this.generation;
    const value = toSystemConfig(await this.repo.findSystemConfig(), this.defaults());
    if (generation === this.generation) {
      this.cached = { value, at: Date.now() };
    }
    return value;
  }

  private defaults(): SystemConfig {
    return defaultSystemConfig({
      instanceName: this.logging.name,
      ownerName: this.email.from.name,
      ownerEmail: this.email.from.address,
      nexusEnabled: this.legacy.nexusMode.enabled,
      version: backendVersion(),
      now: new Date(),
    });
  }
}
