import { EventEmitter } from 'node:events';
import { keepServingOnUnexpectedErrors } from '../../src/last-resort';
import { AppLogger, withLogContext } from '../../src/logger';

describe('the last-resort handlers', () => {
  it('log an unhandled rejection or uncaught exception with what it was and the request it came from', () => {
    const lines: string[] = [];
    const target = new EventEmitter();
    keepServingOnUnexpectedErrors(new AppLogger('info', (l) => lines.push(l)), target);

    withLogContext({ req: 'Ev42' }, () => target.emit('unhandledRejection', new TypeError('x is null')));
    target.emit('uncaughtException', new Error('boom'), 'uncaughtException');
    target.emit('unhandledRejection', 'a string');

    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries).toHaveLength(3);
    expect(entries[0]).toMatchObject({ level: 'ERROR', name: 'last-resort', req: 'Ev42' });
    expect(entries[0]!.err).toMatchObject({ type: 'TypeError', message: 'x is null' });
    expect(String(entries[1]!.msg)).toContain('uncaught exception');
    expect(entries[2]!.err).toMatchObject({ message: 'non-Error value of type string' });
  });
});
