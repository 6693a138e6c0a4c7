import { Harness } from '../support/harness';
import { propose, reactAt, stances } from '../support/norms';

// SPEC: "The same event delivered twice (Slack retries, same event_id) counts once", and the
// quality bar: several bot instances must never double-count a vote. The guard is the database.
describe('two bot instances on one Postgres database', () => {
  it('count a reaction delivered to both, and retried to each, once; and adopt once', async () => {
    const members = ['U1', 'U2', 'U3'];
    const a = await Harness.start({ members });
    const b = await Harness.start({ members, sharedDatabase: a.database, fake: a.fake });
    try {
      await a.setupCop('U1');
      const p = await propose(a, 'U1');
      const ts = p.message_ts!;
      // U1's support reaches both instances at once, twice each (a retry), under one event_id;
      // U2's too: with 2 of 3 members supporting, the proposal is adopted.
      for (const [user, eventTs, eventId] of [
        ['U1', '1700000100.000001', 'Ev-U1'],
        ['U2', '1700000100.000002', 'Ev-U2'],
      ] as const) {
        await Promise.all([a, b, a, b].map((h) => reactAt(h, user, '+1', ts, eventTs, { eventId })));
      }
      const claims = await a.db.selectFrom('processed_events').select('event_id').execute();
      expect(claims.map((c) => c.event_id).sort()).toEqual(['Ev-U1', 'Ev-U2']);
      expect(await stances(a, p.id)).toEqual({ U1: 'support', U2: 'support' });

      // Each instance decides after its own writes; the conditional update adopts exactly once.
      await a.fake.waitFor('chat.postMessage', (c) => c.params.thread_ts === ts);
      await Promise.all([a.settled(), b.settled()]);
      const norms = await a.db.selectFrom('norms').selectAll().execute();
      expect(norms).toHaveLength(1);
      const announcements = a.fake.callsOf('chat.postMessage').filter((c) => c.params.thread_ts === ts);
      expect(announcements).toHaveLength(1);
    } finally {
      await b.stop();
      await a.stop();
    }
  });
});
