import { Harness } from '../support/harness';
import { propose, stances } from '../support/norms';
import { waitUntil } from '../support/wait';

/**
 * `/cop norms` keeps its answer while nothing it shows changed (cops.overview_version). Written
 * by the other instance or straight into the database, every change it shows must show at once:
 * a vote's tally, an adoption, a member leaving, a new rule.
 */
describe('/cop norms on one instance after changes made through another', () => {
  let a: Harness;
  let b: Harness;

  beforeAll(async () => {
    const members = ['U1', 'U2', 'U3', 'U4'];
    a = await Harness.start({ members });
    b = await Harness.start({ members, sharedDatabase: a.database, fake: a.fake });
    await a.setupCop('U1');
    await a.waitForMembers(4);
  });
  afterAll(async () => {
    await b.stop();
    await a.stop();
  });

  const normsOn = async (h: Harness, user = 'U2') => {
    const ack = await h.command(user, 'norms');
    expect(ack.status).toBe(200);
    return h.lastResponseText();
  };

  it('shows the live tally, the adopted norm, the members and the rule, never a kept answer', async () => {
    const p = await propose(a, 'U1', { title: 'Agenda a day ahead' });
    expect(await normsOn(a)).toContain('*0* of 4 members took part');
    expect(await normsOn(a)).toContain('*0* of 4 members took part'); // a kept answer, still true

    await b.react('U3', '+1', p.message_ts!);
    await waitUntil('U3’s vote to be stored', async () => (await stances(a, p.id)).U3 === 'support');
    const tallied = await normsOn(a);
    expect(tallied).toContain(':+1: *1* support');
    expect(tallied).toContain('*1* of 4 members took part');

    await b.react('U4', '+1', p.message_ts!);
    await waitUntil('the proposal to be adopted', async () => {
      const norms = await a.db.selectFrom('norms').select('title').execute();
      return norms.length === 1;
    });
    const adopted = await normsOn(a);
    expect(adopted).toMatch(/\*1\. Agenda a day ahead\*/);
    expect(adopted).toContain('No proposals open right now');

    const open = await propose(b, 'U1', { title: 'Rotate the facilitator' });
    expect(await normsOn(a)).toContain('Rotate the facilitator');
    expect(await normsOn(a)).toContain('*0* of 4 members took part');
    await a.db.deleteFrom('members').where('user_id', '=', 'U4').execute();
    expect(await normsOn(a)).toContain('*0* of 3 members took part');

    await a.db.updateTable('cops').set({ window_hours: 48 }).execute();
    expect(await normsOn(a)).toContain('Voting stays open 2 days');
    expect(await normsOn(a, 'U1')).toContain('Voting stays open 2 days'); // a coordinator's answer too
    expect(open.title).toBe('Rotate the facilitator');
  });
});
