import { DEFAULT_TIMINGS, reconnectDelay } from '../../src/slack/socket-mode';

describe('reconnectDelay: at once after a drop, backing off only while attempts fail', () => {
  const timings = { ...DEFAULT_TIMINGS, backoffBaseMs: 250, backoffMaxMs: 30_000 };

  it('waits nothing before the first reconnect', () => {
    expect(reconnectDelay(0, timings, () => 1)).toBe(0);
  });

  it('doubles with each failure, between half and all of the ceiling', () => {
    expect(reconnectDelay(1, timings, () => 0)).toBe(125);
    expect(reconnectDelay(1, timings, () => 1)).toBe(250);
    expect(reconnectDelay(2, timings, () => 0)).toBe(250);
    expect(reconnectDelay(3, timings, () => 1)).toBe(1_000);
  });

  it('never waits longer than the maximum, however many failures', () => {
    expect(reconnectDelay(50, timings, () => 1)).toBe(30_000);
    expect(reconnectDelay(50, timings, () => 0)).toBe(15_000);
  });

  it('spreads instances that failed together (jitter)', () => {
    const delays = new Set(Array.from({ length: 20 }, () => reconnectDelay(4, timings)));
    expect(delays.size).toBeGreaterThan(1);
  });
});
