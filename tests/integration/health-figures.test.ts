import { meetingHealthFigures } from '../../src/features/meetings/health';
import { normsHealthFigures } from '../../src/features/norms/health';
import { strugglesHealthFigures } from '../../src/features/struggles/health';
import { createTestDatabase, type TestDatabase } from '../support/database';

// Meetings on Tuesdays at 09:00 UTC. January: three meetings held; February: none (the CoP
// paused); March: two held plus one on a date skipped after its reminders went out.
const HELD: Array<[string, string[]]> = [
  ['2026-01-06T09:00:00Z', ['U1', 'U2', 'U3']],
  ['2026-01-13T09:00:00Z', ['U1', 'U2']],
  ['2026-01-20T09:00:00Z', ['U1', 'U3', 'U4']],
  ['2026-03-03T09:00:00Z', ['U1', 'U2']],
  ['2026-03-10T09:00:00Z', ['U2', 'U4']], // skipped (see skip_dates): no meeting, whatever its rows say
  ['2026-03-17T09:00:00Z', ['U1', 'U4']],
];

describe('health figures from what the database holds', () => {
  let database: TestDatabase;
  let copId: number;
  const months = ['2026-01', '2026-02', '2026-03'];

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const db = database.db;
    copId = (
      await db
        .insertInto('cops')
        .values({ team_id: 'T1', channel_id: 'C1', created_by: 'U1' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    const meeting = await db
      .insertInto('meetings')
      .values({
        cop_id: copId,
        weekday: 2,
        local_time: '09:00',
        time_zone: 'UTC',
        length_minutes: 60,
        location: '',
        lead_minutes: 60,
        skip_dates: '2026-03-10',
        updated_by: 'U1',
        updated_at: new Date('2026-01-01T00:00:00Z'),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const [start, who] of HELD) {
      const startsAt = new Date(start);
      const occurrence = await db
        .insertInto('meeting_occurrences')
        .values({
          meeting_id: meeting.id,
          starts_at: startsAt,
          ends_at: new Date(startsAt.getTime() + 3_600_000),
          reminders_queued_at: new Date(startsAt.getTime() - 3_600_000),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db
        .insertInto('meeting_attendance')
        .values(who.map((user_id) => ({ occurrence_id: occurrence.id, user_id })))
        .execute();
    }
    // An occurrence row made for a future meeting (an RSVP, say) is no meeting held.
    await db
      .insertInto('meeting_occurrences')
      .values({
        meeting_id: meeting.id,
        starts_at: new Date('2026-03-24T09:00:00Z'),
        ends_at: new Date('2026-03-24T10:00:00Z'),
      })
      .execute();
  }, 120_000);
  afterAll(() => database.destroy());

  it('meetings: held, people per meeting, the core group; nothing for a month without a meeting', async () => {
    const figures = await meetingHealthFigures(database.db)(copId, months);
    expect(figures).toEqual([
      { month: '2026-01', metric: 'meetings', value: 3 },
      { month: '2026-01', metric: 'attendance', value: 2.7 },
      // Three meetings held: U1 came to all three; nobody else to three.
      { month: '2026-01', metric: 'coreGroup', value: 1 },
      // The skipped date does not count: March held two; the last four meetings are 17 Mar,
      // 3 Mar, 20 Jan, 13 Jan: U1 at all four, U2 at two, U4 at two.
      { month: '2026-03', metric: 'meetings', value: 2 },
      { month: '2026-03', metric: 'attendance', value: 2 },
      { month: '2026-03', metric: 'coreGroup', value: 1 },
    ]);
    expect(figures.some((f) => f.month === '2026-02')).toBe(false);
  });

  it('no core group while fewer than three meetings were held', async () => {
    const figures = await meetingHealthFigures(database.db)(copId, ['2025-12', '2026-01']);
    expect(figures.filter((f) => f.metric === 'coreGroup')).toEqual([
      { month: '2026-01', metric: 'coreGroup', value: 1 },
    ]);
    const early = await meetingHealthFigures(database.db)(copId, ['2025-12']);
    expect(early).toEqual([]);
  });

  it('decisions: the share of members who voted, by the month each was decided', async () => {
    const proposal = (decidedAt: string, members: number) =>
      database.db
        .insertInto('proposals')
        .values({
          cop_id: copId,
          kind: 'new',
          title: 't',
          body: 'b',
          rationale: 'r',
          proposed_by: 'U1',
          closes_at: new Date(decidedAt),
          status: 'adopted',
          decided_at: new Date(decidedAt),
          members_at_decision: members,
          quorum_num: 1,
          quorum_den: 2,
          approval_num: 2,
          approval_den: 3,
          channel_id: 'C1',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
    const a = await proposal('2026-03-05T00:00:00Z', 4);
    const b = await proposal('2026-03-20T00:00:00Z', 4);
    const vote = (proposalId: number, user: string, stance: 'support' | 'object' | null) =>
      database.db
        .insertInto('votes')
        .values({ proposal_id: proposalId, user_id: user, stance, acted_at: new Date(), updated_at: new Date() })
        .execute();
    await vote(a.id, 'U1', 'support');
    await vote(a.id, 'U2', 'object');
    await vote(a.id, 'U3', null); // withdrawn: not a vote
    await vote(b.id, 'U1', 'support');
    const figures = await normsHealthFigures(database.db)(copId, months);
    // 2 of 4, then 1 of 4: 37.5% on average.
    expect(figures).toEqual([{ month: '2026-03', metric: 'votingShare', value: 38 }]);
  });

  it('struggles: shared, answered, marked helpful; hidden ones do not count', async () => {
    const struggle = async (createdAt: string, hidden = false) =>
      (
        await database.db
          .insertInto('struggles')
          .values({
            cop_id: copId,
            text: 'hard',
            channel_id: 'C1',
            message_ts: `${new Date(createdAt).getTime() / 1000}.000100`,
            created_at: new Date(createdAt),
            hidden_at: hidden ? new Date(createdAt) : null,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    let replies = 0;
    const reply = (struggleId: number, helpful: boolean) =>
      database.db
        .insertInto('struggle_replies')
        .values({
          struggle_id: struggleId,
          kind: 'anonymous',
          user_id: null,
          text: 'try this',
          message_ts: `7.${++replies}`,
          created_at: new Date(),
          marked_helpful: helpful,
        })
        .execute();
    const s1 = await struggle('2026-01-08T00:00:00Z');
    const s2 = await struggle('2026-01-09T00:00:00Z');
    await struggle('2026-01-10T00:00:00Z');
    await struggle('2026-01-11T00:00:00Z', true);
    await reply(s1, true);
    await reply(s1, false);
    await reply(s2, false);
    const figures = await strugglesHealthFigures(database.db)(copId, months);
    expect(figures).toEqual([
      { month: '2026-01', metric: 'strugglesShared', value: 3 },
      { month: '2026-01', metric: 'strugglesAnswered', value: 2 },
      { month: '2026-01', metric: 'strugglesHelpful', value: 1 },
    ]);
  });
});
