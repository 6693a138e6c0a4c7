/**
 * At LOG_LEVEL=debug the Web API client logs every call it makes. Those lines must not carry
 * the bot token, an author's capability links, or the anonymous author's DM (their user ID
 * beside their text).
 */
import { Harness } from '../support/harness';
import { StruggleDriver } from '../support/struggles';

describe('LOG_LEVEL=debug keeps secrets and anonymity', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.start({ members: ['U1', 'UAUTHOR', 'U3'], logLevel: 'debug' });
    await h.setupCop('U1');
  });
  afterAll(() => h.stop());

  it('an anonymous struggle posted and DMed to its author leaves no token, capability or author in the logs', async () => {
    const s = new StruggleDriver(h);
    const mark = h.logs.length;
    await s.share('UAUTHOR', { text: 'Nobody reviews my pull requests' });
    const dm = s.dmsTo('UAUTHOR').at(-1);
    expect(dm).toBeDefined();
    const capabilities = JSON.stringify(dm!.params.blocks).match(/s1\.[0-9]+\.[A-Za-z0-9_-]{43}/g) ?? [];
    expect(capabilities.length).toBeGreaterThan(0);

    const logs = h.logs.slice(mark);
    // The Web API client did log its calls at debug: this is not a test of silence.
    expect(logs.some((l) => l.includes('http request body: fields'))).toBe(true);
    const text = logs.join('\n');
    expect(text).not.toContain('xoxb-test-token');
    for (const capability of capabilities) expect(text).not.toContain(capability);
    expect(text).not.toContain('UAUTHOR');
    expect(text).not.toContain('Nobody reviews my pull requests');
  });
});
