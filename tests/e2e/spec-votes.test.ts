/**
 * Acceptance: "Norms and votes" in SPEC.md: reactions and buttons, one member one vote, the
 * default rule exactly (half of the members rounded up AND two thirds of the votes cast), the
 * 7-day window, the live tally, and a per-CoP rule only coordinators may change.
 */
import { Harness, textOf } from '../support/harness';
import { BOT_USER_ID } from '../support/fake-slack';
import {
  callsSince,
  counted,
  currentMessage,
  DAY,
  findButton,
  proposeNorm,
  status,
  tally,
  threadReplies,
  users,
  type Json,
} from '../support/spec';

describe('SPEC: votes by reaction and button', () => {
  let h: Harness;
  let ts: string;
  beforeEach(async () => {
    h = await Harness.start({ members: users(5), others: ['U9'] });
    await h.setupCop('U1');
    ({ ts } = await proposeNorm(h, 'U1', 'Write it down'));
  });
  afterEach(() => h.stop());

  it.each([
    ['+1', 'support'],
    ['thumbsup', 'support'],
    ['+1::skin-tone-3', 'support'],
    ['thumbsup::skin-tone-6', 'support'],
    ['-1', 'object'],
    ['thumbsdown', 'object'],
    ['-1::skin-tone-2', 'object'],
    ['thumbsdown::skin-tone-5', 'object'],
  ])(':%s: counts as %s and the message shows it', async (reaction, stance) => {
    await h.react('U2', reaction, ts);
    expect(await counted(h)).toEqual({ U2: stance });
    expect(tally(currentMessage(h, ts))).toEqual(
      stance === 'support' ? { support: 1, object: 0 } : { support: 0, object: 1 },
    );
  });

  it('other reactions are not votes', async () => {
    for (const reaction of ['heart', 'eyes', 'tada', 'point_up', 'thumbsup_all']) await h.react('U2', reaction, ts);
    expect(await counted(h)).toEqual({});
  });

  it('one member, one vote: the latest counts, and removing one’s reaction withdraws it', async () => {
    await h.react('U2', '+1', ts);
    await h.react('U2', '-1', ts);
    expect(await counted(h)).toEqual({ U2: 'object' });
    expect(tally(currentMessage(h, ts))).toEqual({ support: 0, object: 1 });
    await h.react('U2', 'thumbsup', ts);
    expect(await counted(h)).toEqual({ U2: 'support' });
    expect(tally(currentMessage(h, ts))).toEqual({ support: 1, object: 0 });
    await h.react('U2', 'thumbsup', ts, { removed: true });
    expect(await counted(h)).toEqual({});
    expect(tally(currentMessage(h, ts))).toEqual({ support: 0, object: 0 });
  });

  it('votes on other messages are not counted for the proposal', async () => {
    await h.react('U2', '+1', '1699999999.000001');
    expect(await counted(h)).toEqual({});
  });

  it('votes of non-members and bots do not count', async () => {
    h.fake.addUser({ id: 'UB2', is_bot: true });
    h.fake.setChannelMembers('C0COP', [...users(5), 'UB2', BOT_USER_ID]);
    await h.react('U9', '+1', ts);
    await h.react('UB2', '+1', ts);
    await h.react(BOT_USER_ID, '+1', ts);
    expect(await counted(h)).toEqual({});
    expect(tally(currentMessage(h, ts))).toEqual({ support: 0, object: 0 });
  });

  it('the same event delivered twice (a Slack retry) counts once', async () => {
    await h.react('U2', '+1', ts, { eventId: 'EvSAME1' });
    await h.react('U2', '+1', ts, { removed: true, eventId: 'EvSAME2' });
    // Slack retries the first delivery: the withdrawal stands.
    const retry = await h.react('U2', '+1', ts, { eventId: 'EvSAME1' });
    expect(retry.status).toBe(200);
    expect(await counted(h)).toEqual({});
    expect(tally(currentMessage(h, ts))).toEqual({ support: 0, object: 0 });
  });

  it('the Support button votes, and tells the voter so', async () => {
    const support = findButton(currentMessage(h, ts), /support/i);
    await h.clickButton('U3', support.action_id, support.value, { messageTs: ts });
    expect(await counted(h)).toEqual({ U3: 'support' });
    expect(tally(currentMessage(h, ts))).toEqual({ support: 1, object: 0 });
    expect(h.lastResponseText()).toMatch(/support/i);
  });

  it('the Object button asks for a reason in a modal; the objection counts with its reason', async () => {
    const object = findButton(currentMessage(h, ts), /object/i);
    const mark = h.fake.calls.length;
    await h.clickButton('U3', object.action_id, object.value, { messageTs: ts });
    const opened = callsSince(h, mark).find((c) => c.method === 'views.open');
    expect(opened).toBeDefined();
    const view = opened!.params.view as Json;
    expect(textOf({ view } as Json)).toMatch(/reason/i);
    const reasonInput = ((view.blocks ?? []) as Json[])
      .filter((b) => b.type === 'input')
      .map((b) => b.element as Json)
      .find((e) => e.type === 'plain_text_input')!;
    await h.submitView('U3', view, { [String(reasonInput.action_id)]: 'Too much overhead for small changes' });
    const row = await h.db.selectFrom('votes').selectAll().where('user_id', '=', 'U3').executeTakeFirstOrThrow();
    expect(row.stance).toBe('object');
    expect(row.reason).toBe('Too much overhead for small changes');
    expect(tally(currentMessage(h, ts))).toEqual({ support: 0, object: 1 });
    // The group sees the reason (thread or message).
    const shown = [currentMessage(h, ts), ...threadReplies(h, ts)].map((m) => textOf(m)).join('\n');
    expect(shown).toContain('Too much overhead for small changes');
  });

  it('a reason cannot ping the channel or inject links', async () => {
    const object = findButton(currentMessage(h, ts), /object/i);
    await h.clickButton('U3', object.action_id, object.value, { messageTs: ts });
    const view = h.lastOpenedView();
    const reasonInput = ((view.blocks ?? []) as Json[])
      .map((b) => b.element as Json | undefined)
      .find((e) => e?.type === 'plain_text_input')!;
    await h.submitView('U3', view, { [String(reasonInput.action_id)]: '<!channel> see <https://evil.example|here>' });
    const shown = [currentMessage(h, ts), ...threadReplies(h, ts)].map((m) => textOf(m)).join('\n');
    expect(shown).not.toContain('<!channel>');
    expect(shown).not.toContain('<https://evil.example');
  });

  it('a button vote and a reaction are one vote: the latest counts', async () => {
    const support = findButton(currentMessage(h, ts), /support/i);
    await h.clickButton('U3', support.action_id, support.value, { messageTs: ts });
    await h.react('U3', '-1', ts);
    expect(await counted(h)).toEqual({ U3: 'object' });
    expect(tally(currentMessage(h, ts))).toEqual({ support: 0, object: 1 });
  });
});

describe('SPEC: the default rule, exactly', () => {
  type Step = [user: string, reaction: '+1' | '-1' | 'remove+1' | 'remove-1'];
  const cases: Array<{ name: string; members: number; steps: Step[]; expected: 'open' | 'adopted' }> = [
    {
      name: '2 members: one supporter is half and all the votes',
      members: 2,
      steps: [['U1', '+1']],
      expected: 'adopted',
    },
    { name: '3 members: one supporter is not half rounded up', members: 3, steps: [['U1', '+1']], expected: 'open' },
    {
      name: '3 members: two supporters',
      members: 3,
      steps: [
        ['U1', '+1'],
        ['U2', '+1'],
      ],
      expected: 'adopted',
    },
    {
      name: '3 members: 2 for, 1 against is two thirds exactly',
      members: 3,
      steps: [
        ['U3', '-1'],
        ['U1', '+1'],
        ['U2', '+1'],
      ],
      expected: 'adopted',
    },
    {
      name: '4 members: two supporters are half',
      members: 4,
      steps: [
        ['U1', '+1'],
        ['U2', '+1'],
      ],
      expected: 'adopted',
    },
    {
      name: '4 members: 2 for, 1 against is two thirds exactly',
      members: 4,
      steps: [
        ['U3', '-1'],
        ['U1', '+1'],
        ['U2', '+1'],
      ],
      expected: 'adopted',
    },
    {
      name: '4 members: a 2–2 tie is not adopted',
      members: 4,
      steps: [
        ['U3', '-1'],
        ['U4', '-1'],
        ['U1', '+1'],
        ['U2', '+1'],
      ],
      expected: 'open',
    },
    {
      name: '5 members: two supporters are not half rounded up (3)',
      members: 5,
      steps: [
        ['U1', '+1'],
        ['U2', '+1'],
      ],
      expected: 'open',
    },
    {
      name: '5 members: three supporters',
      members: 5,
      steps: [
        ['U1', '+1'],
        ['U2', '+1'],
        ['U3', '+1'],
      ],
      expected: 'adopted',
    },
    {
      name: '6 members: 3 for, 2 against is under two thirds',
      members: 6,
      steps: [
        ['U5', '-1'],
        ['U6', '-1'],
        ['U1', '+1'],
        ['U2', '+1'],
        ['U3', '+1'],
      ],
      expected: 'open',
    },
    {
      name: '6 members: 4 for, 2 against is two thirds exactly',
      members: 6,
      steps: [
        ['U5', '-1'],
        ['U6', '-1'],
        ['U1', '+1'],
        ['U2', '+1'],
        ['U3', '+1'],
        ['U4', '+1'],
      ],
      expected: 'adopted',
    },
    {
      name: '6 members: an objection withdrawn tips 3 for, 2 against into adoption',
      members: 6,
      steps: [
        ['U5', '-1'],
        ['U6', '-1'],
        ['U1', '+1'],
        ['U2', '+1'],
        ['U3', '+1'],
        ['U6', 'remove-1'],
      ],
      expected: 'adopted',
    },
    {
      name: '7 members: three supporters are not half rounded up (4)',
      members: 7,
      steps: [
        ['U1', '+1'],
        ['U2', '+1'],
        ['U3', '+1'],
      ],
      expected: 'open',
    },
  ];

  it.each(cases)('$name → $expected', async ({ members, steps, expected }) => {
    const h = await Harness.start({ members: users(members) });
    try {
      await h.setupCop('U1');
      const { ts } = await proposeNorm(h, 'U1', 'Rule check');
      for (const [user, reaction] of steps) {
        const removed = reaction.startsWith('remove');
        await h.react(user, reaction.replace('remove', ''), ts, { removed });
      }
      expect(await status(h, 'Rule check')).toBe(expected);
      const shown = textOf(currentMessage(h, ts));
      const norms = await h.db.selectFrom('norms').select('title').execute();
      if (expected === 'adopted') {
        expect(shown).toMatch(/adopted/i);
        expect(norms).toEqual([{ title: 'Rule check' }]);
      } else {
        expect(shown).not.toMatch(/\badopted\b(?! as soon)/i);
        expect(norms).toEqual([]);
      }
    } finally {
      await h.stop();
    }
  });
});

describe('SPEC: the voting window and the outcome', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start({ members: users(4), start: '2026-03-02T09:00:00Z' });
    await h.setupCop('U1');
  });
  afterEach(() => h.stop());

  it('a proposal without enough support is declined when the 7-day window ends, not before', async () => {
    const { ts } = await proposeNorm(h, 'U1', 'Weekly demo');
    await h.react('U1', '+1', ts);
    h.clock.advance(7 * DAY - 60_000);
    await h.bot.tick();
    expect(await status(h, 'Weekly demo')).toBe('open');
    h.clock.advance(2 * 60_000);
    await h.bot.tick();
    expect(await status(h, 'Weekly demo')).toBe('declined');
    const message = currentMessage(h, ts);
    expect(textOf(message)).toMatch(/declined/i);
    // No voting buttons remain on a decided proposal, and late votes change nothing.
    expect(JSON.stringify(message.blocks)).not.toMatch(/"text":"Support"/);
    await h.react('U2', '+1', ts);
    expect(await status(h, 'Weekly demo')).toBe('declined');
    expect(await h.db.selectFrom('norms').selectAll().execute()).toHaveLength(0);
  });

  it('adoption shows on the message, in /cop norms and in the App Home; the tally is live', async () => {
    const { ts } = await proposeNorm(h, 'U2', 'Celebrate mistakes', 'Share one mistake a month.');
    await h.react('U1', '+1', ts);
    expect(tally(currentMessage(h, ts))).toEqual({ support: 1, object: 0 });
    await h.react('U3', '+1', ts);
    const message = currentMessage(h, ts);
    expect(tally(message)).toEqual({ support: 2, object: 0 });
    expect(textOf(message)).toMatch(/adopted/i);

    await h.command('U4', 'norms');
    expect(h.lastResponseText()).toMatch(/1\.\s*\*?Celebrate mistakes/);
    const mark = h.fake.calls.length;
    await h.event({ type: 'app_home_opened', user: 'U4', channel: 'DU4', tab: 'home', event_ts: '1.1' });
    const home = callsSince(h, mark).find((c) => c.method === 'views.publish')!;
    expect(textOf({ view: home.params.view } as Json)).toContain('Celebrate mistakes');
  });

  it('an adopted change replaces the norm’s text; an adopted retirement removes it from /cop norms', async () => {
    const first = await proposeNorm(h, 'U1', 'Standup at 9', 'Every day at nine.');
    await h.react('U1', '+1', first.ts);
    await h.react('U2', '+1', first.ts);

    await h.command('U1', 'propose Standup at 10');
    let view = h.lastOpenedView();
    const kindOf = (v: Json, re: RegExp) => {
      for (const block of (v.blocks ?? []) as Json[]) {
        const element = block.element as Json | undefined;
        for (const option of (element?.options ?? []) as Json[]) {
          if (re.test(String((option.text as Json).text)))
            return { actionId: String(element!.action_id), value: String(option.value) };
        }
      }
      throw new Error(`no option ${re}`);
    };
    // As in Slack: choosing the kind redraws the modal (block_actions, views.update) with its fields.
    const choose = async (v: Json, re: RegExp): Promise<Json> => {
      const kind = kindOf(v, re);
      await h.chooseInView('U1', v, kind.actionId, kind.value);
      return h.fake.lastCall('views.update')!.params.view as Json;
    };
    const change = kindOf(view, /change/i);
    view = await choose(view, /change/i);
    const norm = kindOf(view, /Standup at 9/);
    let result = await h.submitView('U1', view, {
      [change.actionId]: change.value,
      [norm.actionId]: norm.value,
      body: 'Every day at ten.',
      rationale: 'Later starts.',
    });
    expect(result.status).toBe(200);
    if (result.body && /errors/.test(result.body)) throw new Error(result.body);
    const changeMsg = h.fake
      .callsOf('chat.postMessage')
      .filter((c) => /Standup at 10/.test(textOf(c.params)))
      .at(-1)!;
    const changeTs = String(
      (changeMsg.params as Json).ts ??
        [...h.fake.messages.values()].filter((m) => /Standup at 10/.test(textOf(m))).at(-1)!.ts,
    );
    await h.react('U1', '+1', changeTs);
    await h.react('U2', '+1', changeTs);
    await h.command('U3', 'norms');
    let shown = h.lastResponseText();
    expect(shown).toContain('Every day at ten.');
    expect(shown).not.toContain('Every day at nine.');

    await h.command('U1', 'propose');
    view = h.lastOpenedView();
    const retire = kindOf(view, /retir/i);
    view = await choose(view, /retir/i);
    const norm2 = kindOf(view, /Standup/);
    result = await h.submitView('U1', view, {
      [retire.actionId]: retire.value,
      [norm2.actionId]: norm2.value,
      title: 'Retire standups',
      body: '',
      rationale: 'We are async now.',
    });
    if (result.body && /errors/.test(result.body)) throw new Error(result.body);
    const retireMsg = [...h.fake.messages.values()].filter((m) => !m.thread_ts && /retire/i.test(textOf(m))).at(-1)!;
    await h.react('U1', '+1', String(retireMsg.ts));
    await h.react('U2', '+1', String(retireMsg.ts));
    await h.command('U3', 'norms');
    shown = h.lastResponseText();
    expect(shown).not.toContain('Every day at ten.');
  });
});

describe('SPEC: the rule is changeable per CoP, by a coordinator only', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start({ members: users(3), others: ['U9'] });
    await h.setupCop('U1');
  });
  afterEach(() => h.stop());

  async function openRuleModal(user: string): Promise<Json> {
    await h.command(user, 'norms');
    const button = findButton(h.responses().at(-1)!.params, /rule/i);
    await h.clickButton(user, button.action_id, button.value);
    return h.lastOpenedView();
  }

  it('a coordinator lowers the bar; new proposals follow it, and say so', async () => {
    const view = await openRuleModal('U1');
    const result = await h.submitView('U1', view, { quorum: '1/3', approval: '1/2', window_days: '3' });
    expect(result.status).toBe(200);
    expect(result.body === '' || !/errors/.test(result.body)).toBe(true);

    const { ts } = await proposeNorm(h, 'U2', 'Lower bar');
    expect(textOf(currentMessage(h, ts))).toMatch(/third/i);
    await h.react('U2', '+1', ts);
    expect(await status(h, 'Lower bar')).toBe('adopted');
  });

  it('a change of rule leaves open proposals under the rule they started with', async () => {
    const { ts } = await proposeNorm(h, 'U2', 'Started under the default');
    const view = await openRuleModal('U1');
    await h.submitView('U1', view, { quorum: '1/3', approval: '1/2', window_days: '3' });
    await h.react('U2', '+1', ts);
    expect(await status(h, 'Started under the default')).toBe('open');
  });

  it('the rule of one CoP does not change another’s', async () => {
    h.fake.setChannelMembers('C0OTHER', ['U1', 'U2', 'U3', BOT_USER_ID]);
    await h.command('U1', 'setup', 'C0OTHER');
    const view = await openRuleModal('U1');
    await h.submitView('U1', view, { quorum: '1/3', approval: '1/2', window_days: '3' });
    await h.command('U2', 'propose Other CoP norm', 'C0OTHER');
    await h.submitView('U2', h.lastOpenedView(), { body: 'x', rationale: 'y' });
    const other = [...h.fake.messages.entries()].find(
      ([k, m]) => k.startsWith('C0OTHER:') && /Other CoP norm/.test(textOf(m)),
    )!;
    await h.react('U2', '+1', String(other[1].ts), { channel: 'C0OTHER' });
    expect(await status(h, 'Other CoP norm')).toBe('open');
  });

  it('a member who is not a coordinator is told so and changes nothing', async () => {
    const before = await h.db.selectFrom('cops').selectAll().executeTakeFirstOrThrow();
    const coordinatorView = await openRuleModal('U1');
    await h.command('U2', 'norms');
    const shownToMember = h.responses().at(-1)!.params;
    // A member is not offered a button that would only refuse them; the click, forged, is refused.
    expect(() => findButton(shownToMember, /rule/i)).toThrow();
    const ruleButton = findButton(
      h.responses().find((r) => /rule/i.test(JSON.stringify(r.params.blocks)))!.params,
      /rule/i,
    );
    await h.clickButton('U2', ruleButton.action_id, ruleButton.value);
    expect(h.lastResponseText()).toMatch(/coordinator/i);
    await h.submitView('U2', coordinatorView, { quorum: '1/3', approval: '1/3', window_days: '1' });
    expect(await h.db.selectFrom('cops').selectAll().executeTakeFirstOrThrow()).toEqual(before);
  });
});
