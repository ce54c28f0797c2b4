import { Injectable } from '@nestjs/common';
import { SettingsService } from '@/modules/settings/settings.service';
import type { InstanceInfoResponseDto } from './info.dto';

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
  constructor(private readonly settings: SettingsService) {}

  /** Names from the system settings (filled from the config file's names at first start). */
  async instanceInfo(): Promise<InstanceInfoResponseDto> {
    const { instanceSettings, ownershipSettings } = await this.settings.getSystemConfig();
    return {
      name: instanceSettings.name,
      owner: ownershipSettings.name,
      ownerAddress: ownershipSettings.address,
      ownerEmail: ownershipSettings.email,
      status: 'OK',
      uptime: formatUptime(process.uptime()),
    };
  }
}
