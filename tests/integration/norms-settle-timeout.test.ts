import { sql } from 'kysely';
import { WebClient } from '@slack/web-api';
import { ManualClock } from '../../src/clock';
import { communityPort } from '../../src/features/community/port';
import { ProposalPublisher } from '../../src/features/norms/publisher';
import { NormsService } from '../../src/features/norms/service';
import { AppLogger } from '../../src/logger';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database';
import { FakeSlack } from '../support/fake-slack';
import { seedOpenProposal, type Seeded } from '../support/seed';
import { waitUntil } from '../support/wait';

describe.each(DATABASE_KINDS)('a settle that hangs, on %s', (kind) => {
  let database: TestDatabase;
  let fake: FakeSlack;
  let s: Seeded;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    fake = await new FakeSlack().start();
    s = await seedOpenProposal(database.db, 'T0TEST', 5);
  }, 60_000);
  afterAll(async () => {
    await database.destroy();
    await fake.stop();
  });

  it('fails in time and is tried again, instead of holding every later settle of its proposal', async () => {
    const logs: string[] = [];
    const logger = new AppLogger('info', (line) => logs.push(line));
    const service = new NormsService(database.db, communityPort(database.db), new ManualClock(new Date()), logger);
    const client = new WebClient('xoxb-test', { slackApiUrl: fake.url });
    const publisher = new ProposalPublisher(client, service, logger, 300);

    // A real hang: another session holds a lock the settle's read needs, until the test lets go.
    await database.db.connection().execute(async (conn) => {
      await sql`begin`.execute(conn);
      await sql`lock table proposals in access exclusive mode`.execute(conn);
      const started = Date.now();
      await publisher.afterVote(s.proposalId);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(logs.join('\n')).toContain(`settling proposal ${s.proposalId} took over 300 ms`);
      expect(fake.callsOf('chat.update')).toHaveLength(0);
      await sql`rollback`.execute(conn);
    });
    // Once the database answers, the retry brings the message up to date.
    await waitUntil('the message to be updated', () => fake.callsOf('chat.update').length > 0);
    expect(fake.lastCall('chat.update')!.params.ts).toBe(s.messageTs);
  });
});
