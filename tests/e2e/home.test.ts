import { Harness, textOf } from '../support/harness';
import { propose } from '../support/norms';

type Block = Record<string, unknown>;

/** Opens `user`'s Home tab and returns the view the bot published. */
async function openHome(h: Harness, user: string): Promise<{ view: Block; blocks: Block[]; text: string }> {
  const before = h.fake.callsOf('views.publish').length;
  await h.event({ type: 'app_home_opened', user, channel: `D${user}`, tab: 'home', event_ts: '1.1' });
  const call = h.fake.callsOf('views.publish')[before];
  if (!call) throw new Error('the Home was not published');
  expect(call.params.user_id).toBe(user);
  const view = call.params.view as Block;
  return { view, blocks: view.blocks as Block[], text: textOf({ view }) };
}

/** The button with this text, anywhere in the blocks. */
function buttonIn(blocks: Block[], text: RegExp): { action_id: string; value: string } {
  const found = JSON.stringify(blocks).match(
    new RegExp(
      `"text":\\{"type":"plain_text","text":"(${text.source})","emoji":true\\},"action_id":"([^"]+)","value":"([^"]*)"`,
    ),
  );
  if (!found) throw new Error(`no button ${text}`);
  return { action_id: found[2]!, value: found[3]! };
}

describe('the App Home: a dashboard that acts', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start({ members: ['U1', 'U2', 'U3', 'U4'], start: '2026-03-02T09:00:00Z' });
    await h.setupCop('U1');
    await h.waitForMembers(4);
  });
  afterEach(() => h.stop());

  it('a member votes, proposes and sees the next step; coordinators alone get their section', async () => {
    const open = await propose(h, 'U2', { title: 'Agenda a day ahead' });

    const member = await openHome(h, 'U3');
    expect(member.blocks[0]).toMatchObject({ type: 'header' });
    expect(member.text).toContain('Open proposals');
    expect(member.text).toContain('Agenda a day ahead');
    expect(member.text).toContain('Your vote: you have not voted yet');
    expect(member.text).toContain('No meeting scheduled yet. A coordinator can schedule one.');
    expect(member.text).toContain('Recent struggles');
    expect(member.text).not.toContain('For coordinators');
    expect(JSON.stringify(member.blocks)).not.toMatch(/meetings:schedule|norms:rule-open/);
    expect(member.blocks.filter((b) => b.type === 'divider').length).toBeGreaterThan(2);

    // Voting from the Home: the proposal's own action id, counted, and the Home redrawn.
    const support = buttonIn(member.blocks, /Support/);
    expect(support).toEqual({ action_id: 'norms:support', value: String(open.id) });
    await h.clickButton('U3', support.action_id, support.value, { view: { ...member.view, id: 'VHOME' } });
    const vote = await h.db.selectFrom('votes').selectAll().where('user_id', '=', 'U3').executeTakeFirstOrThrow();
    expect(vote.stance).toBe('support');
    expect(textOf({ view: h.fake.lastCall('views.publish')!.params.view })).toContain('Your vote: you support it');

    // Proposing from the Home opens the proposal form for this CoP.
    const proposeButton = buttonIn(member.blocks, /Propose a norm/);
    await h.clickButton('U3', proposeButton.action_id, proposeButton.value, { view: { id: 'VHOME' } });
    expect(h.lastOpenedView('norms:propose')).toBeDefined();

    // A coordinator's Home: the empty meeting state offers to schedule it, and their own section.
    const coordinator = await openHome(h, 'U1');
    expect(coordinator.text).toContain('You are a coordinator here.');
    expect(coordinator.text).toContain('For coordinators');
    expect(coordinator.text).toContain('Voting rule:');
    expect(coordinator.text).toContain('Hide (coordinators)');
    const schedule = buttonIn(coordinator.blocks, /Schedule the meeting/);
    await h.clickButton('U1', schedule.action_id, schedule.value, { view: { id: 'VHOME' } });
    const modal = h.lastOpenedView('meetings:schedule');
    await h.submitView('U1', modal, { weekday: '2', time: '10:00', zone: 'Europe/Amsterdam', lead: '60' });
    const rule = buttonIn(coordinator.blocks, /Change the voting rule/);
    await h.clickButton('U1', rule.action_id, rule.value, { view: { id: 'VHOME' } });
    expect(h.lastOpenedView('norms:rule')).toBeDefined();

    // A forged schedule click from a member's Home opens nothing.
    const opened = h.fake.callsOf('views.open').length;
    await h.clickButton('U3', schedule.action_id, schedule.value, { view: { id: 'VHOME' } });
    expect(h.fake.callsOf('views.open')).toHaveLength(opened);

    // With a meeting: its time as a date token in the member's zone, and RSVP from the Home.
    const withMeeting = await openHome(h, 'U3');
    expect(withMeeting.text).toMatch(
      /<!date\^1772528400\^[^|]+\|Tuesday 3 March, 10:00>\* your time \(Europe\/Amsterdam\)/,
    );
    const coming = buttonIn(withMeeting.blocks, /I’m coming/);
    await h.clickButton('U3', coming.action_id, coming.value, { view: { ...withMeeting.view, id: 'VHOME' } });
    const rsvp = await h.db.selectFrom('meeting_rsvps').selectAll().executeTakeFirstOrThrow();
    expect(rsvp).toMatchObject({ user_id: 'U3', coming: true });
    expect(textOf({ view: h.fake.lastCall('views.publish')!.params.view })).toContain('You said you’re coming.');
    expect((await openHome(h, 'U1')).text).toContain('Change the meeting');
  });
});
