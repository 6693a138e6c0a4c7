/**
 * Acceptance: SPEC promises that hold "whatever Slack's Web API is doing": the 3-second ack,
 * large channels, and the privacy promise when Slack fails mid-way.
 */
import pg from 'pg';
import { Harness, HOME_CHANNEL, textOf } from '../support/harness';
import { createTestDatabase } from '../support/database';
import { BOT_USER_ID } from '../support/fake-slack';
import { dumpDatabase, findButton, postMatching, type Json } from '../support/spec';
import { waitUntil } from '../support/wait';

/** A Web API that hangs: Slack being slow, not the test waiting. */
const hang = (ms: number) => new Promise((r) => setTimeout(r, ms));

const abandonedEnded = (logs: string[]) =>
  logs.filter((l) => /the abandoned submission of \S+ (ended|stopped|failed)/.test(l)).length;

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
  afterEach(() => h.stop());

  it('slash commands, clicks, reactions and submissions are acked fast while the Web API hangs for 4 s', async () => {
    await h.setupCop('U1');
    await h.settled();
    for (const method of ['chat.postMessage', 'chat.update', 'views.open', 'conversations.members', 'users.info']) {
      h.fake.on(method, async (params) => {
        await hang(4000);
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

describe('SPEC: acknowledged within 3 seconds whatever the database is doing', () => {
  it('modal submissions get an answer in time while the database hangs, and nothing is stored late', async () => {
    const database = await createTestDatabase('postgres');
    const h = await Harness.start({
      sharedDatabase: database,
      members: ['U1', 'U2', 'U3'],
      processBeforeResponse: false,
    });
    const settle = () => h.settled();
    try {
      await h.setupCop('U1');
      await settle();
      await h.command('U1', 'propose Before the hang');
      await settle();
      await h.submitView('U1', h.lastOpenedView(), { body: 'b', rationale: 'r' });
      await settle();
      const message = postMatching(h, /Before the hang/);
      const ts = String(message.ts);

      await h.command('U2', 'propose During the hang');
      await settle();
      const proposeView = h.lastOpenedView();
      await h.command('U2', 'struggle During the hang');
      await settle();
      const struggleView = h.lastOpenedView();
      const object = findButton(message, /object/i);
      await h.clickButton('U3', object.action_id, object.value, { messageTs: ts });
      await settle();
      const objectionView = h.lastOpenedView();
      await h.command('U1', 'norms');
      await settle();
      const rule = findButton(h.responses().at(-1)!.params, /rule/i);
      await h.clickButton('U1', rule.action_id, rule.value);
      await settle();
      const ruleView = h.lastOpenedView();
      const copBefore = await h.db.selectFrom('cops').selectAll().executeTakeFirstOrThrow();

      const locker = new pg.Client({ connectionString: database.url });
      await locker.connect();
      await locker.query('begin');
      await locker.query(
        'lock table cops, members, coordinators, proposals, votes, struggles, norms in access exclusive mode',
      );
      const submissions: Array<[string, Json, Record<string, string>]> = [
        ['U2', proposeView, { body: 'b', rationale: 'r' }],
        ['U2', struggleView, {}],
        ['U3', objectionView, {}],
        ['U1', ruleView, { quorum: '1/3' }],
      ];
      try {
        for (const [user, view, values] of submissions) {
          const { result, ms } = await timed(() => h.submitView(user, view, values));
          expect(ms).toBeLessThan(3000);
          expect(result.status).toBe(200);
          // A note is pushed over the form, which stays open underneath with what was typed.
          expect(result.json().response_action).toBe('push');
          expect(JSON.stringify(result.json().view)).toContain('nothing was saved');
        }
      } finally {
        await locker.query('rollback');
        await locker.end();
      }
      // Each abandoned submission says how it ended; only then is "nothing stored late" judged.
      await waitUntil('the four abandoned submissions to end', () => abandonedEnded(h.logs) === submissions.length);
      await h.settled();
      const titles = (await h.db.selectFrom('proposals').select('title').execute()).map((p) => p.title);
      expect(titles).toEqual(['Before the hang']);
      expect(await h.db.selectFrom('struggles').selectAll().execute()).toHaveLength(0);
      expect((await h.db.selectFrom('votes').selectAll().execute()).filter((v) => v.stance)).toHaveLength(0);
      expect(await h.db.selectFrom('cops').selectAll().executeTakeFirstOrThrow()).toEqual(copBefore);
      expect(h.fake.callsOf('chat.postMessage').some((c) => /During the hang/.test(textOf(c.params)))).toBe(false);
    } finally {
      await h.stop();
      await database.destroy();
    }
  }, 60_000);
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
