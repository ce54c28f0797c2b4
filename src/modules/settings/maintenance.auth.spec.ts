import { bearerSecret, checkTimestamp, isFresh, sameSecret, TIMESTAMP_WINDOW_SECONDS } from './maintenance.auth';

describe('checkTimestamp', () => {
  const now = 1_750_000_000;

  it.each([
    ['the current second', String(now)],
    ['60 s in the past', String(now - 60)],
    ['60 s in the future', String(now + 60)],
  ])('should accept %s', (_label, header) => {
    expect(checkTimestamp(header, now)).toEqual({ ok: true, timestamp: Number(header) });
  });

  it.each([
    ['61 s in the past', String(now - 61)],
    ['61 s in the future', String(now + 61)],
    ['zero', '0'],
  ])('should refuse %s as stale', (_label, header) => {
    expect(checkTimestamp(header, now)).toMatchObject({ ok: false, reason: 'stale' });
  });

  it.each([
    ['a missing header', undefined, 'missing'],
    ['an empty header', '', 'missing'],
    ['milliseconds as a float', `${now}.5`, 'malformed'],
    ['a negative number', `-${now}`, 'malformed'],
    ['an ISO date', '2025-06-15T12:00:00Z', 'malformed'],
    ['a repeated header', [String(now), String(now)], 'malformed'],
    ['an absurdly long number', '9'.repeat(20), 'malformed'],
  ])('should refuse %s', (_label, header, reason) => {
    expect(checkTimestamp(header, now)).toMatchObject({ ok: false, reason });
  });

  it('should honour a custom window', () => {
    expect(checkTimestamp(String(now - 10), now, 5)).toMatchObject({ ok: false, reason: 'stale' });
    expect(TIMESTAMP_WINDOW_SECONDS).toBe(60);
  });
});

describe('isFresh', () => {
  it.each([
    [100, undefined, true],
    [101, 100, true],
    [100, 100, false],
    [99, 100, false],
  ])('should say %d after last %s is fresh: %s', (ts, last, expected) => {
    expect(isFresh(ts, last)).toBe(expected);
  });
});

describe('bearerSecret', () => {
  it.each([
    ['Bearer s3cr3t', 's3cr3t'],
    ['bearer s3cr3t', 's3cr3t'],
    ['Bearer  s3cr3t ', 's3cr3t'],
    ['Basic s3cr3t', undefined],
    ['Bearer', undefined],
    ['Bearer a b', undefined],
    [undefined, undefined],
  ])('should read %s as %s', (header, expected) => {
    expect(bearerSecret(header)).toBe(expected);
  });
});

describe('sameSecret', () => {
  it('should accept the same secret', () => {
    expect(sameSecret('correct horse', 'correct horse')).toBe(true);
  });

  it('should refuse a different secret of the same or another length', () => {
    expect(sameSecret('correct hors3', 'correct horse')).toBe(false);
    expect(sameSecret('correct', 'correct horse')).toBe(false);
  });

  it('should never accept against an empty expected secret', () => {
    expect(sameSecret('', '')).toBe(false);
  });
});
