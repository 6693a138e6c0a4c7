/**
 * Acceptance: "Practice struggles" in SPEC.md, and its privacy promise: no Slack user ID of an
 * anonymous author or replier in the database, the logs at the default level, or any message.
 */
import { Harness, HOME_CHANNEL, textOf } from '../support/harness';
import { StruggleDriver } from '../support/struggles';
import {
  callsSince,
  currentMessage,
  dumpDatabase,
  findButton,
  overflowOptions,
  postMatching,
  escapeRegExp,
  threadReplies,
  type Json,
} from '../support/spec';
import type { SlackCall } from '../support/fake-slack';

const occurrences = (haystack: string, needle: string) => haystack.split(needle).length - 1;

/** Everything a call shows anyone: its content, without the address (a DM is addressed to its reader). */
function content(call: SlackCall): string {
  const { channel: _channel, user: _user, user_id: _userId, ...rest } = call.params;
  return JSON.stringify(rest);
}

function inputIds(view: Json): string[] {
  return ((view.blocks ?? []) as Json[])
    .filter((b) => b.type === 'input')
    .map((b) => String((b.element as Json).action_id));
}

describe('SPEC: practice struggles', () => {
  let h: Harness;
  beforeEach(async () => {
    // UAUTHOR shares, UREPLY answers anonymously; U1 coordinates; U2 and U3 are members.
    h = await Harness.start({ members: ['U1', 'U2', 'U3', 'UAUTHOR', 'UREPLY'], others: ['U9'] });
    await h.setupCop('U1');
  });
  afterEach(() => h.stop());

  async function share(
    author: string,
    text: string,
    extra: Record<string, string> = {},
  ): Promise<{ ts: string; dm: SlackCall }> {
    const mark = h.fake.calls.length;
    await h.command(author, `struggle ${text}`);
    const result = await h.submitView(author, h.lastOpenedView(), extra);
    expect(result.status).toBe(200);
    const post = postMatching(h, new RegExp(escapeRegExp(text.split(' ')[0]!)));
    const dm = callsSince(h, mark).find(
      (c) => c.method === 'chat.postMessage' && (c.params.channel === author || c.params.channel === `D${author}`),
    );
    if (!dm) throw new Error('the author got no DM to act on their post');
    return { ts: String(post.ts), dm };
  }

  it('a struggle is posted in the home channel by the bot, with no author shown, and the author is told', async () => {
    const mark = h.fake.calls.length;
    const { ts, dm } = await share('UAUTHOR', 'I cannot get my team to write tests');
    const post = currentMessage(h, ts);
    expect(post.channel).toBe(HOME_CHANNEL);
    expect(textOf(post)).toContain('I cannot get my team to write tests');
    expect(JSON.stringify(post)).not.toMatch(/UAUTHOR|uauthor/);
    expect(textOf(dm.params)).toMatch(/anonym/i);
    // Nothing addressed to anyone else names the author.
    for (const call of callsSince(h, mark)) expect(content(call)).not.toMatch(/UAUTHOR|uauthor/);
  });

  it('an empty struggle is refused in the modal and nothing is posted', async () => {
    await h.command('UAUTHOR', 'struggle');
    const view = h.lastOpenedView();
    const text = inputIds(view)[0]!;
    const result = await h.submitView('UAUTHOR', view, { [text]: '   ' });
    expect(result.json().response_action).toBe('errors');
    expect(await h.db.selectFrom('struggles').selectAll().execute()).toHaveLength(0);
  });

  it('members discuss it in its thread; anyone can reply anonymously from the post; the author follows up as the original poster', async () => {
    const { ts, dm } = await share('UAUTHOR', 'Standups run for 40 minutes');

    // A member replies in the thread as usual.
    await h.event({
      type: 'message',
      channel: HOME_CHANNEL,
      channel_type: 'channel',
      user: 'U2',
      text: 'Try a timer and a parking lot.',
      ts: '1700000100.000001',
      thread_ts: ts,
      event_ts: '1700000100.000001',
    });

    // Someone replies anonymously from the post's button.
    const reply = findButton(currentMessage(h, ts), /reply anonymously/i);
    let mark = h.fake.calls.length;
    await h.clickButton('UREPLY', reply.action_id, reply.value, { messageTs: ts });
    const replyView = h.lastOpenedView();
    expect(callsSince(h, mark).some((c) => c.method === 'views.open')).toBe(true);
    expect(textOf({ view: replyView } as Json)).toMatch(/anonym/i);
    await h.submitView('UREPLY', replyView, { [inputIds(replyView)[0]!]: 'We split into two standups.' });
    const anonymous = threadReplies(h, ts).find((m) => textOf(m).includes('We split into two standups.'));
    expect(anonymous).toBeDefined();
    expect(JSON.stringify(anonymous)).not.toMatch(/UREPLY|ureply/);

    // The author follows up from their DM, marked as the original poster.
    const followUp = findButton(dm.params, /follow up/i);
    mark = h.fake.calls.length;
    await h.clickButton('UAUTHOR', followUp.action_id, followUp.value, {
      channel: String(dm.params.channel),
      messageTs: '1700000000.999999',
    });
    const followView = h.lastOpenedView();
    expect(callsSince(h, mark).some((c) => c.method === 'views.open')).toBe(true);
    await h.submitView('UAUTHOR', followView, { [inputIds(followView)[0]!]: 'Thanks, a timer helped.' });
    const op = threadReplies(h, ts).find((m) => textOf(m).includes('Thanks, a timer helped.'));
    expect(op).toBeDefined();
    expect(textOf(op!)).toMatch(/original poster/i);
    expect(JSON.stringify(op)).not.toMatch(/UAUTHOR|uauthor/);
    // An anonymous replier is not marked as the original poster.
    expect(textOf(anonymous!)).not.toMatch(/original poster/i);
  });

  it('someone else holding the post cannot follow up as its author', async () => {
    const { ts } = await share('UAUTHOR', 'Estimates are always wrong');
    // The post itself offers no author button to others.
    const texts = JSON.stringify(currentMessage(h, ts));
    expect(texts).not.toMatch(/follow up/i);
  });

  it('the privacy promise: no user ID of an anonymous author or replier in the database, the logs or any message', async () => {
    const before = await dumpDatabase(h);
    const beforeAll = Object.values(before).join('\n');
    const logMark = h.logs.length;
    const mark = h.fake.calls.length;

    const { ts, dm } = await share('UAUTHOR', 'Our retros feel pointless', { tags: 'retros', tried: 'new formats' });
    const reply = findButton(currentMessage(h, ts), /reply anonymously/i);
    await h.clickButton('UREPLY', reply.action_id, reply.value, { messageTs: ts });
    const replyView = h.lastOpenedView();
    await h.submitView('UREPLY', replyView, { [inputIds(replyView)[0]!]: 'Rotate the facilitator.' });
    const followUp = findButton(dm.params, /follow up/i);
    await h.clickButton('UAUTHOR', followUp.action_id, followUp.value, { channel: String(dm.params.channel) });
    const followView = h.lastOpenedView();
    await h.submitView('UAUTHOR', followView, { [inputIds(followView)[0]!]: 'We will try that.' });
    const resolve = (() => {
      try {
        return findButton(dm.params, /resolve/i);
      } catch {
        return undefined;
      }
    })();
    if (resolve)
      await h.clickButton('UAUTHOR', resolve.action_id, resolve.value, { channel: String(dm.params.channel) });
    await h.bot.tick();

    // The database: the two IDs appear exactly as often as before (as members), nowhere new.
    const after = await dumpDatabase(h);
    const afterAll = Object.values(after).join('\n');
    for (const id of ['UAUTHOR', 'UREPLY']) {
      expect(occurrences(afterAll, id)).toBe(occurrences(beforeAll, id));
      for (const table of ['struggles', 'struggle_replies', 'outbox', 'processed_events']) {
        if (after[table]) expect(after[table]).not.toContain(id);
      }
    }
    const rows = await h.db.selectFrom('struggle_replies').selectAll().execute();
    expect(rows.filter((r) => r.kind !== 'member').every((r) => r.user_id === null)).toBe(true);

    // The logs at the default level.
    const logs = h.logs.slice(logMark).join('\n');
    expect(logs).not.toMatch(/UAUTHOR|UREPLY|uauthor|ureply/);

    // Every message and view the bot sent shows neither.
    for (const call of callsSince(h, mark)) expect(content(call)).not.toMatch(/UAUTHOR|UREPLY|uauthor|ureply/);
  });

  it('coordinators can hide a post; a member cannot, even with a forged click', async () => {
    const { ts } = await share('UAUTHOR', 'I am afraid to ask questions');
    // The post's menu offers members only what they may do; coordinators hide with a message shortcut.
    expect(overflowOptions(currentMessage(h, ts).blocks).find((o) => /hide/i.test(o.text))).toBeUndefined();
    const moderation = new StruggleDriver(h);

    await moderation.hideShortcut('U2', ts);
    let row = await h.db.selectFrom('struggles').select('hidden_at').executeTakeFirstOrThrow();
    expect(row.hidden_at).toBeNull();
    expect(textOf(currentMessage(h, ts))).toContain('I am afraid to ask questions');
    expect(h.lastResponseText()).toMatch(/coordinator/i);

    await moderation.hideShortcut('U1', ts);
    row = await h.db.selectFrom('struggles').select('hidden_at').executeTakeFirstOrThrow();
    expect(row.hidden_at).not.toBeNull();
    const now = h.fake.messages.get(`${HOME_CHANNEL}:${ts}`);
    expect(now === undefined || !textOf(now).includes('I am afraid to ask questions')).toBe(true);

    await h.command('U3', 'search afraid questions');
    expect(h.lastResponseText()).not.toContain('I am afraid to ask questions');
  });

  it('coordinators can hide an anonymous reply; it leaves the thread’s text and search', async () => {
    const { ts } = await share('UAUTHOR', 'Pairing feels awkward');
    const reply = findButton(currentMessage(h, ts), /reply anonymously/i);
    await h.clickButton('UREPLY', reply.action_id, reply.value, { messageTs: ts });
    const view = h.lastOpenedView();
    await h.submitView('UREPLY', view, { [inputIds(view)[0]!]: 'Rude remark about pairing' });
    const posted = threadReplies(h, ts).find((m) => textOf(m).includes('Rude remark about pairing'))!;
    expect(overflowOptions(posted.blocks).find((o) => /hide/i.test(o.text))).toBeUndefined();
    const moderation = new StruggleDriver(h);
    await moderation.hideShortcut('U2', String(posted.ts));
    expect(textOf(currentMessage(h, String(posted.ts)))).toContain('Rude remark about pairing');
    await moderation.hideShortcut('U1', String(posted.ts));
    const now = h.fake.messages.get(`${HOME_CHANNEL}:${String(posted.ts)}`);
    expect(now === undefined || !textOf(now).includes('Rude remark')).toBe(true);
    await h.command('U3', 'search pairing awkward');
    expect(h.lastResponseText()).toContain('Pairing feels awkward');
    expect(h.lastResponseText()).not.toContain('Rude remark');
  });

  it('non-members cannot reply or share, even with forged payloads', async () => {
    const { ts } = await share('UAUTHOR', 'Legacy code scares me');
    const reply = findButton(currentMessage(h, ts), /reply anonymously/i);
    const mark = h.fake.calls.length;
    await h.clickButton('U9', reply.action_id, reply.value, { messageTs: ts });
    expect(callsSince(h, mark).some((c) => c.method === 'views.open')).toBe(false);

    // A forged submission of the reply modal a member got.
    await h.clickButton('UREPLY', reply.action_id, reply.value, { messageTs: ts });
    const replyView = h.lastOpenedView();
    await h.submitView('U9', replyView, { [inputIds(replyView)[0]!]: 'Forged reply' });
    expect(threadReplies(h, ts).some((m) => textOf(m).includes('Forged reply'))).toBe(false);

    await h.command('UAUTHOR', 'struggle x');
    const shareView = h.lastOpenedView();
    await h.submitView('U9', shareView, { [inputIds(shareView)[0]!]: 'Forged struggle' });
    expect(h.fake.callsOf('chat.postMessage').some((c) => textOf(c.params).includes('Forged struggle'))).toBe(false);
    expect(await h.db.selectFrom('struggles').selectAll().execute()).toHaveLength(1);
  });

  it('search finds helpful answers too: a :bulb: on a thread reply', async () => {
    const { ts } = await share('UAUTHOR', 'Flaky integration tests block merges');
    await h.event({
      type: 'message',
      channel: HOME_CHANNEL,
      channel_type: 'channel',
      user: 'U2',
      text: 'Quarantine flaky tests in a separate job.',
      ts: '1700000200.000001',
      thread_ts: ts,
      event_ts: '1700000200.000001',
    });
    await h.react('U3', 'bulb', '1700000200.000001');
    await h.command('U1', 'search flaky tests');
    const shown = h.lastResponseText();
    expect(shown).toContain('Flaky integration tests block merges');
    expect(shown).toContain('Quarantine flaky tests');
  });

  it('user text in a struggle cannot ping or inject links', async () => {
    const { ts } = await share('UAUTHOR', 'Help <!channel> <@U1> see <https://evil.example|this>');
    const shown = textOf(currentMessage(h, ts));
    expect(shown).not.toContain('<!channel>');
    expect(shown).not.toContain('<@U1>');
    expect(shown).not.toContain('<https://evil.example');
  });
});
