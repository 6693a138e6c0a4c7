import { AppLogger, withLogContext } from '../../src/logger';

describe('AppLogger (pino)', () => {
  const capture = (level: 'debug' | 'info' = 'info') => {
    const lines: string[] = [];
    return { lines, logger: new AppLogger(level, (line) => lines.push(line)) };
  };
  const parsed = (lines: string[]) => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

  it('writes one JSON object a line, with level, time, name and message', () => {
    const { lines, logger } = capture();
    logger.child('bolt').info('hello', { a: 1 });
    logger.warn('careful');
    const [first, second] = parsed(lines);
    expect(first).toMatchObject({ level: 'INFO', name: 'bolt', msg: 'hello {"a":1}' });
    expect(Number.isNaN(Date.parse(String(first!.time)))).toBe(false);
    expect(second).toMatchObject({ level: 'WARN', msg: 'careful' });
    expect(lines.every((l) => !l.includes('\n'))).toBe(true);
  });

  it('keeps below-level lines out, and Bolt can change the level', () => {
    const { lines, logger } = capture();
    logger.debug('hidden');
    expect(lines).toHaveLength(0);
    const bolt = logger.child('bolt');
    bolt.setLevel('debug' as never);
    bolt.debug('shown');
    expect(parsed(lines)).toEqual([expect.objectContaining({ level: 'DEBUG', msg: 'shown' })]);
    expect(bolt.getLevel()).toBe('debug');
  });

  it('puts an error in `err` and the request id on every line of the request, after awaits too', async () => {
    const { lines, logger } = capture();
    await withLogContext({ req: 'Ev123' }, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      logger.child('x').error('sending failed', new Error('boom'));
    });
    logger.info('outside');
    const [inside, outside] = parsed(lines);
    expect(inside).toMatchObject({ level: 'ERROR', req: 'Ev123', msg: 'sending failed boom' });
    expect(inside!.err).toMatchObject({ type: 'Error', message: 'boom' });
    expect(String((inside!.err as { stack: string }).stack)).toContain('Error: boom');
    expect(outside!.req).toBeUndefined();
  });

  it('never writes tokens or capability tokens, in messages or errors', () => {
    const { lines, logger } = capture();
    const capability = `s1.42.${'a'.repeat(43)}`;
    logger.info(`token xoxb-123-456-abc app xapp-1-A1-2-x link ${capability}`);
    logger.error('failed', new Error(`with xoxp-999 and ${capability}`));
    const text = lines.join('\n');
    expect(text).not.toMatch(/xoxb-|xoxp-|xapp-/);
    expect(text).not.toContain(capability);
    expect(text).toContain('[redacted]');
  });

  it('at debug, the Web API client’s request bodies and results keep only their shape', () => {
    const { lines, logger } = capture('debug');
    const web = logger.child('web-api');
    web.debug(`http request body: {"channel":"UAUTHOR","text":"I struggle with code reviews","blocks":[]}`);
    web.debug(`http request result: {"ok":true,"channel":"D1","message":{"text":"I struggle with code reviews"}}`);
    web.debug(`http request headers: {"Authorization":"[[REDACTED]]","User-Agent":"x"}`);
    const text = lines.join('\n');
    expect(text).not.toContain('UAUTHOR');
    expect(text).not.toContain('struggle');
    expect(parsed(lines).map((l) => l.msg)).toEqual([
      'http request body: fields channel, text, blocks (content not logged)',
      'http request result: ok=true (content not logged)',
      'http request headers: fields Authorization, User-Agent (content not logged)',
    ]);
  });
});
