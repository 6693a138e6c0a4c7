import type { Logger } from '@slack/logger';
import { BUSY_TEXT, SubmissionAbandoned, busyModal, withSubmissionDeadline } from '../../src/slack/submission-deadline';

const MS = 50;
// Time is jest's fake clock: each test moves it past the deadline, or not, explicitly.
const slowWork = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const advance = (ms: number) => jest.advanceTimersByTimeAsync(ms);

/** What a view_submission listener is handed, with the acks and log lines recorded. */
function submission() {
  const acks: unknown[] = [];
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);
  const logger = { debug: log, info: log, warn: log, error: log } as unknown as Logger;
  const args = {
    ack: async (response?: unknown) => {
      acks.push(response);
    },
    logger,
    body: { view: { callback_id: 'test:form' } },
  };
  return { args, acks, lines };
}

type Args = ReturnType<typeof submission>['args'];

/** A promise the test settles, standing in for a database call. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('withSubmissionDeadline', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('a listener that acks in time runs as it would unwrapped, post-ack work included', async () => {
    const { args, acks, lines } = submission();
    const stored: string[] = [];
    const guarded = withSubmissionDeadline(async ({ ack }: Args) => {
      await ack({ response_action: 'errors', errors: { title: 'Too short' } });
      await slowWork(MS * 3); // slow work after the ack is not cut short
      stored.push('row');
    }, MS);

    const running = guarded(args);
    await advance(MS * 3);
    await running;

    expect(acks).toEqual([{ response_action: 'errors', errors: { title: 'Too short' } }]);
    expect(stored).toEqual(['row']);
    await advance(MS * 2);
    expect(acks).toHaveLength(1); // the timer was cleared
    expect(lines).toEqual([]);
  });

  it('passes an error thrown before the ack on to Bolt', async () => {
    const { args, acks } = submission();
    const guarded = withSubmissionDeadline(async (_: Args) => {
      throw new Error('database refused');
    }, MS);

    await expect(guarded(args)).rejects.toThrow('database refused');
    await advance(MS * 2);
    expect(acks).toEqual([]);
  });

  it('at the deadline, answers with the pushed busy modal and returns while the listener still waits', async () => {
    const { args, acks, lines } = submission();
    const database = gate();
    const guarded = withSubmissionDeadline(async ({ ack }: Args) => {
      await database.opened;
      await ack();
    }, MS);

    const running = guarded(args);
    await advance(MS);
    await running; // returned at the deadline, the database still closed

    expect(acks).toEqual([{ response_action: 'push', view: busyModal() }]);
    expect(JSON.stringify(busyModal())).toContain(BUSY_TEXT);
    expect(lines.join('\n')).toContain('test:form was not ready within 50 ms');
    database.open();
  });

  it('a listener that finishes after the deadline stores nothing: its ack throws before the write', async () => {
    const { args, acks, lines } = submission();
    const database = gate();
    const stored: string[] = [];
    const reached: unknown[] = [];
    const guarded = withSubmissionDeadline(async ({ ack }: Args) => {
      await database.opened; // the validation reads
      try {
        await ack();
      } catch (error) {
        reached.push(error);
        throw error;
      }
      stored.push('row');
    }, MS);

    const running = guarded(args);
    await advance(MS);
    await running;
    database.open();
    await advance(0);

    expect(reached).toHaveLength(1);
    expect(reached[0]).toBeInstanceOf(SubmissionAbandoned);
    expect(stored).toEqual([]);
    expect(acks).toHaveLength(1); // only the guard's own answer went to Slack
    expect(lines.join('\n')).toContain('the abandoned submission of test:form stopped before storing anything');
  });

  it('a late error answer (errors in the form) is discarded too', async () => {
    const { args, acks } = submission();
    const database = gate();
    const guarded = withSubmissionDeadline(async ({ ack }: Args) => {
      await database.opened;
      await ack({ response_action: 'errors', errors: { title: 'Not a member' } });
    }, MS);

    const running = guarded(args);
    await advance(MS);
    await running;
    database.open();
    await advance(0);

    expect(acks).toEqual([{ response_action: 'push', view: busyModal() }]);
  });

  it('a late failure is logged, not left as an unhandled rejection', async () => {
    const { args, lines } = submission();
    const database = gate();
    const guarded = withSubmissionDeadline(async (_: Args) => {
      await database.opened;
      throw new Error('connection reset');
    }, MS);

    const running = guarded(args);
    await advance(MS);
    await running;
    database.open();
    await advance(0);

    expect(lines.join('\n')).toContain('the abandoned submission of test:form failed');
  });
});
