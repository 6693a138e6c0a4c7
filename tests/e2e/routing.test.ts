import { ACTION } from '../../src/features/norms/ids';
import { Harness, textOf } from '../support/harness';
import type { Proposal } from '../../src/db/schema';
import { submitProposal } from '../support/norms';
import { waitUntil } from '../support/wait';

describe('routing: one Bolt listener per kind, the work after acks a few at a time', () => {
  const MEMBERS = Array.from({ length: 60 }, (_, i) => `U${2000 + i}`);
  let h: Harness;

  beforeAll(async () => {
    // As in production: Slack gets its 200 before the work is done.
    h = await Harness.start({ database: 'postgres', members: MEMBERS, processBeforeResponse: false });
    await h.setupCop(MEMBERS[0]);
    await h.waitForMembers(MEMBERS.length);
    await h.fake.waitFor('response_url', (c) => textOf(c.params).startsWith('Done: this channel is now a CoP home'));
  }, 60_000);
  afterAll(() => h.stop());
  beforeEach(() => h.fake.clearCalls());

  it('acknowledges a click that no feature handles (a link button, say) and does nothing else', async () => {
    const result = await h.clickButton(MEMBERS[1]!, 'somewhere:open-link', undefined);
    expect(result.status).toBe(200);
    expect(result.body).toBe('');
    await h.settled();
    expect(h.fake.calls.filter((c) => c.method === 'response_url' || c.method.startsWith('views.'))).toEqual([]);
  });

  it('answers every one of a burst of /cop norms: each acked at once, each reply complete', async () => {
    const results = await Promise.all(MEMBERS.map((user) => h.command(user, 'norms')));
    expect(results.map((r) => r.status)).toEqual(MEMBERS.map(() => 200));
    await waitUntil('every reply', () => h.fake.callsOf('response_url').length >= MEMBERS.length);
    const replies = h.fake.callsOf('response_url').map((c) => textOf(c.params));
    expect(replies).toHaveLength(MEMBERS.length);
    for (const reply of replies) {
      expect(reply).toContain('Adopted norms');
      expect(reply).not.toContain('something went wrong');
    }
  });

  it("counts every one of a burst of Support clicks, each click's work after its ack", async () => {
    // A rule 40 of 60 cannot meet (every member must support), so the proposal stays open and every click counts.
    await h.db.updateTable('cops').set({ quorum_num: 1, quorum_den: 1 }).execute();
    await submitProposal(h, MEMBERS[0]!, { title: 'Start on time' });
    let proposal: Proposal | undefined;
    await waitUntil('the posted proposal', async () => {
      proposal = await h.db.selectFrom('proposals').selectAll().where('message_ts', 'is not', null).executeTakeFirst();
      return proposal !== undefined;
    });
    if (!proposal) throw new Error('unreachable');
    const voters = MEMBERS.slice(0, 40);
    const results = await Promise.all(
      voters.map((user) =>
        h.clickButton(user, ACTION.support, String(proposal!.id), { messageTs: proposal!.message_ts! }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(voters.map(() => 200));
    await waitUntil('every vote stored', async () => {
      const row = await h.db
        .selectFrom('votes')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('proposal_id', '=', proposal!.id)
        .where('stance', '=', 'support')
        .executeTakeFirst();
      return Number(row?.n) === voters.length;
    });
  });
});
