import {
  DEFAULT_RULE,
  decide,
  judgeVote,
  isAdopted,
  quorumSupporters,
  ruleInWords,
  stanceOfReaction,
  supportersNeeded,
  tally,
  type VoteRule,
} from '../../src/features/norms/rules';
import { slackTimeToIso } from '../../src/features/norms/votes';

const t = (supporters: number, objectors: number) => ({
  supporters,
  objectors,
  participants: supporters + objectors,
});

describe('the vote rule (SPEC default: half the members, rounded up, and two thirds of the votes cast)', () => {
  it.each([
    [0, 0],
    [1, 1],
    [2, 1],
    [3, 2],
    [4, 2],
    [5, 3],
    [10, 5],
    [11, 6],
  ])('with %i members the quorum is %i supporters', (members, expected) => {
    expect(quorumSupporters(members, DEFAULT_RULE)).toBe(expected);
  });

  it('adopts at the quorum when two thirds of the votes cast support', () => {
    expect(isAdopted(t(5, 0), 10, DEFAULT_RULE)).toBe(true);
    expect(isAdopted(t(4, 0), 10, DEFAULT_RULE)).toBe(false);
  });

  it('treats two thirds exactly: 2 of 3 passes, 5 of 8 does not', () => {
    expect(isAdopted(t(2, 1), 4, DEFAULT_RULE)).toBe(true);
    expect(isAdopted(t(4, 2), 8, DEFAULT_RULE)).toBe(true);
    expect(isAdopted(t(5, 3), 8, DEFAULT_RULE)).toBe(false);
    expect(isAdopted(t(6, 3), 9, DEFAULT_RULE)).toBe(true);
  });

  it('needs at least one supporter, even with no members counted', () => {
    expect(isAdopted(t(0, 0), 0, DEFAULT_RULE)).toBe(false);
    expect(isAdopted(t(1, 0), 1, DEFAULT_RULE)).toBe(true);
  });

  it('a one-member CoP adopts on its only member’s support', () => {
    expect(isAdopted(t(1, 0), 1, DEFAULT_RULE)).toBe(true);
    expect(isAdopted(t(0, 1), 1, DEFAULT_RULE)).toBe(false);
  });

  it('declines only once the window has ended without the rule met', () => {
    const closes = new Date('2026-03-09T09:00:00Z');
    const before = new Date('2026-03-09T08:59:59Z');
    expect(decide(t(1, 0), 10, DEFAULT_RULE, before, closes)).toBe('open');
    expect(decide(t(1, 0), 10, DEFAULT_RULE, closes, closes)).toBe('declined');
    expect(decide(t(5, 0), 10, DEFAULT_RULE, closes, closes)).toBe('adopted');
    expect(decide(t(5, 0), 10, DEFAULT_RULE, before, closes)).toBe('adopted');
  });

  it('counts supporters still needed for the quorum and for the share of votes', () => {
    expect(supportersNeeded(t(0, 0), 10, DEFAULT_RULE)).toBe(5);
    expect(supportersNeeded(t(3, 0), 10, DEFAULT_RULE)).toBe(2);
    // 5 supporters, 4 objectors: 5/9 < 2/3; 8 supporters make 8/12 = 2/3.
    expect(supportersNeeded(t(5, 4), 10, DEFAULT_RULE)).toBe(3);
    expect(supportersNeeded(t(0, 0), 0, DEFAULT_RULE)).toBe(1);
    expect(supportersNeeded(t(5, 0), 10, DEFAULT_RULE)).toBe(0);
  });

  it('a unanimous rule cannot pass while anyone objects', () => {
    const all: VoteRule = { quorumNum: 1, quorumDen: 1, approvalNum: 1, approvalDen: 1 };
    expect(isAdopted(t(3, 0), 3, all)).toBe(true);
    expect(isAdopted(t(3, 1), 4, all)).toBe(false);
    expect(supportersNeeded(t(3, 1), 4, all)).toBeNull();
    expect(ruleInWords(all)).toBe('Adopted as soon as every member supports it and nobody objects.');
  });

  it('says the default rule in words', () => {
    expect(ruleInWords(DEFAULT_RULE)).toBe(
      'Adopted as soon as supporters are at least half of the members (rounded up) and they are at least two thirds of the votes cast.',
    );
  });

  it('tallies stances, ignoring withdrawn ones', () => {
    expect(tally(['support', 'object', null, 'support'])).toEqual({ supporters: 2, objectors: 1, participants: 3 });
  });
});

describe('reactions as votes', () => {
  it.each([
    ['+1', 'support'],
    ['thumbsup', 'support'],
    ['+1::skin-tone-2', 'support'],
    ['+1::skin-tone-3', 'support'],
    ['thumbsup::skin-tone-6', 'support'],
    ['-1', 'object'],
    ['thumbsdown', 'object'],
    ['-1::skin-tone-4', 'object'],
    ['thumbsdown::skin-tone-5', 'object'],
  ])('%s is %s', (reaction, stance) => {
    expect(stanceOfReaction(reaction)).toBe(stance);
  });

  it.each(['heart', 'tada', '+1::skin-tone-7', 'thumbsup_all', '+10', 'skin-tone-3', ''])(
    '%s is no vote',
    (reaction) => {
      expect(stanceOfReaction(reaction)).toBeUndefined();
    },
  );
});

describe('Slack timestamps', () => {
  it('keep their microseconds so votes order exactly', () => {
    expect(slackTimeToIso('1360782804.083113')).toBe('2013-02-13T19:13:24.083113Z');
    expect(slackTimeToIso('1700000000.1')).toBe('2023-11-14T22:13:20.100000Z');
    expect(slackTimeToIso('1700000000')).toBe('2023-11-14T22:13:20.000000Z');
  });
});

describe('judgeVote: the one decision for every vote', () => {
  const now = new Date('2026-03-02T09:00:00Z');
  const open = { status: 'open' as const, closes_at: new Date('2026-03-09T09:00:00Z') };
  const facts = (over: Partial<Parameters<typeof judgeVote>[0]> = {}) => ({
    decision: open,
    now,
    member: true,
    firstDelivery: true,
    ...over,
  });

  it('counts a member’s first delivery while voting is open', () => {
    expect(judgeVote(facts())).toEqual({ kind: 'counted' });
  });

  it('refuses once the window has ended, at its very end too, and once decided', () => {
    expect(judgeVote(facts({ now: open.closes_at }))).toEqual({ kind: 'refused', reason: 'closed' });
    expect(judgeVote(facts({ now: new Date(open.closes_at.getTime() - 1) }))).toEqual({ kind: 'counted' });
    for (const status of ['adopted', 'declined'] as const) {
      expect(judgeVote(facts({ decision: { ...open, status } }))).toEqual({ kind: 'refused', reason: 'closed' });
    }
  });

  it('refuses non-members, and a delivery already counted', () => {
    expect(judgeVote(facts({ member: false }))).toEqual({ kind: 'refused', reason: 'not-member' });
    expect(judgeVote(facts({ firstDelivery: false }))).toEqual({ kind: 'refused', reason: 'duplicate' });
  });

  it('says closed before anything else, then not a member, then duplicate', () => {
    const closed = { ...open, status: 'declined' as const };
    expect(judgeVote(facts({ decision: closed, member: false, firstDelivery: false }))).toEqual({
      kind: 'refused',
      reason: 'closed',
    });
    expect(judgeVote(facts({ member: false, firstDelivery: false }))).toEqual({
      kind: 'refused',
      reason: 'not-member',
    });
  });
});
