import type { CapabilityDto } from './dto/capability.dto';
import type { SystemConfigDto } from './dto/system-config.dto';
import type { UserSettingDto } from './dto/user-setting.dto';

/** SystemConfig as stored and answered (version included). */
export type SystemConfig = SystemConfigDto & { instanceSettings: { version: string } };
export type UserSetting = UserSettingDto;

/** Values from the config file that seed the first-start settings, so GET /api keeps its names. */
export interface SystemConfigSeed {
  instanceName: string;
  ownerName: string;
  ownerEmail: string;
  nexusEnabled: boolean;
  version: string;
  now: Date;
}

export function defaultCapability(): CapabilityDto {
  return {
    subject: true,
    genes: true,
    hpo: true,
    ordo: true,
    snomed: true,
    variant: true,
    source: true,
    eav: true,
    subjectCapability: { age: true, gender: true, familyType: true, affected: true },
  };
}

export function defaultSystemConfig(seed: SystemConfigSeed): SystemConfig {
  const now = seed.now.toISOString();
  return {
    beaconSettings: {
      welcomeUrl: '',
      alternativeUrl: '',
      beaconId: 'org.cafevariome.beacon',
      apiVersion: 'v2.0.0',
      description: '',
      environment: 'prod',
      createDateTime: now,
      updateDateTime: now,
    },
    ownershipSettings: {
      address: '',
      email: seed.ownerEmail,
      name: seed.ownerName,
      description: '',
      logo: '',
      url: '',
      organizationId: '',
    },
    discoverySettings: {
      endpoints: { genes: '', hpo: '', ordo: '', snomed: '', medicine: '', reactome: '', neo4j: '' },
      capability: defaultCapability(),
      defaultBudget: 100,
    },
    instanceSettings: { name: seed.instanceName, url: '', description: '', version: seed.version, alternativeUrl: '' },
    federationSettings: {
      allowNonClientAuthenticated: false,
      autoUserRegistration: false,
      anonymousAccess: false,
      defaultTTL: 3,
    },
    nexusEnabled: seed.nexusEnabled,
  };
}

export function defaultUserSetting(): UserSetting {
  return { colorSetting: { seedColor: '6750a4', themeMode: 0 }, capability: { ...defaultCapability() } };
}

type Plain = Record<string, unknown>;

function isPlain(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/**
 * The stored document laid over the defaults, key by key and only where the default has the key: a document
 * written by an older version (or by CV3) that lacks a section or field still answers a complete SystemConfig,
 * and stray keys (`_id`, timestamps) never leak out.
 */
export function overlay<T>(defaults: T, stored: unknown): T {
  if (!isPlain(defaults) || !isPlain(stored)) {
    return defaults;
  }
  const out: Plain = {};
  for (const [k, d] of Object.entries(defaults)) {
    const s = stored[k];
    if (s === undefined || s === null) {
      out[k] = d;
    } else if (isPlain(d)) {
      out[k] = overlay(d, s);
    } else if (typeof s === typeof d) {
      out[k] = s;
    } else {
      out[k] = d;
    }
  }
  return out as T;
}

/**
 * The answer to GET /config/global: stored values over the defaults, with the running version. A config posted
 * without the optional `discoverySettings.capability` answers the default capability.
 */
export function toSystemConfig(stored: unknown, defaults: SystemConfig): SystemConfig {
  const merged = overlay(defaults, stored);
  merged.instanceSettings.version = defaults.instanceSettings.version;
  return merged;
}

export function toUserSetting(stored: unknown): UserSetting {
  const defaults = defaultUserSetting();
  if (!isPlain(stored)) {
    return defaults;
  }
  return {
    colorSetting: overlay(defaults.colorSetting, stored.colorSetting),
    // Free-form by design: answered as stored.
    capability: isPlain(stored.capability) ? stored.capability : defaults.capability,
  };
}
