import type { Db } from '../../src/db/database';
import type { Vote } from '../../src/features/norms/vote-batches';

/** What `seedOpenProposal` made: a CoP, its members, and one open proposal already posted. */
export interface Seeded {
  readonly copId: number;
  readonly proposalId: number;
  readonly channelId: string;
  readonly messageTs: string;
  /** Members who vote, in order; one more member exists who never votes. */
  readonly voters: string[];
  readonly allMembers: string[];
}

const CHANNEL_ID = 'C0SEED';
const MESSAGE_TS = '1800000000.000001';

/**
 * Straight into the database, for tests of storage below the Slack surface: a CoP with
 * `voters` + 1 members and one open proposal whose rule needs every member's support (so no
 * vote decides it). The end-to-end tests make theirs through the app instead.
 */
export async function seedOpenProposal(db: Db, teamId: string, voters: number): Promise<Seeded> {
  const now = new Date();
  const allMembers = Array.from({ length: voters + 1 }, (_, i) => `US${String(i).padStart(6, '0')}`);
  const creator = allMembers[0]!;
  const cop = await db
    .insertInto('cops')
    .values({ team_id: teamId, channel_id: CHANNEL_ID, created_by: creator, members_synced_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('coordinators').values({ cop_id: cop.id, user_id: creator, added_by: creator }).execute();
  await db
    .insertInto('slack_users')
    .values(
      allMembers.map((id) => ({
        user_id: id,
        team_id: teamId,
        is_bot: false,
        deleted: false,
        tz: 'UTC',
        updated_at: now,
      })),
    )
    .onConflict((oc) => oc.column('user_id').doNothing())
    .execute();
  await db
    .insertInto('members')
    .values(allMembers.map((id) => ({ cop_id: cop.id, user_id: id })))
    .execute();
  const proposal = await db
    .insertInto('proposals')
    .values({
      cop_id: cop.id,
      kind: 'new',
      norm_id: null,
      title: 'Cameras on in demos',
      body: 'We keep cameras on while we demo.',
      rationale: 'Demos land better when we see each other.',
      proposed_by: creator,
      closes_at: new Date(now.getTime() + 7 * 24 * 3600_000),
      quorum_num: 1,
      quorum_den: 1,
      approval_num: 2,
      approval_den: 3,
      channel_id: CHANNEL_ID,
      message_ts: MESSAGE_TS,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return {
    copId: cop.id,
    proposalId: proposal.id,
    channelId: CHANNEL_ID,
    messageTs: MESSAGE_TS,
    voters: allMembers.slice(1),
    allMembers,
  };
}

/**
 * Makes reaction votes on the seeded proposal (`seeded` is read at each call, so it may be set in
 * beforeAll): each with its own event id (`Ev<tag><n>`) and a later action time than the last.
 */
export function reactionVotesOn(seeded: () => Seeded, tag: string): (userId: string, extra?: Partial<Vote>) => Vote {
  let events = 0;
  return (userId, extra = {}) => {
    events += 1;
    return {
      eventId: `Ev${tag}${events}`,
      on: { channelId: seeded().channelId, messageTs: seeded().messageTs },
      userId,
      stance: 'support',
      withdraw: false,
      reason: null,
      actedAt: `2026-03-02T09:00:00.${String(events).padStart(6, '0')}Z`,
      ...extra,
    };
  };
}
