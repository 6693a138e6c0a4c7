import { slashCommand } from '../support/slack-requests';
import pg from 'pg';
import { createApp, type CopBot } from '../../src/app';
import { ManualClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { AppLogger } from '../../src/logger';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { BOT_USER_ID, FakeSlack, TEAM_ID } from '../support/fake-slack';
import { FakeSocketMode } from '../support/fake-socket-mode';
import { freePort, HOME_CHANNEL } from '../support/harness';

/** Issue 10: in Socket Mode, a reaction vote's envelope is acknowledged once the vote is written. */
describe('Socket Mode: a reaction vote is acked after its write', () => {
  let fake: FakeSlack;
  let socket: FakeSocketMode;
  let database: TestDatabase;
  let bot: CopBot;

  beforeAll(async () => {
    fake = await new FakeSlack().start();
    for (const id of ['U1', 'U2', 'U3']) fake.addUser({ id, tz: 'Europe/Amsterdam' });
    fake.addUser({ id: BOT_USER_ID, is_bot: true });
    fake.setChannelMembers(HOME_CHANNEL, ['U1', 'U2', 'U3', BOT_USER_ID]);
    socket = await new FakeSocketMode().start(fake);
    database = await createTestDatabase('postgres');
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_APP_TOKEN: 'xapp-1-A0COP-1-socketmodetoken',
      SLACK_API_URL: fake.url,
      PORT: String(await freePort()),
    });
    bot = createApp({
      config,
      database,
      clock: new ManualClock('2026-03-02T09:00:00Z'),
      logger: new AppLogger('warn', () => undefined),
    });
    await bot.start();
  });
  afterAll(async () => {
    await bot.stop();
    await socket.stop();
    await database.destroy();
    await fake.stop();
  });

  const reaction = (user: string, name: string, ts: string, eventId: string) =>
    socket.send('events_api', {
      token: 'verification-token',
      team_id: TEAM_ID,
      api_app_id: 'A0COP',
      event: {
        type: 'reaction_added',
        user,
        item: { type: 'message', channel: HOME_CHANNEL, ts },
        reaction: name,
        item_user: BOT_USER_ID,
        event_ts: '1772442000.000200',
      },
      type: 'event_callback',
      event_id: eventId,
      event_time: 1772442000,
      authorizations: [{ enterprise_id: null, team_id: TEAM_ID, user_id: BOT_USER_ID, is_bot: true }],
    });

  it('holds the ack while the vote cannot be written yet, and sends it once it is', async () => {
    const setup = socket.send(
      'slash_commands',
      slashCommand({
        teamId: TEAM_ID,
        channel: HOME_CHANNEL,
        user: 'U1',
        text: 'setup',
        responseUrl: fake.responseUrl(),
        triggerId: 'trigger.setup',
      }),
    );
    await socket.ackOf(setup);
    await fake.waitFor('chat.postMessage', (c) => c.params.channel === HOME_CHANNEL);
    const cop = await database.db.selectFrom('cops').selectAll().executeTakeFirstOrThrow();
    const ts = '1772441000.000100';
    await database.db
      .insertInto('proposals')
      .values({
        cop_id: cop.id,
        kind: 'new',
        norm_id: null,
        title: 'Write it down',
        body: 'Decisions go in the channel.',
        rationale: '',
        proposed_by: 'U1',
        created_at: new Date('2026-03-02T08:00:00Z'),
        closes_at: new Date('2026-03-09T08:00:00Z'),
        quorum_num: 1,
        quorum_den: 1,
        approval_num: 2,
        approval_den: 3,
        channel_id: HOME_CHANNEL,
        message_ts: ts,
      })
      .execute();
    await fake.waitFor('conversations.members'); // setup's member sync, done after its ack

    // Another session holds the votes table: the vote's write waits for it.
    const blocker = new pg.Client({ connectionString: database.url });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query('lock table votes in exclusive mode');
      const vote = reaction('U2', '+1', ts, 'EvSockVote');
      // A reaction that is not a vote writes nothing and is acked at once: by then the vote's
      // envelope, sent first, has been read too, and must still be waiting for its write.
      await socket.ackOf(reaction('U3', 'eyes', ts, 'EvSockEyes'));
      expect(socket.acks.some((a) => a.envelope_id === vote)).toBe(false);
      await blocker.query('commit');
      await socket.ackOf(vote);
      const votes = await database.db.selectFrom('votes').select(['user_id', 'stance']).execute();
      expect(votes).toEqual([{ user_id: 'U2', stance: 'support' }]);
    } finally {
      await blocker.end();
    }
  });
});
