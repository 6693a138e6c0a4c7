import { openPostgres } from '../../src/db/database';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { Harness } from '../support/harness';
import { messageText, reactAt, submitProposal } from '../support/norms';
import { TcpProxy } from '../support/tcp-proxy';
import { waitUntil } from '../support/wait';

/**
 * Issue 10: a database outage loses no reaction vote and doubles none. Slack gets its 2xx for an
 * event only once its vote is written; otherwise a non-2xx, and Slack delivers it again (as
 * these tests do, with x-slack-retry-num). The bot reaches PostgreSQL through a proxy the test
 * cuts, as a restart or a failover would.
 */
describe('reaction votes while the database is away (Postgres behind a proxy that is cut)', () => {
  const MEMBERS = Array.from({ length: 40 }, (_, i) => `U${100 + i}`);
  let direct: TestDatabase;
  let proxy: TcpProxy;
  let h: Harness;

  beforeAll(async () => {
    direct = await createTestDatabase('postgres');
    const url = new URL(direct.url!);
    proxy = await new TcpProxy(url.hostname, Number(url.port || 5432)).start();
    const viaProxy = new URL(direct.url!);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const proxied = openPostgres(viaProxy.toString());
    const sharedDatabase: TestDatabase = { ...proxied, url: viaProxy.toString(), destroy: () => proxied.close() };
    // As in production: the HTTP response goes as soon as the listener acks.
    h = await Harness.start({ sharedDatabase, members: MEMBERS, processBeforeResponse: false });
    await h.setupCop(MEMBERS[0]);
    await h.waitForMembers(MEMBERS.length);
    // A rule no vote here meets (every member must support), so every vote keeps counting.
    await direct.db.updateTable('cops').set({ quorum_num: 1, quorum_den: 1 }).execute();
  }, 60_000);
  afterAll(async () => {
    await h.stop();
    await h.database.destroy();
    await proxy.stop();
    await direct.destroy();
  });

  async function posted(title: string) {
    await submitProposal(h, MEMBERS[0]!, { title });
    return waitUntil(`proposal ${title}`, () =>
      direct.db
        .selectFrom('proposals')
        .selectAll()
        .where('title', '=', title)
        .where('message_ts', 'is not', null)
        .executeTakeFirst(),
    );
  }

  async function storedStances(proposalId: number): Promise<Record<string, number>> {
    const rows = await direct.db.selectFrom('votes').select(['stance']).where('proposal_id', '=', proposalId).execute();
    const counts: Record<string, number> = {};
    for (const r of rows) counts[String(r.stance)] = (counts[String(r.stance)] ?? 0) + 1;
    return counts;
  }

  it('refuses votes it cannot write (non-2xx, within 3 s), and counts each once when Slack redelivers', async () => {
    const proposal = await posted('Outage');
    const ts = proposal.message_ts!;
    const deliver = (user: string, i: number, retryNum?: number) =>
      h.event(
        {
          type: 'reaction_added',
          user,
          item: { type: 'message', channel: 'C0COP', ts },
          reaction: i % 4 === 0 ? '-1' : '+1',
          item_user: 'UBOT',
          event_ts: `1772450000.${String(i + 1).padStart(6, '0')}`,
        },
        { eventId: `EvOut${user}`, retryNum },
      );

    proxy.cut();
    const began = Date.now();
    const during = await Promise.all(MEMBERS.map((user, i) => deliver(user, i)));
    const waited = Date.now() - began;
    // Nothing could be written, so nothing was acknowledged, and Slack heard so in time.
    expect(during.map((r) => r.status >= 200 && r.status < 300)).toEqual(MEMBERS.map(() => false));
    expect(waited).toBeLessThan(3_000);

    proxy.restore();
    // Slack's first redelivery; the second for any still refused.
    let refused = MEMBERS.map((user, i) => ({ user, i }));
    for (let retry = 1; retry <= 3 && refused.length; retry += 1) {
      const results = await Promise.all(refused.map(({ user, i }) => deliver(user, i, retry)));
      refused = refused.filter((_, k) => results[k]!.status !== 200);
    }
    expect(refused).toEqual([]);
    // A redelivery of an event already counted is acknowledged and changes nothing.
    expect((await deliver(MEMBERS[1]!, 1, 3)).status).toBe(200);

    expect(await storedStances(proposal.id)).toEqual({ object: 10, support: 30 });
    const claims = await direct.db
      .selectFrom('processed_events')
      .select('event_id')
      .where('event_id', 'like', 'EvOut%')
      .execute();
    expect(claims).toHaveLength(MEMBERS.length);
    await waitUntil('the message to show the true tally', () =>
      messageText(h, proposal).includes(':+1: *30* support · :-1: *10* object'),
    );
  }, 60_000);

  it('acknowledges only what it wrote when the database drops mid-burst; the message ends true', async () => {
    const proposal = await posted('Flaky');
    const ts = proposal.message_ts!;
    const acked = new Set<string>();
    const deliver = async (user: string, i: number) => {
      for (let retry = 0; retry <= 3; retry += 1) {
        const r = await reactAt(h, user, '+1', ts, `1772460000.${String(i + 1).padStart(6, '0')}`, {
          eventId: `EvFlaky${user}`,
        });
        if (r.status === 200) return acked.add(user);
      }
      return undefined;
    };
    const sending = Promise.all(MEMBERS.map((user, i) => deliver(user, i)));
    // Cut while the burst is being written, for longer than a write's retries last (about 1.5 s):
    // before acks waited for the write, such votes were acknowledged and then dropped.
    await waitUntil('the burst to reach the vote listener', () => h.bot.busy() > 0);
    proxy.cut();
    await new Promise((r) => setTimeout(r, 2_000));
    proxy.restore();
    await sending;
    expect(acked.size).toBe(MEMBERS.length);
    expect(await storedStances(proposal.id)).toEqual({ support: MEMBERS.length });
    await waitUntil('the message to show every vote', () =>
      messageText(h, proposal).includes(`:+1: *${MEMBERS.length}* support`),
    );
  }, 60_000);
});
