import { sql } from 'kysely';
import { CHART_WIDTH_PX } from '../../src/features/health/render';
import { Harness, HOME_CHANNEL, textOf } from '../support/harness';
import type { FakeFile } from '../support/fake-slack';

const START = '2026-03-02T09:00:00Z';
const MEMBERS = ['U1', 'U2', 'U3'];

function pngSize(bytes: Buffer) {
  expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** A struggle shared in February, answered, so the picture has something to show. */
async function seedFebruary(h: Harness) {
  const cop = await h.db.selectFrom('cops').select('id').executeTakeFirstOrThrow();
  // The CoP began earlier (created_at is stamped by the database's own clock).
  await sql`update cops set created_at = ${new Date('2026-01-15T00:00:00Z')}`.execute(h.db);
  const struggle = await h.db
    .insertInto('struggles')
    .values({
      cop_id: cop.id,
      text: 'flaky tests',
      channel_id: HOME_CHANNEL,
      message_ts: '9.1',
      created_at: new Date('2026-02-10T10:00:00Z'),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await h.db
    .insertInto('struggle_replies')
    .values({
      struggle_id: struggle.id,
      kind: 'member',
      user_id: 'U2',
      text: 'quarantine them',
      message_ts: '9.2',
      created_at: new Date('2026-02-10T11:00:00Z'),
      marked_helpful: true,
    })
    .execute();
}

describe('the health picture', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start({ members: MEMBERS, others: ['U9'], start: START });
    await h.setupCop('U1');
    await h.waitForMembers(MEMBERS.length);
  });
  afterEach(() => h.stop());

  it('/cop help lists health and pulse', async () => {
    await h.command('U2', 'help');
    const help = h.lastResponseText();
    expect(help).toContain('`/cop health`: the CoP’s health picture');
    expect(help).toContain('`/cop pulse`: coordinators: start an anonymous trust pulse now');
  });

  it('/cop health sends the asker, and only them, a PNG in a DM with its summary and alt text', async () => {
    await seedFebruary(h);
    await h.command('U2', 'health');
    expect(h.lastResponseText()).toContain('it comes to you as a DM');
    const done = await h.fake.waitFor('files.completeUploadExternal');
    expect(done.params.channel_id).toBe('DU2');
    const files = [...h.fake.files.values()];
    expect(files).toHaveLength(1);
    const file = files[0]!;
    expect(pngSize(file.bytes).width).toBe(CHART_WIDTH_PX);
    expect(file.shared?.channelId).toBe('DU2');
    expect(file.shared?.initialComment).toContain('March 2026: nothing was recorded this month');
    expect(file.shared?.initialComment).toContain('The last month with anything recorded is February 2026.');
    const upload = h.fake.lastCall('files.getUploadURLExternal')!;
    expect(String(upload.params.alt_text ?? upload.params.alt_txt)).toContain(
      'February 2026: 1 struggles shared, 1 answered, 1 helpful',
    );
    // Nothing went to the channel.
    expect(files.filter((f: FakeFile) => f.shared?.channelId === HOME_CHANNEL)).toHaveLength(0);

    await h.command('U9', 'health');
    expect(h.lastResponseText()).toMatch(/not a CoP home|Only members/);
    expect(h.fake.files.size).toBe(1);
  });

  it('is posted monthly in the home channel once, however many instances tick, and shown in the App Home', async () => {
    await seedFebruary(h);
    const other = await Harness.start({ members: MEMBERS, start: START, sharedDatabase: h.database, fake: h.fake });
    try {
      // Still February's picture: the CoP began in January, so March 1 posts February's.
      h.clock.set('2026-03-01T00:05:00Z');
      other.clock.set('2026-03-01T00:05:00Z');
      await Promise.all([h.bot.tick(), other.bot.tick(), h.bot.tick(), other.bot.tick()]);
      await h.bot.tick();
      const inChannel = [...h.fake.files.values()].filter((f) => f.shared?.channelId === HOME_CHANNEL);
      expect(inChannel).toHaveLength(1);
      const comment = inChannel[0]!.shared!.initialComment!;
      expect(comment.split('\n').slice(1)).toEqual([
        'February 2026: no meeting held; no decision was taken.',
        'Struggles: 1 shared, 1 answered, 1 marked helpful. Trust pulse: none closed this month.',
      ]);
      expect(pngSize(inChannel[0]!.bytes).width).toBe(CHART_WIDTH_PX);
      // Either instance may have won the claim; exactly one says it posted.
      expect(
        [...h.logs, ...other.logs].filter((l) => /health picture of cop \d+ for 2026-02 posted/.test(l)),
      ).toHaveLength(1);

      await h.event({ type: 'app_home_opened', user: 'U3', channel: 'D3', tab: 'home', event_ts: '1.1' });
      const home = h.fake.lastCall('views.publish')!.params;
      expect(textOf(home)).toContain("The CoP's health, to February 2026");
      expect(textOf(home)).toContain('Struggles: 1 shared, 1 answered, 1 marked helpful.');
      expect(JSON.stringify(home)).toContain(`"slack_file":{"id":"${inChannel[0]!.id}"}`);
    } finally {
      await other.stop();
    }
  });

  it('a failed monthly post is tried again next tick; a channel the bot cannot post in is not retried', async () => {
    await seedFebruary(h);
    h.clock.set('2026-03-01T00:05:00Z');
    h.fake.inject('files.getUploadURLExternal', { body: { ok: false, error: 'internal_error' } });
    await h.bot.tick();
    expect(h.fake.files.size).toBe(0);
    expect(h.logs.join('\n')).toContain('failed; the next tick tries again');
    await h.bot.tick();
    expect([...h.fake.files.values()].filter((f) => f.shared?.channelId === HOME_CHANNEL)).toHaveLength(1);

    // April: the bot was removed from the channel. One error, and no attempt every minute after.
    h.fake.on('files.getUploadURLExternal', () => ({ ok: false, error: 'not_in_channel' }));
    h.clock.set('2026-04-01T00:05:00Z');
    await h.bot.tick();
    await h.bot.tick();
    expect(
      h.fake.callsOf('files.getUploadURLExternal').filter((c) => String(c.params.filename).includes('2026-03')),
    ).toHaveLength(1);
    expect(h.logs.filter((l) => l.includes('cannot be posted in its channel'))).toHaveLength(1);
  });
});
