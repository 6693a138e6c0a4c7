import type { Norm, Proposal } from '../../src/db/schema';
import { HOME_CHANNEL, textOf, type Harness } from './harness';
import { propose, type ProposalFields } from './norms';
import { waitUntil } from './wait';

/** Proposes and adopts a norm (two of four members support it by button); returns the norm. */
export async function adoptNorm(h: Harness, title: string, fields: ProposalFields = {}): Promise<Norm> {
  const p = await propose(h, 'U1', { title, body: `${title}: how we work.`, ...fields });
  for (const user of ['U1', 'U2'])
    await h.clickButton(user, 'norms:support', String(p.id), { messageTs: p.message_ts! });
  await h.settled();
  const decided = await h.db.selectFrom('proposals').selectAll().where('id', '=', p.id).executeTakeFirstOrThrow();
  if (decided.status !== 'adopted') throw new Error(`proposal ${p.id} was not adopted`);
  const normId = fields.norm ?? null;
  return h.db
    .selectFrom('norms')
    .selectAll()
    .where(normId === null ? 'created_by_proposal_id' : 'id', '=', normId === null ? p.id : normId)
    .executeTakeFirstOrThrow();
}

/** Reviews posted so far, oldest first. */
export function reviewRows(h: Harness): Promise<Proposal[]> {
  return h.db.selectFrom('proposals').selectAll().where('kind', '=', 'review').orderBy('id').execute();
}

/** The review rows once `count` of them are posted (a review opens after its command's ack). */
export async function postedReviews(h: Harness, count = 1): Promise<Proposal[]> {
  return waitUntil(`${count} posted review(s)`, async () => {
    const rows = await reviewRows(h);
    return rows.length >= count && rows.every((r) => r.message_ts) ? rows : undefined;
  });
}

/** Messages posted in the home channel that are reviews ("Still how we work?"), top level only. */
export function reviewPosts(h: Harness) {
  return h.fake
    .callsOf('chat.postMessage')
    .filter(
      (c) => c.params.channel === HOME_CHANNEL && !c.params.thread_ts && /still how we work\?/i.test(textOf(c.params)),
    );
}

export function messageAt(h: Harness, ts: string): Record<string, unknown> {
  const message = h.fake.messages.get(`${HOME_CHANNEL}:${ts}`);
  if (!message) throw new Error(`no message ${ts}`);
  return message;
}

/** The Slack date token of a local date's noon (as the bot shows review dates). */
export const dateToken = (isoNoon: string) => `<!date^${Math.floor(Date.parse(isoNoon) / 1000)}^`;

/** Button texts of a message, in order. */
export function buttonTexts(message: Record<string, unknown>): string[] {
  const texts: string[] = [];
  for (const block of (message.blocks ?? []) as Array<{
    type: string;
    elements?: Array<{ type: string; text?: { text: string } }>;
    accessory?: { type: string; text?: { text: string } };
  }>) {
    for (const e of block.elements ?? []) if (e.type === 'button' && e.text) texts.push(e.text.text);
    if (block.accessory?.type === 'button' && block.accessory.text) texts.push(block.accessory.text.text);
  }
  return texts;
}

/**
 * A scheduler tick at the test clock's time. The started bot also ticks by cron each wall-clock
 * minute, and a tick asked for while one runs joins it (with that one's time): the second call
 * is then a tick of its own, at the time the test set.
 */
export async function tick(h: Harness): Promise<void> {
  await h.bot.tick();
  await h.bot.tick();
  await h.settled();
}

/** `/cop <text>`, and the wait until its work (done after the ack) is finished. */
export async function command(h: Harness, user: string, text: string): Promise<void> {
  await h.command(user, text);
  await h.settled();
}
