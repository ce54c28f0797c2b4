import { ArgumentMetadata, BadRequestException, ValidationPipe } from '@nestjs/common';
import { MaintenanceDto } from './dto/maintenance.dto';
import { SystemConfigDto } from './dto/system-config.dto';
import { UserSettingDto } from './dto/user-setting.dto';
import { defaultSystemConfig, defaultUserSetting } from './settings.defaults';

/** The app's global pipe, as registered in AppModule. */
const pipe = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true });

async function problems(metatype: ArgumentMetadata['metatype'], body: unknown): Promise<string[]> {
  try {
    await pipe.transform(body, { type: 'body', metatype });
    return [];
  } catch (err) {
    return (((err as BadRequestException).getResponse() as { message: string[] }).message ?? []).map(String);
  }
}

const valid = (): any =>
  defaultSystemConfig({
    instanceName: 'CV3',
    ownerName: 'Owner',
    ownerEmail: 'owner@example.org',
    nexusEnabled: false,
    version: '0.1.0',
    now: new Date(),
  });

describe('SystemConfigDto', () => {
  it('should accept the first-start defaults (GET answer round-trips through POST)', async () => {
    expect(await problems(SystemConfigDto, valid())).toEqual([]);
  });

  it('should accept a config without the optional capability and without version', async () => {
    const body = valid();
    delete body.discoverySettings.capability;
    delete body.instanceSettings.version;
    expect(await problems(SystemConfigDto, body)).toEqual([]);
  });

  it.each([
    ['a missing section', (b: any) => delete b.federationSettings, 'federationSettings'],
    ['a missing nested field', (b: any) => delete b.ownershipSettings.email, 'ownershipSettings.email'],
    ['a wrong type', (b: any) => (b.federationSettings.anonymousAccess = 'yes'), 'federationSettings.anonymousAccess'],
    ['a budget over 100', (b: any) => (b.discoverySettings.defaultBudget = 101), 'discoverySettings.defaultBudget'],
    ['a TTL of 0', (b: any) => (b.federationSettings.defaultTTL = 0), 'federationSettings.defaultTTL'],
    ['an unknown key', (b: any) => (b.instanceSettings.colour = 'red'), 'instanceSettings.property colour'],
    ['an unknown top-level key', (b: any) => (b.extra = 1), 'property extra'],
    ['an oversize name', (b: any) => (b.instanceSettings.name = 'x'.repeat(201)), 'instanceSettings.name'],
    ['a bad URL', (b: any) => (b.instanceSettings.url = 'not a url'), 'instanceSettings.url'],
    ['a bad e-mail', (b: any) => (b.ownershipSettings.email = 'nobody'), 'ownershipSettings.email'],
    ['a bad environment', (b: any) => (b.beaconSettings.environment = 'live'), 'beaconSettings.environment'],
    [
      'a capability without a flag',
      (b: any) => delete b.discoverySettings.capability.hpo,
      'discoverySettings.capability.hpo',
    ],
  ])('should refuse %s and name the field', async (_label, change, field) => {
    const body = valid();
    change(body);
    const found = await problems(SystemConfigDto, body);
    expect(found.join('\n')).toContain(field);
  });
});

describe('UserSettingDto', () => {
  it('should accept the defaults', async () => {
    expect(await problems(UserSettingDto, defaultUserSetting())).toEqual([]);
  });

  it.each([
    ['a short colour', { colorSetting: { seedColor: 'fff', themeMode: 0 }, capability: {} }, 'colorSetting.seedColor'],
    ['theme mode 3', { colorSetting: { seedColor: 'ffffff', themeMode: 3 }, capability: {} }, 'colorSetting.themeMode'],
    ['a missing capability', { colorSetting: { seedColor: 'ffffff', themeMode: 0 } }, 'capability'],
    ['an array capability', { colorSetting: { seedColor: 'ffffff', themeMode: 0 }, capability: [] }, 'capability'],
    [
      'an oversize capability',
      { colorSetting: { seedColor: 'ffffff', themeMode: 0 }, capability: { a: 'x'.repeat(9000) } },
      'capability must be at most 8192 bytes',
    ],
  ])('should refuse %s and name the field', async (_label, body, field) => {
    expect((await problems(UserSettingDto, body)).join('\n')).toContain(field);
  });
});

describe('MaintenanceDto', () => {
  it('should refuse a message over 500 characters', async () => {
    expect((await problems(MaintenanceDto, { maintenance: true, message: 'x'.repeat(501) })).join()).toContain(
      'message',
    );
  });

  it('should refuse a string flag', async () => {
    expect((await problems(MaintenanceDto, { maintenance: 'true' })).join()).toContain('maintenance must be a boolean');
  });
});
