import { formatUptime } from './info.service';

describe('formatUptime', () => {
  it.each([
    [0, '00:00:00.00'],
    [3.456, '00:00:03.46'],
    [61.5, '00:01:01.50'],
    [3723.45, '01:02:03.45'],
    [90000, '25:00:00.00'],
  ])('should format %d seconds as %s', (seconds, expected) => {
    expect(formatUptime(seconds)).toBe(expected);
  });
});
