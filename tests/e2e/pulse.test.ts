import { sql } from 'kysely';
import pg from 'pg';
import { Harness, textOf } from '../support/harness';

const START = '2026-03-02T09:00:00Z';
const MEMBERS = ['U1', 'U2', 'U3', 'U4', 'U5'];

/**
 * Every table, every row, as pg_dump's COPY would write them: the heap's order, no ORDER BY.
 * Times the database stamped from the real clock (created_at defaults, set before any answer)
 * differ between two runs whatever is answered, so they are masked.
 */
async function dump(url: string, realStart: Date): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>(
      `select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    const parts: string[] = [];
    for (const { table_name } of tables.rows) {
      const rows = await client.query(`select * from "${table_name}"`);
      const lines = rows.rows.map((r) => JSON.stringify(r, maskWallClock(realStart)));
      // The pulse's tables in the heap's own order (what a dump would show); the others' order
      // follows DMs sent concurrently at the pulse's start, before any answer, so it is sorted.
      parts.push(`-- ${table_name}`, ...(table_name.startsWith('pulse') ? lines : lines.sort()));
    }
    return parts.join('\n');
  } finally {
    await client.end();
  }
}

function maskWallClock(realStart: Date) {
  return function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key];
    return raw instanceof Date && raw.getTime() >= realStart.getTime() ? '<stamped by the database clock>' : value;
  };
}

async function startPulse(h: Harness): Promise<number> {
  await h.command('U1', 'pulse');
  const pulse = await h.db.selectFrom('pulses').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
  return pulse.id;
}

/** The member opens the pulse from their DM and sends the two scores. */
async function answer(h: Harness, user: string, pulseId: number, struggles: string, voice: string) {
  const dm = h.fake
    .callsOf('chat.postMessage')
    .find((c) => c.params.channel === user && String(c.params.text).startsWith('Trust pulse'));
  if (!dm) throw new Error(`${user} got no pulse DM`);
  await h.clickButton(user, 'pulse:open', String(pulseId), { channel: `D${user}`, messageTs: '1.1' });
  const view = h.lastOpenedView('pulse:answer');
  return h.submitView(user, view, { struggles, voice });
}

async function tally(h: Harness, pulseId: number) {
  return h.db
    .selectFrom('pulse_tallies')
    .select(['struggles', 'voice'])
    .where('pulse_id', '=', pulseId)
    .executeTakeFirstOrThrow();
}

describe('the anonymous trust pulse', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start({ members: MEMBERS, others: ['U9'], start: START });
    await h.setupCop('U1');
    await h.waitForMembers(MEMBERS.length);
  });
  afterEach(() => h.stop());

  it('coordinators start it; each member gets a DM with the two statements; an answer is thanked without its scores', async () => {
    await h.command('U2', 'pulse');
    expect(h.lastResponseText()).toContain('Only this CoP’s coordinators');
    expect(await h.db.selectFrom('pulses').selectAll().execute()).toHaveLength(0);

    const pulseId = await startPulse(h);
    expect(h.lastResponseText()).toContain('Trust pulse started: 5 members get a DM');
    const dms = h.fake.callsOf('chat.postMessage').filter((c) => String(c.params.text).startsWith('Trust pulse'));
    expect(dms.map((d) => d.params.channel).sort()).toEqual(MEMBERS);
    expect(textOf(dms[0]!.params)).toContain('I can bring my real struggles to this group');
    expect(textOf(dms[0]!.params)).toContain('My voice counts in how we work together');
    expect(JSON.stringify(dms[0]!.params.blocks)).toContain('"text":"Answer the pulse"');

    await h.command('U1', 'pulse');
    expect(h.lastResponseText()).toContain('already open');

    // Both scores are needed; a score outside 1-5 is refused.
    await h.clickButton('U2', 'pulse:open', String(pulseId), { channel: 'DU2', messageTs: '1.1' });
    const view = h.lastOpenedView('pulse:answer');
    expect(JSON.stringify(view)).toContain('Send anonymously');
    const missing = await h.submitView('U2', view, { struggles: '4', voice: null });
    expect(missing.json()).toEqual({ response_action: 'errors', errors: { voice: 'Pick a score from 1 to 5.' } });
    const hostile = await h.submitView('U2', view, { struggles: '9', voice: '0' });
    expect(hostile.json().response_action).toBe('errors');
    expect(await tally(h, pulseId)).toEqual({ struggles: [0, 0, 0, 0, 0], voice: [0, 0, 0, 0, 0] });

    const ok = await h.submitView('U2', view, { struggles: '4', voice: '2' });
    expect(ok.status).toBe(200);
    expect(ok.body).toBe('');
    expect(await tally(h, pulseId)).toEqual({ struggles: [0, 0, 0, 1, 0], voice: [0, 1, 0, 0, 0] });
    const thanks = h.fake.lastCall('chat.update')!;
    expect(thanks.params.channel).toBe('DU2');
    expect(textOf(thanks.params)).toContain('Thanks, your answer is counted anonymously.');
    expect(JSON.stringify(thanks.params)).not.toMatch(/\b[42]\/5|score(d)? [42]/);

    // A second answer by the same member counts once.
    await h.clickButton('U2', 'pulse:open', String(pulseId), { channel: 'DU2', messageTs: '1.1' });
    expect(h.lastResponseText()).toContain('already answered');
    const again = await h.submitView('U2', view, { struggles: '1', voice: '1' });
    expect((again.json() as { errors: Record<string, string> }).errors.struggles).toContain('already answered');
    expect(await tally(h, pulseId)).toEqual({ struggles: [0, 0, 0, 1, 0], voice: [0, 1, 0, 0, 0] });

    // Non-members cannot answer, even with a forged submission.
    const forged = await h.submitView('U9', view, { struggles: '1', voice: '1' });
    expect(forged.json().response_action).toBe('errors');
    // No log line carries a respondent or a score.
    expect(h.logs.filter((l) => /U2|struggles\[|voice\[/.test(l))).toEqual([]);
  });

  it('results show only once closed with at least the threshold of answers; below it, says so', async () => {
    const pulseId = await startPulse(h);
    await answer(h, 'U2', pulseId, '5', '4');
    await answer(h, 'U3', pulseId, '3', '4');
    h.clock.set('2026-03-10T09:00:00Z');
    // Closed: later answers are refused.
    const late = await answer(h, 'U4', pulseId, '1', '1');
    expect((late.json() as { errors: Record<string, string> }).errors.struggles).toContain('closed');

    await h.command('U5', 'health');
    await h.fake.waitFor('files.completeUploadExternal');
    const comment = String(h.fake.lastCall('files.completeUploadExternal')!.params.initial_comment);
    expect(comment).toContain('Trust pulse: not enough answers to show without revealing anyone.');
    expect(comment).not.toMatch(/\d\.\d\/5/);

    // The threshold can be raised, never set below 3.
    await h.command('U1', 'pulse threshold 2');
    expect(h.lastResponseText()).toContain('never set below 3');
    await expect(
      h.db
        .insertInto('pulse_settings')
        .values({ cop_id: 1, threshold: 2, updated_by: 'x', updated_at: new Date() })
        .execute(),
    ).rejects.toThrow(/check constraint/);
    await h.command('U1', 'pulse threshold 4');
    expect(h.lastResponseText()).toContain('at least 4 answers');

    const second = await startPulse(h);
    expect(
      (await h.db.selectFrom('pulses').select('threshold').where('id', '=', second).executeTakeFirstOrThrow())
        .threshold,
    ).toBe(4);
    for (const [user, s, v] of [
      ['U2', '5', '4'],
      ['U3', '4', '3'],
      ['U4', '3', '5'],
      ['U5', '4', '4'],
    ] as const) {
      await answer(h, user, second, s, v);
    }
    // Open: nothing shows yet, however many answered.
    h.fake.clearCalls();
    await h.command('U5', 'health');
    await h.fake.waitFor('files.completeUploadExternal');
    expect(String(h.fake.lastCall('files.completeUploadExternal')!.params.initial_comment)).not.toContain('4/5');

    h.clock.set('2026-03-18T09:00:00Z');
    h.fake.clearCalls();
    await h.command('U5', 'health');
    await h.fake.waitFor('files.completeUploadExternal');
    // March: the first pulse (2 answers) stays hidden; the second (4 answers) shows: 4 and 4.
    expect(String(h.fake.lastCall('files.completeUploadExternal')!.params.initial_comment)).toContain(
      'Trust pulse: 4/5 “I can bring my real struggles to this group”, 4/5 “My voice counts in how we work together”.',
    );
  });

  it('a dump after answers holds no member-to-answer link: swapping who gave which scores leaves it identical', async () => {
    const realStart = new Date(Date.now() - 60_000);
    const other = await Harness.start({ members: MEMBERS, others: ['U9'], start: START });
    try {
      await other.setupCop('U1');
      await other.waitForMembers(MEMBERS.length);
      const runs: Array<[Harness, Array<[string, string, string]>]> = [
        [
          h,
          [
            ['U2', '5', '1'],
            ['U3', '2', '4'],
            ['U4', '3', '3'],
          ],
        ],
        // The same members answering in the same order, with U2's and U3's scores swapped.
        [
          other,
          [
            ['U2', '2', '4'],
            ['U3', '5', '1'],
            ['U4', '3', '3'],
          ],
        ],
      ];
      for (const [harness, answers] of runs) {
        const pulseId = await startPulse(harness);
        for (const [user, s, v] of answers) await answer(harness, user, pulseId, s, v);
      }
      const [a, b] = [await dump(h.database.url!, realStart), await dump(other.database.url!, realStart)];
      const pulseTables = a.slice(a.indexOf('-- pulse_respondents'), a.indexOf('-- pulses'));
      // Who answered: one sorted list, no time. The answers: counts only.
      expect(pulseTables).toContain('{"pulse_id":1,"user_ids":["U2","U3","U4"]}');
      expect(pulseTables).toContain('{"pulse_id":1,"struggles":[0,1,1,0,1],"voice":[1,0,1,1,0]}');
      expect(pulseTables).not.toMatch(/\d{4}-\d\d-\d\dT/);
      expect(a).toEqual(b);
    } finally {
      await other.stop();
    }
  });

  it('the monthly pulse goes out once per CoP and month; coordinators can turn it off', async () => {
    // The CoP began earlier (created_at is stamped by the database's own clock).
    await sql`update cops set created_at = ${new Date('2026-02-01T00:00:00Z')}`.execute(h.db);
    h.clock.set('2026-04-01T08:00:00Z');
    await h.bot.tick();
    await h.bot.tick();
    const pulses = await h.db.selectFrom('pulses').select(['period', 'asked']).execute();
    expect(pulses).toEqual([{ period: '2026-04', asked: 5 }]);
    expect(
      h.fake.callsOf('chat.postMessage').filter((c) => String(c.params.text).startsWith('Trust pulse')),
    ).toHaveLength(5);

    await h.command('U1', 'pulse monthly off');
    expect(h.lastResponseText()).toContain('monthly trust pulse is off');
    h.clock.set('2026-05-01T08:00:00Z');
    await h.bot.tick();
    expect(await h.db.selectFrom('pulses').selectAll().execute()).toHaveLength(1);
    await h.command('U1', 'pulse sometimes');
    expect(h.lastResponseText()).toContain('`/cop pulse monthly on|off`');
  });
});

describe('two bot instances on one database', () => {
  it('count a member’s answer once, even sent to both at the same time', async () => {
    const a = await Harness.start({ members: MEMBERS, start: START });
    const b = await Harness.start({ members: MEMBERS, start: START, sharedDatabase: a.database, fake: a.fake });
    try {
      await a.setupCop('U1');
      await a.waitForMembers(MEMBERS.length);
      const pulseId = await startPulse(a);
      await a.clickButton('U2', 'pulse:open', String(pulseId), { channel: 'DU2', messageTs: '1.1' });
      const view = a.lastOpenedView('pulse:answer');
      await Promise.all([
        a.submitView('U2', view, { struggles: '5', voice: '5' }),
        b.submitView('U2', view, { struggles: '1', voice: '1' }),
        a.submitView('U2', view, { struggles: '5', voice: '5' }),
        b.submitView('U2', view, { struggles: '1', voice: '1' }),
      ]);
      const counted = await tally(a, pulseId);
      expect(counted.struggles.reduce((n, c) => n + c, 0)).toBe(1);
      expect(counted.voice.reduce((n, c) => n + c, 0)).toBe(1);
    } finally {
      await b.stop();
      await a.stop();
    }
  });
});
