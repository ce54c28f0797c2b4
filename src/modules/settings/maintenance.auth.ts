import { createHash, timingSafeEqual } from 'node:crypto';

/** How far `X-Timestamp` may be from the server's clock, either way. */
export const TIMESTAMP_WINDOW_SECONDS = 60;

export type TimestampCheck =
  { ok: true; timestamp: number } | { ok: false; reason: 'missing' | 'malformed' | 'stale'; message: string };

/** `X-Timestamp`: integer seconds since the epoch, within ±window of `nowSeconds`. */
export function checkTimestamp(
  header: string | string[] | undefined,
  nowSeconds: number,
  windowSeconds = TIMESTAMP_WINDOW_SECONDS,
): TimestampCheck {
  if (header === undefined || header === '') {
    return { ok: false, reason: 'missing', message: 'X-Timestamp header required (integer seconds since the epoch)' };
  }
  if (Array.isArray(header) || !/^\d{1,12}$/.test(header)) {
    return { ok: false, reason: 'malformed', message: 'X-Timestamp must be one integer (seconds since the epoch)' };
  }
  const timestamp = Number(header);
  if (Math.abs(nowSeconds - timestamp) > windowSeconds) {
    return {
      ok: false,
      reason: 'stale',
      message: `X-Timestamp is more than ${windowSeconds} s away from the server time`,
    };
  }
  return { ok: true, timestamp };
}

/**
 * A timestamp is accepted once, and only when it is newer than the last accepted one. This is the rule the
 * repository applies atomically in MongoDB (`lastTimestamp: {$lt: ts}`); kept here to be tested and read.
 */
export function isFresh(timestamp: number, lastAccepted: number | undefined): boolean {
  return lastAccepted === undefined || timestamp > lastAccepted;
}

/** The secret from `Authorization: Bearer <secret>`, or undefined. */
export function bearerSecret(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** Constant-time comparison; hashing first also hides the expected secret's length. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b) && expected.length > 0;
}
