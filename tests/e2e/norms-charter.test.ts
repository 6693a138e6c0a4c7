import { sql } from 'kysely';
import { Harness, HOME_CHANNEL, textOf } from '../support/harness';
import { copPerTest, propose } from '../support/norms';
import { adoptNorm, buttonTexts, dateToken, reviewRows, tick, command } from '../support/reviews';

/** The charter messages the bot posted (top level) in the home channel. */
const charterPosts = (h: Harness) =>
  h.fake
    .callsOf('chat.postMessage')
    .filter((c) => c.params.channel === HOME_CHANNEL && textOf(c.params).startsWith('Our charter'));

async function charterRow(h: Harness) {
  return h.db.selectFrom('charters').selectAll().executeTakeFirstOrThrow();
}

describe('the charter, norm histories and participation', () => {
  let h: Harness;
  copPerTest('postgres', (started) => (h = started), { others: ['U9'], noErrors: true });

  it('one pinned charter, edited in place as norms are adopted, changed, reaffirmed and retired', async () => {
    expect(charterPosts(h)).toHaveLength(0);
    const one = await adoptNorm(h, 'Cameras optional');
    expect(charterPosts(h)).toHaveLength(1);
    const { message_ts: ts } = await charterRow(h);
    expect(h.fake.pins.get(HOME_CHANNEL)).toEqual([ts]);
    let text = textOf(h.fake.messages.get(`${HOME_CHANNEL}:${ts}`)!);
    expect(text).toContain('1. Cameras optional');
    expect(text).toContain('Adopted on <!date^');
    expect(text).toContain(`next review ${dateToken('2026-09-02T12:00:00Z')}`);

    await adoptNorm(h, 'Start on time');
    text = textOf(h.fake.messages.get(`${HOME_CHANNEL}:${ts}`)!);
    expect(text).toContain('2. Start on time');
    expect(charterPosts(h)).toHaveLength(1);

    // Changed (a day later): edited in place.
    h.clock.advance(24 * 60 * 60 * 1000);
    await adoptNorm(h, 'Cameras welcome', { kind: 'change', norm: one.id, body: 'Cameras welcome, never required.' });
    text = textOf(h.fake.messages.get(`${HOME_CHANNEL}:${ts}`)!);
    expect(text).toContain('1. Cameras welcome');
    expect(text).toContain('Changed on');

    // Reaffirmed.
    await command(h, 'U2', 'review 2');
    const [review] = await reviewRows(h);
    for (const user of ['U3', 'U4']) await h.react(user, '+1', review!.message_ts!);
    text = textOf(h.fake.messages.get(`${HOME_CHANNEL}:${ts}`)!);
    expect(text).toContain('Reaffirmed on');
    expect(text).toContain('by 2 of 4 members');

    // Retired: gone from the charter, which is renumbered.
    await adoptNorm(h, 'Retire cameras', { kind: 'retire', norm: one.id, body: null });
    text = textOf(h.fake.messages.get(`${HOME_CHANNEL}:${ts}`)!);
    expect(text).not.toContain('Cameras welcome');
    expect(text).toContain('1. Start on time');
    expect(charterPosts(h)).toHaveLength(1);
    expect(h.fake.pins.get(HOME_CHANNEL)).toEqual([ts]);
  });

  it('is recreated if deleted, and pinned again if unpinned', async () => {
    await adoptNorm(h, 'Cameras optional');
    const first = (await charterRow(h)).message_ts!;
    h.fake.messages.delete(`${HOME_CHANNEL}:${first}`);
    h.fake.pins.set(HOME_CHANNEL, []);
    await adoptNorm(h, 'Start on time');
    const second = (await charterRow(h)).message_ts!;
    expect(second).not.toBe(first);
    expect(textOf(h.fake.messages.get(`${HOME_CHANNEL}:${second}`)!)).toContain('2. Start on time');
    expect(h.fake.pins.get(HOME_CHANNEL)).toEqual([second]);

    h.fake.pins.set(HOME_CHANNEL, []);
    await adoptNorm(h, 'Agenda first');
    expect((await charterRow(h)).message_ts).toBe(second);
    expect(h.fake.pins.get(HOME_CHANNEL)).toEqual([second]);
    expect(charterPosts(h)).toHaveLength(2);
  });

  it('/cop charter sends the charter and its history as a Markdown file to the asker’s DM', async () => {
    const one = await adoptNorm(h, 'Cameras optional');
    await adoptNorm(h, 'Cameras welcome', { kind: 'change', norm: one.id, body: 'Cameras welcome, never required.' });
    await command(h, 'U3', 'charter');
    expect(h.lastResponseText()).toContain('I sent you the charter as a Markdown file');
    const files = [...h.fake.files.values()];
    expect(files).toHaveLength(1);
    const file = files[0]!;
    expect(file.filename).toMatch(/^charter-.*\.md$/);
    expect(file.shared?.channelId).toBe('DU3');
    const md = file.bytes.toString('utf8');
    expect(md).toContain('# Charter of the CoP');
    expect(md).toContain('## 1. Cameras welcome');
    expect(md).toContain('> Cameras welcome, never required.');
    expect(md).toContain('Next review: 2026-09-02');
    expect(md).toContain('- Adopted 2026-03-02 (2 for, 0 against, of 4 members) (version 1)');
    expect(md).toContain('- Changed 2026-03-02 (2 for, 0 against, of 4 members) (version 2)');
    expect(md).not.toMatch(/U[0-9]/);
    await command(h, 'U9', 'charter');
    expect(h.lastResponseText()).toContain('Only members');
    expect(h.fake.files.size).toBe(1);
  });

  it('/cop norm <number> and the History button: every version, how it was decided, tallies not names', async () => {
    const one = await adoptNorm(h, 'Cameras optional');
    const declined = await propose(h, 'U2', { kind: 'change', norm: one.id, title: 'Cameras on', body: 'Always on.' });
    await h.react('U3', '-1', declined.message_ts!);
    h.clock.advance(8 * 24 * 60 * 60 * 1000);
    await tick(h);
    await adoptNorm(h, 'Cameras welcome', { kind: 'change', norm: one.id, body: 'Cameras welcome, never required.' });
    await command(h, 'U2', 'review 1');
    const [review] = await reviewRows(h);
    for (const user of ['U3', 'U4']) await h.react(user, '+1', review!.message_ts!);

    await command(h, 'U4', 'norm 1');
    const text = h.lastResponseText();
    expect(text).toContain('History of Norm 1: Cameras welcome');
    expect(text).toContain('Adopted <!date^');
    expect(text).toContain('(2 for, 0 against, of 4 members)');
    expect(text).toContain('Proposed a change, declined');
    expect(text).toContain('(0 for, 1 against, of 4 members)');
    expect(text).toContain('Changed <!date^');
    expect(text).toContain('Reaffirmed <!date^');
    expect(text).toContain('by 2 of 4 members (0 against)');
    expect(text).toContain('version 2');
    expect(text).toContain('Cameras optional: Cameras optional: how we work.');
    expect(text).not.toMatch(/<@U/);

    await command(h, 'U4', 'norm 5');
    expect(h.lastResponseText()).toContain('There is no adopted norm number 5');

    await command(h, 'U4', 'norms');
    expect(buttonTexts(h.responses().at(-1)!.params)).toContain('History');
    await h.clickButton('U4', 'norms:history', String(one.id));
    expect(h.lastResponseText()).toContain('History of Norm 1: Cameras welcome');
    await h.clickButton('U9', 'norms:history', String(one.id));
    expect(h.lastResponseText()).toContain('Only members');
  });

  it('App Home: each member sees their own participation; coordinators see shares, never who', async () => {
    // The database stamps a join with its own clock; the test's clock is in March 2026.
    await sql`update members set joined_at = ${new Date('2026-03-01T00:00:00Z')}`.execute(h.db);
    await adoptNorm(h, 'Cameras optional'); // U1 and U2 voted
    const second = await propose(h, 'U1', { title: 'Start on time' });
    await h.react('U3', '-1', second.message_ts!);
    for (const user of ['U1', 'U4']) await h.react(user, '+1', second.message_ts!);
    await h.event({ type: 'app_home_opened', user: 'U2', channel: 'D2', tab: 'home', event_ts: '1.1' });
    let view = textOf(h.fake.lastCall('views.publish')!.params);
    expect(view).toContain('You voted on 1 of the 2 decisions held since you joined.');
    expect(view).not.toContain('participation* (coordinators');

    await h.event({ type: 'app_home_opened', user: 'U1', channel: 'D1', tab: 'home', event_ts: '1.2' });
    view = textOf(h.fake.lastCall('views.publish')!.params);
    expect(view).toContain('You voted on 2 of the 2 decisions held since you joined.');
    expect(view).toContain('The CoP’s participation');
    expect(view).toContain('“Start on time”');
    expect(view).toContain('75% of members voted');
    expect(view).toContain('50% of members voted');
    expect(view).toContain('Mar 2026: 63%');
    expect(view).not.toMatch(/<@U[2-4]>/);
  });

  it('/cop help lists review, norm and charter', async () => {
    await command(h, 'U2', 'help');
    const help = h.lastResponseText();
    expect(help).toContain('`/cop review <number>`');
    expect(help).toContain('`/cop norm <number>`');
    expect(help).toContain('`/cop charter`');
  });
});

describe('two instances and the charter', () => {
  it('post it once', async () => {
    const members = ['U1', 'U2', 'U3', 'U4'];
    const a = await Harness.start({ members });
    const b = await Harness.start({ members, sharedDatabase: a.database, fake: a.fake });
    try {
      await a.setupCop('U1');
      await a.waitForMembers(4);
      await adoptNorm(a, 'Cameras optional');
      // As if the charter had never been posted: both instances find it missing on the same tick.
      await a.db.deleteFrom('charters').execute();
      a.fake.pins.clear();
      await Promise.all([a.bot.tick(), b.bot.tick(), a.bot.tick(), b.bot.tick()]);
      const rows = await a.db.selectFrom('charters').selectAll().execute();
      expect(rows).toHaveLength(1);
      expect(a.fake.pins.get(HOME_CHANNEL)).toEqual([rows[0]!.message_ts]);
      // One posted at adoption, one after the row was removed: not one per instance.
      expect(charterPosts(a)).toHaveLength(2);
    } finally {
      await b.stop();
      await a.stop();
    }
  });
});
