/**
 * Acceptance: SPEC promises that hold "whatever Slack's Web API is doing": the 3-second ack,
 * large channels, and the privacy promise when Slack fails mid-way.
 */
import { Harness, HOME_CHANNEL, textOf } from '../support/harness';
import { BOT_USER_ID } from '../support/fake-slack';
import { dumpDatabase, findButton, type Json } from '../support/spec';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function timed<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const start = Date.now();
  const result = await fn();
  return { result, ms: Date.now() - start };
}

describe('SPEC: acknowledged within 3 seconds whatever Slack’s Web API is doing', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start({ members: ['U1', 'U2', 'U3'], processBeforeResponse: false });
  });
  afterEach(async () => {
    await sleep(300);
    await h.stop();
  });

  it('slash commands, clicks, reactions and submissions are acked fast while the Web API hangs for 4 s', async () => {
    await h.setupCop('U1');
    await sleep(300);
    for (const method of ['chat.postMessage', 'chat.update', 'views.open', 'conversations.members', 'users.info']) {
      h.fake.on(method, async (params) => {
        await sleep(4000);
        return { ok: true, channel: params.channel ?? 'C', ts: '1700000999.000001', view: { id: 'V9' } };
      });
    }
    const command = await timed(() => h.command('U2', 'propose Slow'));
    expect(command.result.status).toBe(200);
    expect(command.ms).toBeLessThan(3000);

    const reaction = await timed(() => h.react('U2', '+1', '1700000000.000001'));
    expect(reaction.result.status).toBe(200);
    expect(reaction.ms).toBeLessThan(3000);

    const click = await timed(() => h.clickButton('U2', 'norms:support', '1', { messageTs: '1700000000.000001' }));
    expect(click.ms).toBeLessThan(3000);
  }, 30_000);
});

describe('SPEC: members in a large channel', () => {
  it('setup counts every human of a channel with more than one page of members', async () => {
    const humans = Array.from({ length: 450 }, (_, i) => `UM${String(i).padStart(4, '0')}`);
    const h = await Harness.start({ members: humans });
    try {
      h.fake.addUser({ id: 'UBOT2', is_bot: true });
      h.fake.setChannelMembers(HOME_CHANNEL, [...humans, 'UBOT2', BOT_USER_ID]);
      await h.setupCop(humans[0]);
      const count = await h.db
        .selectFrom('members')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(450);
    } finally {
      await h.stop();
    }
  }, 60_000);
});

describe('SPEC: anonymity when Slack fails', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start({ members: ['U1', 'U2', 'UAUTHOR', 'UREPLY'] });
    await h.setupCop('U1');
  });
  afterEach(() => h.stop());

  it('a failed post, a failed DM and a failed reply log and store no author', async () => {
    const before = Object.values(await dumpDatabase(h)).join('\n');
    const logMark = h.logs.length;

    // The channel post fails.
    h.fake.inject('chat.postMessage', { body: { ok: false, error: 'channel_not_found' } });
    await h.command('UAUTHOR', 'struggle First try fails');
    await h.submitView('UAUTHOR', h.lastOpenedView(), {});

    // The post works but the author's DM fails.
    h.fake.on('chat.postMessage', (params) => {
      if (params.channel === 'UAUTHOR' || params.channel === 'DUAUTHOR') return { ok: false, error: 'cannot_dm_bot' };
      return {
        ok: true,
        channel: params.channel,
        ts: `1700000500.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`,
      };
    });
    await h.command('UAUTHOR', 'struggle Second try posts');
    await h.submitView('UAUTHOR', h.lastOpenedView(), {});

    // An anonymous reply whose post fails, with a 500.
    const posted = h.fake
      .callsOf('chat.postMessage')
      .filter((c) => c.params.channel === HOME_CHANNEL && /Second try/.test(textOf(c.params)));
    h.fake.on('chat.postMessage', () => ({ status: 500, body: { ok: false, error: 'internal_error' } }));
    if (posted.length > 0) {
      const reply = findButton(posted.at(-1)!.params, /reply anonymously/i);
      await h.clickButton('UREPLY', reply.action_id, reply.value, { messageTs: '1700000500.000001' });
      const view = h.lastOpenedView();
      const input = ((view.blocks ?? []) as Json[]).find((b) => b.type === 'input')!;
      await h.submitView('UREPLY', view, { [String((input.element as Json).action_id)]: 'A reply that fails' });
    }
    await h.bot.tick();

    const after = Object.values(await dumpDatabase(h)).join('\n');
    for (const id of ['UAUTHOR', 'UREPLY']) {
      expect(after.split(id).length).toBe(before.split(id).length);
    }
    const logs = h.logs.slice(logMark).join('\n');
    expect(logs).not.toMatch(/UAUTHOR|UREPLY|uauthor|ureply/);
    expect(logs).not.toContain('First try fails');
  }, 30_000);
});
