import { defaultSystemConfig, defaultUserSetting, overlay, toSystemConfig, toUserSetting } from './settings.defaults';

const seed = {
  instanceName: 'CV3 test',
  ownerName: 'Owner',
  ownerEmail: 'owner@example.org',
  nexusEnabled: false,
  version: '9.9.9',
  now: new Date('2025-01-01T00:00:00Z'),
};

describe('defaultSystemConfig', () => {
  it('should seed names from the config file and use CV3 defaults', () => {
    const cfg = defaultSystemConfig(seed);
    expect(cfg.instanceSettings).toMatchObject({ name: 'CV3 test', version: '9.9.9' });
    expect(cfg.ownershipSettings).toMatchObject({ name: 'Owner', email: 'owner@example.org' });
    expect(cfg.discoverySettings.defaultBudget).toBe(100);
    expect(cfg.federationSettings.defaultTTL).toBeGreaterThanOrEqual(1);
    expect(cfg.beaconSettings.createDateTime).toBe('2025-01-01T00:00:00.000Z');
  });
});

describe('overlay', () => {
  it('should keep stored values, fill missing ones and drop keys the defaults do not have', () => {
    const out = overlay({ a: 1, b: { c: 'x', d: true } }, { a: 2, b: { d: false }, _id: 'system', e: 1 });
    expect(out).toEqual({ a: 2, b: { c: 'x', d: false } });
  });

  it('should ignore a stored value of the wrong type', () => {
    expect(overlay({ a: 1, b: { c: 'x' } }, { a: 'one', b: 'flat' })).toEqual({ a: 1, b: { c: 'x' } });
  });
});

describe('toSystemConfig', () => {
  it('should answer the defaults when nothing is stored', () => {
    expect(toSystemConfig(null, defaultSystemConfig(seed))).toEqual(defaultSystemConfig(seed));
  });

  it('should answer the running version whatever is stored', () => {
    const stored = { instanceSettings: { name: 'Stored', version: '0.0.1' } };
    const out = toSystemConfig(stored, defaultSystemConfig(seed));
    expect(out.instanceSettings).toMatchObject({ name: 'Stored', version: '9.9.9' });
  });
});

describe('toUserSetting', () => {
  it('should answer the defaults when nothing is stored', () => {
    expect(toUserSetting(null)).toEqual(defaultUserSetting());
  });

  it('should answer a stored capability as stored', () => {
    const out = toUserSetting({ colorSetting: { seedColor: 'ff0000', themeMode: 2 }, capability: { hpo: false } });
    expect(out).toEqual({ colorSetting: { seedColor: 'ff0000', themeMode: 2 }, capability: { hpo: false } });
  });
});
