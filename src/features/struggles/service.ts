import type { Db } from '../../db/database';
import { claimEvent } from '../../db/processed-events';
import * as repo from './repository';
import * as replies from './replies-repository';
import type { ReplyRow, StruggleRow } from './tables';
import {
  ANONYMOUS_REPLIES_PER_HOUR,
  rateDecision,
  STRUGGLES_PER_HOUR,
  type RateDecision,
  type StruggleInput,
} from './rules';

/** Puts a stored struggle or reply in Slack; returns the message's ts (and permalink). */
export type Publisher<T> = (row: T) => Promise<{ ts: string; permalink?: string | null }>;

/** Takes a published message back (when its record could not be kept). */
export type Retractor = (ts: string) => Promise<void>;

export type ShareOutcome<T> = { status: 'posted'; row: T } | { status: 'rate_limited'; retryAt: Date };

/** A quick look (no lock) before the modal closes, so most rate-limited members see it in the form. */
export async function struggleBudget(db: Db, copId: number, now: Date): Promise<RateDecision> {
  return rateDecision(await repo.recentStruggleTimes(db, copId, now), now, STRUGGLES_PER_HOUR);
}

export async function replyBudget(db: Db, copId: number, now: Date): Promise<RateDecision> {
  return rateDecision(await replies.recentAnonymousReplyTimes(db, copId, now), now, ANONYMOUS_REPLIES_PER_HOUR);
}

/**
 * Shares a struggle: takes a slot of the CoP's hourly budget, posts it, and keeps it only if
 * the post succeeded. A refused post leaves nothing stored and rethrows for the caller to say so.
 */
export async function shareStruggle(
  db: Db,
  input: { copId: number; channelId: string; struggle: StruggleInput; now: Date },
  publish: Publisher<StruggleRow>,
  retract: Retractor,
): Promise<ShareOutcome<StruggleRow>> {
  const result = await repo.reserveStruggle(db, { ...input, limit: STRUGGLES_PER_HOUR });
  if (!result.reserved) {
    return { status: 'rate_limited', retryAt: result.decision.allowed ? input.now : result.decision.retryAt };
  }
  const row = result.reserved;
  let posted: { ts: string; permalink?: string | null };
  try {
    posted = await publish(row);
  } catch (error) {
    await repo.discardStruggle(db, row.id);
    throw error;
  }
  await keepOrRetract(
    () => repo.confirmStruggle(db, row.id, posted.ts, posted.permalink ?? null),
    () => repo.discardStruggle(db, row.id),
    () => retract(posted.ts),
  );
  return { status: 'posted', row: { ...row, message_ts: posted.ts, permalink: posted.permalink ?? null } };
}

/** Posts an anonymous reply (or the author's follow-up) the same way: budget, post, keep. */
export async function shareReply(
  db: Db,
  input: { struggle: StruggleRow; kind: 'anonymous' | 'original_poster'; text: string; now: Date },
  publish: Publisher<ReplyRow>,
  retract: Retractor,
): Promise<ShareOutcome<ReplyRow>> {
  const result = await replies.reserveAnonymousReply(db, {
    copId: input.struggle.cop_id,
    struggleId: input.struggle.id,
    kind: input.kind,
    text: input.text,
    now: input.now,
    limit: ANONYMOUS_REPLIES_PER_HOUR,
  });
  if (!result.reserved) {
    return { status: 'rate_limited', retryAt: result.decision.allowed ? input.now : result.decision.retryAt };
  }
  const row = result.reserved;
  let posted: { ts: string };
  try {
    posted = await publish(row);
  } catch (error) {
    await replies.discardReply(db, row.id);
    throw error;
  }
  await keepOrRetract(
    () => replies.confirmReply(db, row.id, posted.ts),
    () => replies.discardReply(db, row.id),
    () => retract(posted.ts),
  );
  return { status: 'posted', row: { ...row, message_ts: posted.ts } };
}

/** Records a published message; if that fails, takes the message back so nothing stays half-posted. */
async function keepOrRetract(
  confirm: () => Promise<void>,
  discard: () => Promise<void>,
  retract: () => Promise<void>,
): Promise<void> {
  try {
    await confirm();
  } catch (error) {
    await retract().catch(() => undefined);
    await discard().catch(() => undefined);
    throw error;
  }
}

/** A struggle members may still act on: posted and not hidden. */
export async function findVisibleStruggle(db: Db, id: number): Promise<StruggleRow | undefined> {
  const s = await repo.findStruggle(db, id);
  return s && s.message_ts && !s.hidden_at ? s : undefined;
}

/** A thread reply arrived: keep it when it is in a visible struggle's thread. */
export async function recordThreadReply(
  db: Db,
  input: { channelId: string; threadTs: string; ts: string; userId: string; text: string; now: Date },
): Promise<boolean> {
  const struggle = await repo.findStruggleByMessage(db, input.channelId, input.threadTs);
  if (!struggle || struggle.hidden_at) return false;
  return replies.storeMemberReply(db, {
    struggleId: struggle.id,
    userId: input.userId,
    text: input.text,
    messageTs: input.ts,
    now: input.now,
  });
}

/** Counts or uncounts one member's :bulb: on a reply, once per event delivery. */
export async function applyHelpfulReaction(
  db: Db,
  input: {
    eventId: string;
    channelId: string;
    ts: string;
    added: boolean;
    isMember: (copId: number) => Promise<boolean>;
  },
): Promise<boolean> {
  const reply = await replies.findReplyByMessage(db, input.channelId, input.ts);
  if (!reply || reply.hidden_at) return false;
  if (!(await input.isMember(reply.cop_id))) return false;
  return db.transaction().execute(async (trx) => {
    // The same event delivered twice counts once.
    if (!(await claimEvent(trx, input.eventId))) return false;
    await replies.adjustHelpful(trx, reply.id, input.added ? 1 : -1);
    return true;
  });
}

/** The author marks their struggle resolved; undefined when it already was. */
export function resolveStruggle(db: Db, id: number, now: Date): Promise<StruggleRow | undefined> {
  return repo.resolveStruggle(db, id, now);
}

/** A message deleted in Slack: a stored reply is forgotten, a struggle's post hidden. */
export async function messageDeleted(db: Db, channelId: string, ts: string, now: Date): Promise<void> {
  const reply = await replies.findReplyByMessage(db, channelId, ts);
  if (reply) await replies.deleteReply(db, reply.id);
  const struggle = await repo.findStruggleByMessage(db, channelId, ts);
  if (struggle) await repo.hideStruggle(db, struggle.id, now);
}

/** A message edited in Slack: a stored member reply keeps the new text. */
export async function messageEdited(db: Db, channelId: string, ts: string, text: string): Promise<void> {
  const reply = await replies.findReplyByMessage(db, channelId, ts);
  if (reply) await replies.updateMemberReplyText(db, reply.id, text);
}

/**
 * The stored, visible reply a "Mark as helpful answer" shortcut points at. A member's thread
 * reply we missed (sent while the bot was down, say) is kept now.
 */
export async function replyMarkedByShortcut(
  db: Db,
  message: { channelId: string; ts: string; threadTs?: string; userId?: string; isBot: boolean; text: string },
  now: Date,
): Promise<Awaited<ReturnType<typeof replies.findReplyByMessage>>> {
  const { channelId, ts, threadTs, userId } = message;
  let reply = await replies.findReplyByMessage(db, channelId, ts);
  if (!reply && threadTs && threadTs !== ts && userId && !message.isBot) {
    await recordThreadReply(db, { channelId, threadTs, ts, userId, text: message.text, now });
    reply = await replies.findReplyByMessage(db, channelId, ts);
  }
  return reply && !reply.hidden_at ? reply : undefined;
}

export function markHelpful(db: Db, replyId: number): Promise<void> {
  return replies.markHelpful(db, replyId);
}

/** A struggle's post or one of its replies, as a coordinator or a reporter names it. */
export interface ModerationTarget {
  readonly target: 'post' | 'reply';
  readonly id: number;
}

/** The struggle (and reply) a moderation target names, with where its message is. */
export async function locate(db: Db, t: ModerationTarget) {
  if (t.target === 'post') {
    const struggle = await repo.findStruggle(db, t.id);
    if (!struggle?.message_ts) return undefined;
    return { struggle, reply: undefined, ts: struggle.message_ts, hidden: struggle.hidden_at !== null };
  }
  const reply = await replies.findReply(db, t.id);
  const struggle = reply ? await repo.findStruggle(db, reply.struggle_id) : undefined;
  if (!reply?.message_ts || !struggle) return undefined;
  return { struggle, reply, ts: reply.message_ts, hidden: reply.hidden_at !== null || struggle.hidden_at !== null };
}

/** The anonymous post or reply a message is, if it is one of the bot's (a member's own reply is not). */
export async function targetOfMessage(db: Db, channelId: string, ts: string): Promise<ModerationTarget | undefined> {
  const struggle = await repo.findStruggleByMessage(db, channelId, ts);
  if (struggle) return { target: 'post', id: struggle.id };
  const reply = await replies.findReplyByMessage(db, channelId, ts);
  return reply && reply.kind !== 'member' ? { target: 'reply', id: reply.id } : undefined;
}

/** A coordinator hides a post or a reply; false when it already was. */
export async function hide(db: Db, t: ModerationTarget, now: Date): Promise<boolean> {
  const hidden = t.target === 'post' ? await repo.hideStruggle(db, t.id, now) : await replies.hideReply(db, t.id, now);
  return Boolean(hidden);
}
