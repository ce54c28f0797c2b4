import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { emailConfig, loggingConfig } from '@/config/configs';
import type { InstanceInfoResponseDto } from './info.dto';
import { InfoRepository } from './info.repository';

/** `HH:MM:SS.ss`, as CV3 prints uptime (hours keep counting past 24). */
export function formatUptime(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(h)}:${pad(m)}:${s.toFixed(2).padStart(5, '0')}`;
}

@Injectable()
export class InfoService {
  constructor(
    private readonly repo: InfoRepository,
    @Inject(loggingConfig.KEY) private readonly logging: ConfigType<typeof loggingConfig>,
    @Inject(emailConfig.KEY) private readonly email: ConfigType<typeof emailConfig>,
  ) {}

  /** Before an administrator fills in the system settings, the config file's names stand in. */
  async instanceInfo(): Promise<InstanceInfoResponseDto> {
    const stored = await this.repo.findPublicSettings();
    return {
      name: stored.instanceName ?? this.logging.name,
      owner: stored.ownerName ?? this.email.from.name,
      ownerAddress: stored.ownerAddress ?? '',
      ownerEmail: stored.ownerEmail ?? this.email.from.address,
      status: 'OK',
      uptime: formatUptime(process.uptime()),
    };
  }
}
