import type { AllMiddlewareArgs, SlackViewMiddlewareArgs } from '@slack/bolt';
import { ackInTime, TOO_SLOW_TO_CHECK } from '../../src/slack/ack-deadline';

type ViewArgs = SlackViewMiddlewareArgs & AllMiddlewareArgs;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function argsWith(acks: unknown[]): ViewArgs {
  return {
    ack: async (response?: unknown) => {
      acks.push(response ?? null);
    },
  } as unknown as ViewArgs;
}

describe('ackInTime', () => {
  it('passes a timely ack through, once', async () => {
    const acks: unknown[] = [];
    await ackInTime(
      'text',
      async ({ ack }) => {
        await ack();
      },
      50,
    )(argsWith(acks));
    await sleep(80);
    expect(acks).toEqual([null]);
  });

  it('answers with an error on the named block at the deadline and stops the late listener at its ack', async () => {
    const acks: unknown[] = [];
    let after = false;
    await ackInTime(
      'text',
      async ({ ack }) => {
        await sleep(100);
        await ack();
        after = true;
      },
      20,
    )(argsWith(acks));
    expect(acks).toEqual([{ response_action: 'errors', errors: { text: TOO_SLOW_TO_CHECK } }]);
    expect(after).toBe(false);
  });

  it('lets other errors through', async () => {
    await expect(
      ackInTime(
        'text',
        async () => {
          throw new Error('boom');
        },
        20,
      )(argsWith([])),
    ).rejects.toThrow('boom');
  });
});
