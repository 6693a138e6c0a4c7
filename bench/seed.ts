import type { Db } from '../src/db/database';

export interface Seeded {
  readonly copId: number;
  readonly proposalId: number;
  readonly channelId: string;
  readonly messageTs: string;
  /** Members who vote, in order; one more member exists who never votes. */
  readonly voters: string[];
  readonly allMembers: string[];
}

export const CHANNEL_ID = 'C0BENCH';
const MESSAGE_TS = '1800000000.000001';

const userId = (i: number) => `UB${String(i).padStart(6, '0')}`;

async function inChunks<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) await insert(rows.slice(i, i + 1000));
}

/**
 * A CoP with `voters` + 1 members and one open proposal posted at MESSAGE_TS. The proposal's
 * rule needs every member's support (quorum 1/1) and one member never votes, so it cannot be
 * decided mid-run: every vote sent must be found in the tally.
 */
export async function seed(db: Db, teamId: string, voters: number): Promise<Seeded> {
  const now = new Date();
  const allMembers = Array.from({ length: voters + 1 }, (_, i) => userId(i));
  const cop = await db
    .insertInto('cops')
    .values({ team_id: teamId, channel_id: CHANNEL_ID, created_by: allMembers[0]!, members_synced_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('coordinators')
    .values({ cop_id: cop.id, user_id: allMembers[0]!, added_by: allMembers[0]! })
    .execute();
  await inChunks(allMembers, (chunk) =>
    db
      .insertInto('slack_users')
      .values(
        chunk.map((id) => ({
          user_id: id,
          team_id: teamId,
          is_bot: false,
          deleted: false,
          tz: 'UTC',
          updated_at: now,
        })),
      )
      .onConflict((oc) => oc.column('user_id').doNothing())
      .execute(),
  );
  await inChunks(allMembers, (chunk) =>
    db
      .insertInto('members')
      .values(chunk.map((id) => ({ cop_id: cop.id, user_id: id })))
      .execute(),
  );
  const proposal = await db
    .insertInto('proposals')
    .values({
      cop_id: cop.id,
      kind: 'new',
      norm_id: null,
      title: 'Cameras on in demos',
      body: 'We keep cameras on while we demo.',
      rationale: 'Demos land better when we see each other.',
      proposed_by: allMembers[0]!,
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

export interface Tally {
  supporters: number;
  objectors: number;
}

export async function tallyOf(db: Db, proposalId: number): Promise<Tally> {
  const rows = await db
    .selectFrom('votes')
    .select(['stance', (eb) => eb.fn.countAll<number>().as('n')])
    .where('proposal_id', '=', proposalId)
    .where('stance', 'is not', null)
    .groupBy('stance')
    .execute();
  const count = (stance: string) => Number(rows.find((r) => r.stance === stance)?.n ?? 0);
  return { supporters: count('support'), objectors: count('object') };
}
