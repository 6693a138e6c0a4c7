import { enqueueDms } from '../../src/slack/outbox';
import { Harness } from '../support/harness';
import { propose, proposalRow } from '../support/norms';
import { waitUntil } from '../support/wait';

/** A reminder fan-out of 1,000 DMs runs apart from the scheduler's tick: other jobs keep running. */
describe('a long DM fan-out never holds up the scheduler', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.start({ members: ['U1', 'U2', 'U3'] });
    await h.setupCop('U1');
  }, 120_000);
  afterAll(() => h?.stop());

  it('a proposal is decided while 1,000 DMs are still going out, and each DM goes out once', async () => {
    const proposal = await propose(h, 'U2', { title: 'Short stand-ups' });
    const recipients = Array.from({ length: 1_000 }, (_, i) => `UF${String(i).padStart(4, '0')}`);
    await enqueueDms(
      h.db,
      recipients.map((user) => ({
        dedupeKey: `reminder:fanout:${user}`,
        purpose: 'reminder',
        recipient: user,
        text: 'The CoP meets tomorrow',
        notBefore: h.clock.now(),
      })),
    );
    // Slack holds every DM until the test lets them through: the fan-out is in progress meanwhile.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    h.fake.on('chat.postMessage', async (params) => {
      if (String(params.channel).startsWith('UF')) await held;
      return h.fake.post(params);
    });

    const fanOut = h.bot.tick();
    await waitUntil('the fan-out under way', () =>
      h.fake.callsOf('chat.postMessage').some((c) => String(c.params.channel).startsWith('UF')),
    );

    // The voting window ends; the next tick's decision job runs although the fan-out is not done.
    h.clock.advance(8 * 24 * 60 * 60 * 1000);
    const nextTick = h.bot.tick();
    await waitUntil('the proposal decided', async () => (await proposalRow(h, proposal.id)).status !== 'open');
    const sentSoFar = await h.db.selectFrom('outbox').select('id').where('status', '=', 'sent').execute();
    expect(sentSoFar.length).toBeLessThan(1_000);

    release();
    await Promise.all([fanOut, nextTick]);
    const dms = h.fake.callsOf('chat.postMessage').filter((c) => String(c.params.channel).startsWith('UF'));
    expect(new Set(dms.map((c) => c.params.channel)).size).toBe(1_000);
    expect(dms).toHaveLength(1_000);
    const pending = await h.db.selectFrom('outbox').select('id').where('status', '!=', 'sent').execute();
    expect(pending).toHaveLength(0);
  }, 60_000);
});
