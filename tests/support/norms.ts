import { sql } from 'kysely';
import type { Proposal } from '../../src/db/schema';
import { createTestDatabase, type DatabaseKind, type TestDatabase } from './database';
import { Harness, HOME_CHANNEL, textOf } from './harness';

export interface ProposalFields {
  kind?: 'new' | 'change' | 'retire';
  norm?: number;
  title?: string;
  body?: string | null;
  rationale?: string;
}

/** `/cop propose <title>` then submits the modal; returns the HTTP result of the submission. */
export async function submitProposal(h: Harness, user: string, fields: ProposalFields = {}) {
  const title = fields.title ?? 'Cameras optional';
  const opened = h.fake.callsOf('views.open').length;
  await h.command(user, `propose ${title}`);
  // Without processBeforeResponse the modal opens after the command's response.
  await h.fake.waitFor('views.open', (c) => h.fake.callsOf('views.open').indexOf(c) >= opened);
  let view = h.lastOpenedView('norms:propose');
  if (fields.kind && fields.kind !== 'new') {
    // As in Slack: the choice redraws the form (views.update) with that choice's fields.
    const updates = h.fake.callsOf('views.update').length;
    await h.chooseInView(user, view, 'kind', fields.kind);
    const update = h.fake.callsOf('views.update')[updates];
    if (!update) throw new Error(`choosing ${fields.kind} did not redraw the proposal form`);
    view = update.params.view as Record<string, unknown>;
  }
  const values: Record<string, string | null> = {
    kind: fields.kind ?? 'new',
    title,
    body: fields.body === undefined ? 'Nobody has to turn their camera on in our calls.' : fields.body,
    rationale: fields.rationale ?? 'Some of us call from noisy, shared places.',
  };
  if (fields.norm !== undefined) values.norm = String(fields.norm);
  return h.submitView(user, view, values);
}

/** Proposes and returns the stored, posted proposal. */
export async function propose(h: Harness, user: string, fields: ProposalFields = {}): Promise<Proposal> {
  const result = await submitProposal(h, user, fields);
  if (result.body) throw new Error(`proposal refused: ${result.body}`);
  const proposal = await h.db.selectFrom('proposals').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
  if (!proposal.message_ts) throw new Error('proposal was not posted');
  return proposal;
}

/** The proposal's message as it stands now in the (fake) channel. */
export function messageOf(h: Harness, p: Proposal): Record<string, unknown> {
  const message = h.fake.messages.get(`${HOME_CHANNEL}:${p.message_ts}`);
  if (!message) throw new Error(`no message ${p.message_ts}`);
  return message;
}

export const messageText = (h: Harness, p: Proposal): string => textOf(messageOf(h, p));

/** The stored stances that count (current members'), by user. */
export async function stances(h: Harness, proposalId: number): Promise<Record<string, string | null>> {
  const rows = await h.db
    .selectFrom('votes')
    .select(['user_id', 'stance'])
    .where('proposal_id', '=', proposalId)
    .orderBy('user_id')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.user_id, r.stance]));
}

export async function proposalRow(h: Harness, id: number): Promise<Proposal> {
  return h.db.selectFrom('proposals').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** A reaction event with a chosen event_ts, to play out-of-order delivery. */
export function reactAt(
  h: Harness,
  user: string,
  reaction: string,
  messageTs: string,
  eventTs: string,
  options: { removed?: boolean; eventId?: string } = {},
) {
  return h.event(
    {
      type: options.removed ? 'reaction_removed' : 'reaction_added',
      user,
      item: { type: 'message', channel: HOME_CHANNEL, ts: messageTs },
      reaction,
      item_user: 'UBOT',
      event_ts: eventTs,
    },
    { eventId: options.eventId },
  );
}

/** Empties every table, so one database serves a whole describe block. */
export async function emptyDatabase(h: Pick<Harness, 'db'>): Promise<void> {
  await sql`truncate cops, slack_users, processed_events, outbox restart identity cascade`.execute(h.db);
}

/**
 * The norms tests' bot: one database per test file (on `kind`), emptied before each test, and a
 * fresh bot on it with a CoP that U1 set up (members U1 to U4, `others` in the workspace too).
 * `use` is handed each test's harness. With `noErrors`, a test fails if the bot logged an error
 * (scheduled jobs log their failures rather than throw).
 */
export function copPerTest(
  kind: DatabaseKind,
  use: (h: Harness) => void,
  options: { others: string[]; beforeSetup?: (h: Harness) => void; noErrors?: boolean },
): void {
  let shared: TestDatabase;
  let h: Harness;
  beforeAll(async () => {
    shared = await createTestDatabase(kind);
  });
  afterAll(() => shared.destroy());
  beforeEach(async () => {
    await emptyDatabase(shared);
    h = await Harness.start({ sharedDatabase: shared, members: ['U1', 'U2', 'U3', 'U4'], others: options.others });
    options.beforeSetup?.(h);
    await h.setupCop('U1');
    await h.waitForMembers(4);
    use(h);
  });
  afterEach(async () => {
    const errors = h.logs.filter((line) => line.includes('"level":"ERROR"'));
    await h.stop();
    if (options.noErrors) expect(errors).toEqual([]);
  });
}
