import { BUSY_TEXT } from '../../src/slack/routes';
import { Harness, textOf } from '../support/harness';
import { waitUntil } from '../support/wait';

/**
 * The real bot under a burst of `/cop help` it cannot keep up with (Slack's response URLs are
 * stalled): 4 jobs at work, 3 allowed to wait, and the next command is told at once that the
 * bot is busy. Every command that was accepted gets its answer once Slack answers again (`/cop norms` would answer in its ack, untouched by the stall).
 */
describe('a full after-ack queue: a busy answer within 3 s, and nothing accepted lost', () => {
  let h: Harness;
  let stall: Promise<void>;
  let resume!: () => void;

  beforeAll(async () => {
    h = await Harness.start({ processBeforeResponse: false, afterAckWaiting: 3, members: ['U1', 'U2', 'U3'] });
    await h.setupCop('U1');
    await waitUntil('setup to answer', () => h.fake.callsOf('response_url').length > 0);
    await h.waitForMembers(3);
    stall = new Promise((resolve) => (resume = resolve));
    h.fake.on('response_url', async () => {
      await stall;
      return { ok: true };
    });
    h.fake.clearCalls();
  });
  afterAll(async () => {
    resume();
    await h.stop();
  });

  it('refuses the eighth /cop help with the busy answer in its ack, then delivers the seven it took', async () => {
    const accepted = [];
    for (let i = 0; i < 7; i++) {
      const ack = await h.command('U2', 'help');
      expect(ack).toMatchObject({ status: 200, body: '' });
      accepted.push(ack);
    }
    // Four jobs hold their slots (each stuck answering at its response URL), three wait.
    await waitUntil('the four working jobs to reach Slack', () => h.fake.callsOf('response_url').length === 4);

    const began = Date.now();
    const busy = await h.command('U3', 'help');
    expect(Date.now() - began).toBeLessThan(3_000);
    expect(busy.status).toBe(200);
    expect(JSON.parse(busy.body)).toEqual({ response_type: 'ephemeral', text: BUSY_TEXT });

    resume();
    await waitUntil('every accepted command to be answered', () => h.fake.callsOf('response_url').length === 7);
    const answers = h.fake.callsOf('response_url').map((c) => textOf(c.params));
    expect(answers).toHaveLength(7);
    for (const text of answers) expect(text).not.toContain('busy');
    // Nothing more arrives for the refused one.
    expect(h.fake.callsOf('response_url')).toHaveLength(7);
  });
});
