import { Capabilities } from '../../src/features/struggles/capability';
import {
  normaliseInput,
  rateDecision,
  safeText,
  validateReply,
  validateStruggle,
} from '../../src/features/struggles/rules';

describe('struggle rules', () => {
  it('normalises input: trims, folds blank runs, dedupes tags', () => {
    expect(normaliseInput({ text: '  hi\r\n\n\n\nthere  ', tags: ' a, #b,, a ,\n c  d, C#, # ', tried: null })).toEqual(
      {
        text: 'hi\n\nthere',
        tags: 'a, b, c d, C#',
        tried: '',
      },
    );
  });

  it('validates empty, whitespace and overlong fields', () => {
    expect(validateStruggle(normaliseInput({ text: ' \n ' })).text).toMatch(/cannot be empty/);
    expect(validateStruggle(normaliseInput({ text: 'ok' }))).toEqual({});
    expect(validateStruggle(normaliseInput({ text: 'x'.repeat(2500) }))).toEqual({});
    expect(validateStruggle(normaliseInput({ text: 'x'.repeat(2501) })).text).toMatch(/under 2,500/);
    // Escaping grows `<` fourfold; what Slack would receive must still fit.
    expect(validateStruggle(normaliseInput({ text: '<'.repeat(800) })).text).toMatch(/under/);
    expect(validateStruggle(normaliseInput({ text: 'ok', tags: 't'.repeat(201) })).tags).toBeTruthy();
    expect(validateStruggle(normaliseInput({ text: 'ok', tried: 't'.repeat(1501) })).tried).toBeTruthy();
    expect(validateReply('')).toMatch(/empty/);
    expect(validateReply('fine')).toBeUndefined();
  });

  it('makes user text safe: no pings, links or bare @channel', () => {
    const safe = safeText('<!channel> <@U1> <https://x.example|y> & @here @Everyone');
    expect(safe).not.toMatch(/[<>]/);
    expect(safe).toContain('&lt;!channel&gt;');
    expect(safe).toContain('&amp;');
    expect(safe).not.toMatch(/@(here|everyone)/i);
  });

  describe('rate decision', () => {
    const now = new Date('2026-03-02T10:00:00Z');
    const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);

    it('allows under the limit and ignores posts older than an hour', () => {
      expect(rateDecision([], now, 2)).toEqual({ allowed: true });
      expect(rateDecision([minutesAgo(10)], now, 2)).toEqual({ allowed: true });
      expect(rateDecision([minutesAgo(61), minutesAgo(60), minutesAgo(5)], now, 2)).toEqual({ allowed: true });
    });

    it('refuses at the limit, until the oldest counted post leaves the window', () => {
      const decision = rateDecision([minutesAgo(5), minutesAgo(50), minutesAgo(20)], now, 2);
      expect(decision).toEqual({ allowed: false, retryAt: new Date(now.getTime() + 40 * 60_000) });
    });
  });
});

describe('author capabilities', () => {
  const caps = new Capabilities('signing-secret');

  it('issues tokens that verify for their struggle only', () => {
    const token = caps.issue(42);
    expect(caps.verify(token)).toBe(42);
    expect(caps.verify(token.replace('.42.', '.43.'))).toBeUndefined();
    expect(caps.verify(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
    expect(new Capabilities('another-secret').verify(token)).toBeUndefined();
  });

  it('refuses malformed tokens', () => {
    for (const bad of [
      undefined,
      null,
      42,
      '',
      's1..x',
      's1.0.' + 'A'.repeat(43),
      's1.1.' + 'A'.repeat(44),
      's2.1.x',
    ]) {
      expect(caps.verify(bad)).toBeUndefined();
    }
  });

  it('carries nothing but the struggle id and a MAC: no user id goes in', () => {
    expect(caps.issue(7)).toMatch(/^s1\.7\.[A-Za-z0-9_-]{43}$/);
    expect(caps.issue(7)).toBe(caps.issue(7));
    expect(() => new Capabilities('')).toThrow();
  });
});
