import { reactionVotesOn, seedOpenProposal, type Seeded } from '../support/seed';
import { AppLogger } from '../../src/logger';
import { VoteBatcher, writeVotes, type Vote } from '../../src/features/norms/vote-batches';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database';

describe.each(DATABASE_KINDS)('reaction votes written in batches on %s', (kind) => {
  let database: TestDatabase;
  let s: Seeded;
  const logs: string[] = [];
  const logger = new AppLogger('info', (line) => logs.push(line));
  const now = new Date();
  const vote = reactionVotesOn(() => s, kind);
  const stances = async () =>
    new Map(
      (
        await database.db
          .selectFrom('votes')
          .select(['user_id', 'stance'])
          .where('proposal_id', '=', s.proposalId)
          .execute()
      ).map((r) => [r.user_id, r.stance]),
    );

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    s = await seedOpenProposal(database.db, 'T0TEST', 40);
  }, 60_000);
  afterAll(() => database.destroy());

  it('applies each vote of a batch by the single-vote rules, and says what became of each', async () => {
    const [a, b, c, d] = s.voters;
    const first = vote(a!);
    const batch = [
      first,
      vote(b!, { stance: 'object' }),
      vote(c!, { withdraw: true }), // nothing to withdraw: an empty vote keeps its time
      vote('UOUTSIDER'),
      vote(d!, { on: { channelId: s.channelId, messageTs: '1700000000.000001' } }), // not a proposal
    ];
    const outcomes = await database.db.transaction().execute((trx) => writeVotes(trx, batch, now));
    expect(outcomes.map((o) => (o.kind === 'refused' ? o.reason : o.kind))).toEqual([
      'counted',
      'counted',
      'counted',
      'not-member',
      'ignored',
    ]);
    // A refused vote's event is not claimed: delivered again once its voter is a member, it counts.
    const claims = await database.db.selectFrom('processed_events').select('event_id').execute();
    expect(claims.map((c) => c.event_id)).not.toContain(batch[3]!.eventId);
    expect(outcomes.slice(0, 3).map((o) => o.kind === 'counted' && o.changed)).toEqual([true, true, true]);

    // The same event again counts once; an older action of the same member loses.
    const again = await database.db
      .transaction()
      .execute((trx) =>
        writeVotes(trx, [first, vote(b!, { stance: 'support', actedAt: '2026-03-02T08:00:00.000000Z' })], now),
      );
    expect(again.map((o) => (o.kind === 'refused' ? o.reason : o.kind))).toEqual(['duplicate', 'counted']);
    expect(again[1]!.kind === 'counted' && again[1]!.changed).toBe(false);
    const stored = await stances();
    expect([stored.get(a!), stored.get(b!), stored.get(c!), stored.has('UOUTSIDER')]).toEqual([
      'support',
      'object',
      null,
      false,
    ]);
  });

  it('takes a burst in few transactions, keeping each member’s actions in order and every vote', async () => {
    const voters = s.voters.slice(10, 40);
    const burst: Vote[] = [];
    voters.forEach((user, i) => {
      if (i % 3 === 0) {
        // Reacted then withdrew, delivered together: the withdrawal is later and wins.
        burst.push(vote(user), vote(user, { withdraw: true }));
      } else if (i % 3 === 1) {
        // A newer objection delivered before an older support: the objection stays.
        const newer = vote(user, { stance: 'object' });
        burst.push(newer, vote(user, { actedAt: '2026-03-02T08:00:00.000000Z' }));
      } else {
        burst.push(vote(user), vote(user)); // two events, same stance
      }
    });
    const batcher = new VoteBatcher(database.db, () => now, logger);
    const outcomes = await Promise.all(burst.map((v) => batcher.write(v)));
    expect(outcomes.every((o) => o.kind === 'counted')).toBe(true);
    // A lone first vote, then the rest together, each member's second action in the batch after.
    expect(batcher.batches).toBeLessThanOrEqual(4);
    const stored = await stances();
    voters.forEach((user, i) => {
      expect([user, stored.get(user)]).toEqual([user, i % 3 === 0 ? null : i % 3 === 1 ? 'object' : 'support']);
    });
    expect(logs.filter((l) => l.includes('ERROR'))).toEqual([]);
  });

  it('refuses votes on a closed proposal', async () => {
    await database.db.updateTable('proposals').set({ status: 'declined' }).where('id', '=', s.proposalId).execute();
    const batcher = new VoteBatcher(database.db, () => now, logger);
    const outcome = await batcher.write(vote(s.voters[5]!));
    expect(outcome.kind === 'refused' && outcome.reason).toBe('closed');
    expect((await stances()).has(s.voters[5]!)).toBe(false);
  });
});
