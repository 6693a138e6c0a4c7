import type { KnownBlock, ModalView } from '@slack/types';
import type { Cop, Meeting, Norm, Proposal } from '../../src/db/schema';
import { homeView } from '../../src/features/home/views';
import * as meetingViews from '../../src/features/meetings/views';
import { scheduleModal, attendanceModal } from '../../src/features/meetings/modals';
import { zoneChoices } from '../../src/features/meetings/zone-choices';
import { objectionModal, proposeModal, ruleModal } from '../../src/features/norms/modals';
import { homeBlocks, homeCoordinatorBlocks, normsReply, nudgeDm, welcomeDm } from '../../src/features/norms/overview';
import type { NumberedNorm, ProposalSnapshot } from '../../src/features/norms/service';
import { announcementParams, proposalMessage, voteReceipt } from '../../src/features/norms/views';
import { reportDm, reportModal } from '../../src/features/struggles/moderation-views';
import { homeModerationBlocks, homeSection, searchResults } from '../../src/features/struggles/search-views';
import type { StruggleRow } from '../../src/features/struggles/tables';
import { authorDm, struggleModal, strugglePost } from '../../src/features/struggles/views';
import { LIMITS } from '../../src/slack/blocks';

// ---- Fixtures --------------------------------------------------------------------------------

const AT = new Date('2026-12-04T23:17:00Z'); // a Friday in UTC, a Saturday in Berlin

const cop: Cop = {
  id: 1,
  team_id: 'T1',
  channel_id: 'C1',
  created_by: 'U1',
  created_at: AT,
  quorum_num: 1,
  quorum_den: 2,
  approval_num: 2,
  approval_den: 3,
  window_hours: 168,
  members_synced_at: null,
  review_months: 6,
  overview_version: 0,
};

const norm = (id: number, title = `Norm ${id}`): Norm => ({
  id,
  cop_id: 1,
  title,
  body: `We keep norm ${id} in mind. `.repeat(8),
  status: 'adopted',
  adopted_at: AT,
  retired_at: null,
  created_by_proposal_id: id,
  reviewed_at: null,
  reaffirmed_at: null,
  reaffirmed_supporters: null,
  reaffirmed_members: null,
  review_lapsed_at: null,
});
const numbered = (count: number): NumberedNorm[] =>
  Array.from({ length: count }, (_, i) => ({ number: i + 1, norm: norm(i + 1) }));

function proposal(id: number, over: Partial<Proposal> = {}): Proposal {
  return {
    id,
    cop_id: 1,
    kind: 'new',
    norm_id: null,
    title: `Proposal ${id} ${'x'.repeat(100)}`,
    body: 'A text. '.repeat(200),
    rationale: 'Because. '.repeat(100),
    proposed_by: 'U2',
    created_at: AT,
    closes_at: new Date(AT.getTime() + (7 + id) * 86_400_000),
    status: 'open',
    decided_at: null,
    members_at_decision: null,
    quorum_num: 1,
    quorum_den: 2,
    approval_num: 2,
    approval_den: 3,
    channel_id: 'C1',
    message_ts: `1700000000.${String(id).padStart(6, '0')}`,
    nudged_at: null,
    members_at_open: null,
    lapse_notified_at: null,
    message_version: 0,
    shown_version: 0,
    outcome_claimed_at: null,
    ...over,
  };
}
const snapshot = (p: Proposal): ProposalSnapshot => ({
  proposal: p,
  tally: { supporters: 2, objectors: 1, participants: 3 },
  members: 5,
});

const meeting: Meeting = {
  id: 1,
  cop_id: 1,
  weekday: 5,
  local_time: '23:17',
  time_zone: 'Europe/Dublin',
  length_minutes: 60,
  location: 'Room 1',
  lead_minutes: 60,
  skip_dates: '2026-12-25',
  updated_by: 'U1',
  updated_at: AT,
};
const occasion = { occurrenceId: 7, startsAt: AT, meeting };

const struggle: StruggleRow = {
  id: 3,
  cop_id: 1,
  text: 'Flaky tests at 10:30 every day',
  tags: 'testing',
  tried: 'Retries',
  channel_id: 'C1',
  message_ts: '1.1',
  permalink: 'https://example.slack.com/archives/C1/p11',
  created_at: AT,
  resolved_at: null,
  hidden_at: null,
};

// ---- Helpers ---------------------------------------------------------------------------------

/** Every text a person reads in a view or message (labels, hints, options, buttons, mrkdwn). */
function texts(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => texts(n, out));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'text' && typeof value === 'string') out.push(value);
      else if (key === 'private_metadata' || key === 'action_id' || key === 'block_id' || key === 'value') continue;
      else texts(value, out);
    }
  }
  return out;
}

/** Text with Slack date tokens taken out: what is left is read as written. */
const outsideDateTokens = (text: string): string => text.replace(/<!date\^\d+\^[^|>]*\|[^>]*>/g, '');

/** Every surface the bot shows, built for the fixtures above. */
function everySurface(): Array<[string, unknown]> {
  const open = snapshot(proposal(1));
  const adopted = snapshot(proposal(2, { status: 'adopted', decided_at: AT }));
  const declined = snapshot(proposal(3, { status: 'declined', decided_at: new Date(AT.getTime() + 9 * 86_400_000) }));
  const viewData: meetingViews.MeetingViewData = {
    meeting,
    occasion,
    inProgress: false,
    viewerZone: 'Europe/Berlin',
    agenda: [{ title: 'Proposals awaiting your vote', lines: ['• A proposal'] }],
    rsvps: [{ user_id: 'U2', coming: true }],
    viewerId: 'U2',
    isCoordinator: true,
    streak: 2,
    last: { copId: 1, startsAt: AT, recorded: false },
    copId: 1,
  };
  return [
    ['proposal (open)', proposalMessage(open)],
    ['proposal (adopted)', proposalMessage(adopted)],
    ['proposal (declined)', proposalMessage(declined)],
    ['announcement', announcementParams(adopted)],
    ['vote receipt', { text: voteReceipt('support', open.proposal) }],
    ['propose modal (new)', proposeModal(1, numbered(3), 'A title')],
    ['propose modal (change)', proposeModal(1, numbered(3), { kind: 'change' })],
    ['propose modal (retire)', proposeModal(1, numbered(3), { kind: 'retire' })],
    ['objection modal', objectionModal(1, 'A title', { fromHome: false, clickedAt: '1.1' })],
    ['rule modal', ruleModal(cop)],
    ['/cop norms', normsReply(cop, numbered(5), [open], true)],
    ['welcome', welcomeDm(cop, numbered(5))],
    ['nudge', nudgeDm(open.proposal)],
    ['reminder DM', meetingViews.reminderDm({ occasion, channelId: 'C1', zone: 'Europe/Berlin', agenda: [] })],
    ['meeting announcement', { text: meetingViews.announcementText(AT, meeting, 3) }],
    ['meeting scheduled', { text: meetingViews.scheduledText(meeting, 'U1', AT) }],
    ['/cop meeting', meetingViews.meetingMessage(viewData)],
    ['schedule modal', scheduleModal(1, meeting, 'Europe/Berlin')],
    ['attendance modal', attendanceModal(7, meetingViews.whenForAll(AT, meeting), [])],
    ['struggle modal', struggleModal(1)],
    ['struggle post', strugglePost(struggle)],
    ['author DM', authorDm(struggle, 'token')],
    ['report modal', reportModal('post', 3)],
    [
      'report DM',
      reportDm({ reporterId: 'U2', target: { target: 'post', id: 3 }, permalink: null, channelId: 'C1', reason: '' }),
    ],
    ['search results', searchResults('"flaky tests"', [], [])],
    [
      'home',
      homeView([
        {
          channelId: 'C1',
          coordinator: true,
          parts: [
            homeBlocks(1, numbered(3), [open], new Map()),
            meetingViews.homeBlocks({
              copId: 1,
              occasion,
              scheduled: true,
              viewerZone: 'Europe/Berlin',
              coming: undefined,
              streak: 0,
              coordinator: true,
            }),
            homeSection(1, []),
          ],
          coordinatorBlocks: [
            ...homeCoordinatorBlocks(cop),
            ...meetingViews.homeCoordinatorBlocks(1, meeting),
            ...homeModerationBlocks(),
          ],
        },
      ]),
    ],
  ];
}

// ---- The outcome at a glance -----------------------------------------------------------------

describe('a proposal’s message', () => {
  const blocksOf = (m: { blocks: KnownBlock[] }) => m.blocks as unknown as Array<Record<string, unknown>>;

  it.each([
    ['adopted', 'Adopted'],
    ['declined', 'Declined'],
  ] as const)('once %s, starts with its status: header, fallback text and first line', (status, word) => {
    const message = proposalMessage(snapshot(proposal(4, { title: 'Cameras optional', status, decided_at: AT })));
    expect(message.text).toMatch(new RegExp(`^${word}: Cameras optional`));
    expect(blocksOf(message)[0]).toMatchObject({ type: 'header', text: { text: `${word}: Cameras optional` } });
    expect(JSON.stringify(blocksOf(message)[1])).toContain(`*${word}*`);
    // What no longer matters is gone: the vote buttons, the rule, how to vote by reaction.
    expect(blocksOf(message).some((b) => b.type === 'actions')).toBe(false);
    expect(texts(message).join('\n')).not.toMatch(/Voting closes|Adopted as soon as|react to this message/);
  });

  it('while open, starts “Proposal:” and offers the vote buttons and the rule', () => {
    const message = proposalMessage(snapshot(proposal(5, { title: 'Cameras optional' })));
    expect(message.text).toMatch(/^Proposal: Cameras optional/);
    expect(blocksOf(message).some((b) => b.type === 'actions')).toBe(true);
    expect(texts(message).join('\n')).toContain('Voting closes');
  });

  it('announces its outcome to the channel, not only the thread', () => {
    expect(announcementParams(snapshot(proposal(6, { status: 'adopted', decided_at: AT })))).toMatchObject({
      reply_broadcast: true,
      text: expect.stringContaining('is adopted'),
    });
  });

  it('a vote that closed the voting says so, rather than offering to change it', () => {
    const receipt = voteReceipt('support', proposal(7, { title: 'X', status: 'adopted', decided_at: AT }));
    expect(receipt).toContain('voting has now closed');
    expect(receipt).not.toContain('change it');
  });
});

// ---- A form that fits the choice --------------------------------------------------------------

describe('the proposal form', () => {
  type Input = { type: string; block_id: string; optional?: boolean; dispatch_action?: boolean };
  const inputs = (view: ModalView) => (view.blocks as unknown as Input[]).filter((b) => b.type === 'input');

  it.each([
    ['new', ['kind', 'title', 'body', 'rationale']],
    ['change', ['kind', 'norm', 'title', 'body', 'rationale']],
    ['retire', ['kind', 'norm', 'rationale']],
  ] as const)('for %s shows only its fields, each required', (kind, fields) => {
    const view = proposeModal(1, numbered(3), { kind });
    expect(inputs(view).map((b) => b.block_id)).toEqual(fields);
    expect(inputs(view).every((b) => !b.optional)).toBe(true);
    expect(inputs(view)[0]!.dispatch_action).toBe(true);
  });

  it('keeps what was typed across choices, and offers only a new norm while none is adopted', () => {
    const view = proposeModal(1, numbered(2), { kind: 'change', normId: 2, title: 'T', body: 'B', rationale: 'R' });
    expect(JSON.stringify(view)).toContain('"initial_option":{"text":{"type":"plain_text","text":"2. Norm 2"');
    expect(JSON.stringify(view)).toContain('"initial_value":"R"');
    const none = proposeModal(1, [], { kind: 'retire' });
    expect(inputs(none).map((b) => b.block_id)).toEqual(['kind', 'title', 'body', 'rationale']);
  });
});

// ---- One way to show time; words that help ----------------------------------------------------

describe('every surface', () => {
  const surfaces = everySurface();

  it.each(surfaces)('%s shows no raw UTC time: times are date tokens or the reader’s own zone', (_name, surface) => {
    for (const text of texts(surface)) {
      const plain = outsideDateTokens(text);
      expect({ text, utc: /\bUTC\b/.test(plain) }).toEqual({ text, utc: false });
      // A clock time outside a date token is only allowed in what the member typed (the struggle's text).
      const clock = plain.replace('Flaky tests at 10:30 every day', '');
      expect({ text, clock: /\b\d{1,2}:\d{2}\b/.test(clock) }).toEqual({ text, clock: false });
    }
  });

  it.each(surfaces)('%s has no “(optional)” in a label and no README', (_name, surface) => {
    const all = texts(surface).join('\n');
    expect(all).not.toMatch(/\(optional\)/i);
    expect(all).not.toMatch(/README/);
  });

  it('the date token shows a Berlin Saturday as Saturday to Berlin readers: a token, not text', () => {
    const text = meetingViews.announcementText(AT, meeting, 3);
    expect(text).toContain('<!date^1796426220^{date_long_pretty} at {time}|Friday 4 December, 23:17 Europe/Dublin>');
    expect(outsideDateTokens(text)).not.toMatch(/Friday/);
  });

  it('the welcome names both ways to vote', () => {
    const all = texts(welcomeDm(cop, numbered(1))).join('\n');
    expect(all).toContain(':+1:');
    expect(all).toMatch(/Support\*? and \*?Object\*? buttons/);
  });

  it('search results put no stray quote marks around the words or before an excerpt', () => {
    const shown = searchResults(
      '"flaky tests"',
      [
        {
          id: 1,
          text: 'Our tests are flaky',
          tags: '',
          channelId: 'C1',
          messageTs: '1.1',
          permalink: null,
          resolved: false,
          rank: 1,
        },
      ],
      [],
    );
    const all = texts(shown).join('\n');
    expect(all).toContain('“flaky tests”');
    expect(all).not.toContain('"');
    // A block quote only at the start of a line, where Slack renders it as one (not after an emoji).
    expect(all).not.toMatch(/:\w+: >/);
    expect(all).toContain('\n>Our tests are flaky');
  });

  it('the struggle post offers members only what they may do: no Hide in its menu', () => {
    expect(JSON.stringify(strugglePost(struggle))).not.toMatch(/hide/i);
    expect(
      JSON.stringify(
        reportDm({ reporterId: 'U2', target: { target: 'post', id: 3 }, permalink: null, channelId: 'C1', reason: '' }),
      ),
    ).toContain('struggles:hide_now');
  });

  it('the author’s DM says what each button does and why to keep it', () => {
    const all = texts(authorDm(struggle, 'token')).join('\n');
    expect(all).toContain('*Follow up anonymously* posts a reply in its thread');
    expect(all).toContain('*Mark resolved*');
    expect(all).toContain('Keep this message');
  });
});

// ---- Block Kit limits --------------------------------------------------------------------------

describe('Block Kit limits for a CoP with 50 norms and 20 open proposals', () => {
  const norms = numbered(50);
  const open = Array.from({ length: 20 }, (_, i) => snapshot(proposal(i + 1)));

  function withinLimits(blocks: KnownBlock[], maxBlocks: number): void {
    expect(blocks.length).toBeLessThanOrEqual(maxBlocks);
    for (const block of blocks as unknown as Array<Record<string, unknown>>) {
      const text = (block.text as { text?: string } | undefined)?.text ?? '';
      if (block.type === 'header') expect(text.length).toBeLessThanOrEqual(LIMITS.headerText);
      if (block.type === 'section') expect(text.length).toBeLessThanOrEqual(LIMITS.sectionText);
      if (block.type === 'context') {
        for (const e of block.elements as Array<{ text: string }>) expect(e.text.length).toBeLessThanOrEqual(2000);
      }
    }
  }

  it('the Home (two such CoPs) stays within 100 blocks and says what it left out', () => {
    const part = homeBlocks(1, norms, open, new Map());
    const home = homeView(
      [1, 2].map((id) => ({
        channelId: `C${id}`,
        coordinator: true,
        parts: [
          part,
          homeSection(id, []),
          meetingViews.homeBlocks({
            copId: id,
            occasion,
            scheduled: true,
            viewerZone: 'Europe/Berlin',
            coming: true,
            streak: 1,
            coordinator: true,
          }),
        ],
        coordinatorBlocks: [...homeCoordinatorBlocks(cop), ...homeModerationBlocks()],
      })),
    );
    withinLimits(home.blocks as KnownBlock[], LIMITS.blocksPerView);
    const all = texts(home).join('\n');
    expect(all).toContain('…and 12 more open proposals');
    expect(all).toMatch(/…and \d+ more norms/);
    // One CoP's norms part alone stays small enough for others to fit beside it.
    expect(part.length).toBeLessThanOrEqual(25);
  });

  it('/cop norms and the welcome stay within a message’s 50 blocks', () => {
    withinLimits(normsReply(cop, norms, open, true).blocks, LIMITS.blocksPerMessage);
    withinLimits(welcomeDm(cop, norms).blocks, LIMITS.blocksPerMessage);
  });

  it('each proposal message stays within the limits, open or decided', () => {
    for (const p of [proposal(1), proposal(2, { status: 'adopted', decided_at: AT })]) {
      withinLimits(proposalMessage(snapshot(p)).blocks, LIMITS.blocksPerMessage);
    }
  });
});

describe('the zone list', () => {
  it('offers the coordinator’s own zone first, then matches as they type, at most 100', () => {
    expect(zoneChoices('', ['Asia/Kolkata'])[0]).toBe('Asia/Kolkata');
    expect(zoneChoices('', ['Asia/Kolkata'])).toHaveLength(100);
    expect(zoneChoices('new york', [])).toEqual(['America/New_York']);
    expect(zoneChoices('KOLK', ['Europe/Berlin'])).toEqual(['Asia/Kolkata']);
    expect(zoneChoices('berlin', ['Not/AZone', null, undefined])).toEqual(['Europe/Berlin']);
    expect(zoneChoices('zzzz', [])).toEqual([]);
  });
});
