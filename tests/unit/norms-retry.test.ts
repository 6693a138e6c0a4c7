import { isTransientDbError, withRetry } from '../../src/db/retry';
import { AppLogger } from '../../src/logger';

const pgError = (code: string) => Object.assign(new Error(`pg error ${code}`), { code });

describe('withRetry: a vote whose write fails transiently is tried again', () => {
  const logs: string[] = [];
  const logger = new AppLogger('info', (line) => logs.push(line));
  beforeEach(() => (logs.length = 0));

  it.each(['40001', '40P01', '53300', '57P01', '08006', 'ECONNRESET'])('retries SQLSTATE/errno %s', (code) => {
    expect(isTransientDbError(pgError(code))).toBe(true);
  });

  it('retries a pool that timed out connecting or lost its connection', () => {
    expect(isTransientDbError(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isTransientDbError(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it('retries a prepared statement a migration made stale (it runs again on a fresh connection)', () => {
    const stale = Object.assign(new Error('cached plan must not change result type'), { code: '0A000' });
    expect(isTransientDbError(stale)).toBe(true);
    // Other unsupported features are errors in the work, not worth another try.
    expect(isTransientDbError(pgError('0A000'))).toBe(false);
  });

  it('does not retry errors in the work itself', () => {
    expect(isTransientDbError(pgError('23505'))).toBe(false);
    expect(isTransientDbError(new TypeError('x is undefined'))).toBe(false);
  });

  it('backs off and succeeds, logging each failure with its context', async () => {
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls += 1;
        if (calls < 3) throw pgError(calls === 1 ? '40001' : '08006');
        return 'stored';
      },
      { logger, what: 'reaction vote on proposal 7 (event Ev1)', baseDelayMs: 1 },
    );
    expect(result).toBe('stored');
    expect(calls).toBe(3);
    expect(
      logs.filter((l) => l.includes('WARN') && l.includes('reaction vote on proposal 7 (event Ev1)')),
    ).toHaveLength(2);
  });

  it('gives up after the last attempt, and at once on a permanent error', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls += 1;
          throw pgError('40P01');
        },
        { logger, what: 'x', attempts: 3, baseDelayMs: 1 },
      ),
    ).rejects.toThrow('40P01');
    expect(calls).toBe(3);
    calls = 0;
    await expect(
      withRetry(
        async () => {
          calls += 1;
          throw pgError('23505');
        },
        { logger, what: 'x', baseDelayMs: 1 },
      ),
    ).rejects.toThrow();
    expect(calls).toBe(1);
    expect(logs.some((l) => l.includes('ERROR') && l.includes('x failed after 1 attempt'))).toBe(true);
  });
});
