import { writeVotes } from '../../src/features/norms/vote-batches';
import { closeProposal, listLaggingMessages, markMessageShown } from '../../src/features/norms/repository';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database';
import { reactionVotesOn, seedOpenProposal, type Seeded } from '../support/seed';

/** What a proposal's message should show, kept in the database (migration 011), on each server. */
describe.each(DATABASE_KINDS)('message versions of proposals on %s', (kind) => {
  let database: TestDatabase;
  let s: Seeded;
  const now = new Date();
  const vote = reactionVotesOn(() => s, kind);
  const versions = async () =>
    database.db
      .selectFrom('proposals')
      .select(['message_version', 'shown_version'])
      .where('id', '=', s.proposalId)
      .executeTakeFirstOrThrow();
  const lagging = () => listLaggingMessages(database.db, new Date(now.getTime() - 86_400_000), 10);

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    s = await seedOpenProposal(database.db, 'T0TEST', 10);
  }, 60_000);
  afterAll(() => database.destroy());

  it('a batch of votes bumps the version once; the message lags until shown at that version', async () => {
    const before = await versions();
    expect(before).toEqual({ message_version: 0, shown_version: 0 });
    expect(await lagging()).toEqual([]);

    await writeVotes(database.db, [vote(s.voters[0]!), vote(s.voters[1]!), vote(s.voters[2]!)], now);
    expect(await versions()).toEqual({ message_version: 1, shown_version: 0 });
    expect(await lagging()).toEqual([s.proposalId]);

    // Shown at an older version (a settle that read before the last vote): still lagging.
    await writeVotes(database.db, [vote(s.voters[0]!, { withdraw: true })], now);
    await markMessageShown(database.db, s.proposalId, 1);
    expect(await versions()).toEqual({ message_version: 2, shown_version: 1 });
    expect(await lagging()).toEqual([s.proposalId]);

    await markMessageShown(database.db, s.proposalId, 2);
    // A late, older settle never moves it back.
    await markMessageShown(database.db, s.proposalId, 1);
    expect(await versions()).toEqual({ message_version: 2, shown_version: 2 });
    expect(await lagging()).toEqual([]);
  });

  it("the message's versions move no other counter: a vote batch bumps /cop norms' version once, a shown message not at all", async () => {
    const overview = async () =>
      (
        await database.db
          .selectFrom('cops')
          .select('overview_version')
          .where('id', '=', s.copId)
          .executeTakeFirstOrThrow()
      ).overview_version;
    const before = await overview();
    await writeVotes(database.db, [vote(s.voters[3]!), vote(s.voters[4]!)], now);
    expect(await overview()).toBe(before + 1);
    const { message_version } = await versions();
    await markMessageShown(database.db, s.proposalId, message_version);
    expect(await overview()).toBe(before + 1);
  });

  it('a decision bumps it; a message decided long ago is history, not lagging', async () => {
    const { message_version: before } = await versions();
    const closed = await closeProposal(database.db, s.proposalId, 'adopted', now, 10);
    expect(closed?.message_version).toBe(before + 1);
    expect(await lagging()).toEqual([s.proposalId]);
    expect(await listLaggingMessages(database.db, new Date(now.getTime() + 1000), 10)).toEqual([]);
  });
});
