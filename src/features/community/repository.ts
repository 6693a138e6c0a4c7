import type { Kysely, Transaction } from 'kysely';
import type { Cop, Database } from '../../db/schema';

type Conn = Kysely<Database> | Transaction<Database>;

export function findCopByChannel(db: Conn, teamId: string, channelId: string): Promise<Cop | undefined> {
  return db
    .selectFrom('cops')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('channel_id', '=', channelId)
    .executeTakeFirst();
}

export interface RightsQuestion {
  readonly teamId: string;
  readonly channelId: string;
  readonly userId: string;
}

export interface RightsAnswer {
  readonly cop: Cop;
  readonly member: boolean;
  readonly coordinator: boolean;
}

/**
 * For each question, the channel's CoP with the user's rights in it (undefined: not a CoP), all
 * in one round trip of one statement whatever their number: what every `/cop` command needs.
 */
export async function findCopsWithRights(
  db: Conn,
  questions: readonly RightsQuestion[],
): Promise<Array<RightsAnswer | undefined>> {
  const distinct = (pick: (q: RightsQuestion) => string) => [...new Set(questions.map(pick))];
  // Arrays, not lists of values: the statement's text is the same for any number of questions.
  const rows = await db
    .selectFrom('cops')
    .leftJoin('members', (join) =>
      join
        .onRef('members.cop_id', '=', 'cops.id')
        .on((eb) => eb('members.user_id', '=', eb.fn.any(eb.val(distinct((q) => q.userId))))),
    )
    .leftJoin('coordinators', (join) =>
      join.onRef('coordinators.cop_id', '=', 'cops.id').onRef('coordinators.user_id', '=', 'members.user_id'),
    )
    .selectAll('cops')
    .select(['members.user_id as member_id', 'coordinators.user_id as coordinator_id'])
    .where((eb) => eb('cops.team_id', '=', eb.fn.any(eb.val(distinct((q) => q.teamId)))))
    .where((eb) => eb('cops.channel_id', '=', eb.fn.any(eb.val(distinct((q) => q.channelId)))))
    .execute();
  return questions.map(({ teamId, channelId, userId }) => {
    const here = rows.filter((r) => r.team_id === teamId && r.channel_id === channelId);
    if (here.length === 0) return undefined;
    const { member_id: _m, coordinator_id: _c, ...cop } = here[0]!;
    const mine = here.find((r) => r.member_id === userId);
    // A coordinator who left the channel has no rights left, as in isCoordinator.
    return { cop, member: mine !== undefined, coordinator: mine?.coordinator_id != null };
  });
}

export function findCopById(db: Conn, copId: number): Promise<Cop | undefined> {
  return db.selectFrom('cops').selectAll().where('id', '=', copId).executeTakeFirst();
}

/** Every CoP the user is a (cached) member of, oldest first. */
export function findCopsOfMember(db: Conn, userId: string): Promise<Cop[]> {
  return db
    .selectFrom('cops')
    .innerJoin('members', 'members.cop_id', 'cops.id')
    .selectAll('cops')
    .where('members.user_id', '=', userId)
    .orderBy('cops.id')
    .execute();
}

export function listCops(db: Conn): Promise<Cop[]> {
  return db.selectFrom('cops').selectAll().orderBy('id').execute();
}

/** Creates the CoP with its first coordinator; undefined when the channel already is one. */
export async function createCop(
  db: Kysely<Database>,
  input: { teamId: string; channelId: string; createdBy: string },
): Promise<Cop | undefined> {
  return db.transaction().execute(async (trx) => {
    const cop = await trx
      .insertInto('cops')
      .values({ team_id: input.teamId, channel_id: input.channelId, created_by: input.createdBy })
      .onConflict((oc) => oc.columns(['team_id', 'channel_id']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!cop) return undefined;
    await trx
      .insertInto('coordinators')
      .values({ cop_id: cop.id, user_id: input.createdBy, added_by: input.createdBy })
      .execute();
    return cop;
  });
}

/** Removes a CoP and, by cascade, everything of it (used to undo a setup that failed half-way). */
export async function deleteCop(db: Conn, copId: number): Promise<void> {
  await db.deleteFrom('cops').where('id', '=', copId).execute();
}

export async function isMember(db: Conn, copId: number, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('members')
    .select('user_id')
    .where('cop_id', '=', copId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}

// A coordinator is a member with the role: one who left the channel keeps the role on record
// (it comes back if they rejoin) but has no rights, and no CoP content (reports) goes to them.

export async function isCoordinator(db: Conn, copId: number, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('coordinators')
    .innerJoin('members', (join) =>
      join.onRef('members.cop_id', '=', 'coordinators.cop_id').onRef('members.user_id', '=', 'coordinators.user_id'),
    )
    .select('coordinators.user_id')
    .where('coordinators.cop_id', '=', copId)
    .where('coordinators.user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function listCoordinators(db: Conn, copId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('coordinators')
    .innerJoin('members', (join) =>
      join.onRef('members.cop_id', '=', 'coordinators.cop_id').onRef('members.user_id', '=', 'coordinators.user_id'),
    )
    .select('coordinators.user_id')
    .where('coordinators.cop_id', '=', copId)
    .orderBy('coordinators.added_at')
    .execute();
  return rows.map((r) => r.user_id);
}

/** Adds a coordinator; false when they already were one. */
export async function addCoordinator(db: Conn, copId: number, userId: string, addedBy: string): Promise<boolean> {
  const row = await db
    .insertInto('coordinators')
    .values({ cop_id: copId, user_id: userId, added_by: addedBy })
    .onConflict((oc) => oc.columns(['cop_id', 'user_id']).doNothing())
    .returning('user_id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function listMemberIds(db: Conn, copId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('members')
    .select('user_id')
    .where('cop_id', '=', copId)
    .orderBy('user_id')
    .execute();
  return rows.map((r) => r.user_id);
}

/** Adds a member; true when they were not one before. */
export async function addMember(db: Conn, copId: number, userId: string): Promise<boolean> {
  const row = await db
    .insertInto('members')
    .values({ cop_id: copId, user_id: userId })
    .onConflict((oc) => oc.columns(['cop_id', 'user_id']).doNothing())
    .returning('user_id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function removeMember(db: Conn, copId: number, userId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('members')
    .where('cop_id', '=', copId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Makes the cached membership exactly `userIds`, in one transaction. */
export async function replaceMembers(
  db: Kysely<Database>,
  copId: number,
  userIds: string[],
  syncedAt: Date,
): Promise<{ added: number; removed: number; addedIds: string[] }> {
  return db.transaction().execute(async (trx) => {
    let removed = 0;
    const del = trx.deleteFrom('members').where('cop_id', '=', copId);
    const result = await (userIds.length ? del.where('user_id', 'not in', userIds) : del).executeTakeFirst();
    removed = Number(result.numDeletedRows);
    const addedIds: string[] = [];
    for (let i = 0; i < userIds.length; i += 500) {
      const rows = await trx
        .insertInto('members')
        .values(userIds.slice(i, i + 500).map((user_id) => ({ cop_id: copId, user_id })))
        .onConflict((oc) => oc.columns(['cop_id', 'user_id']).doNothing())
        .returning('user_id')
        .execute();
      addedIds.push(...rows.map((r) => r.user_id));
    }
    await trx.updateTable('cops').set({ members_synced_at: syncedAt }).where('id', '=', copId).execute();
    return { added: addedIds.length, removed, addedIds };
  });
}
