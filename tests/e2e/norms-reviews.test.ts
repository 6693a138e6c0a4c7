import { DATABASE_KINDS } from '../support/database';
import { Harness, HOME_CHANNEL, textOf } from '../support/harness';
import { copPerTest } from '../support/norms';
import {
  adoptNorm,
  buttonTexts,
  dateToken,
  messageAt,
  reviewPosts,
  postedReviews,
  reviewRows,
  tick,
  command,
} from '../support/reviews';

const DAY = 24 * 60 * 60 * 1000;

describe.each(DATABASE_KINDS)('norm reviews: "Still how we work?" (%s)', (database) => {
  let h: Harness;
  copPerTest(database, (started) => (h = started), { others: ['U5', 'U9'], noErrors: true });

  it('a norm falls due six months on, by date; Keep is voted like a proposal and reaffirms it', async () => {
    const norm = await adoptNorm(h, 'Cameras optional');
    await command(h, 'U2', 'norms');
    expect(h.lastResponseText()).toContain(`next review ${dateToken('2026-09-02T12:00:00Z')}`);

    h.clock.set('2026-09-01T23:59:00Z');
    await tick(h);
    expect(await reviewRows(h)).toHaveLength(0);
    h.clock.set('2026-09-02T00:01:00Z');
    await tick(h);
    const [review] = await postedReviews(h);
    expect(review).toMatchObject({ kind: 'review', norm_id: norm.id, status: 'open', members_at_open: 4 });
    const message = messageAt(h, review!.message_ts!);
    const text = textOf(message);
    expect(text).toContain('Still how we work?');
    expect(text).toContain('Cameras optional: how we work.');
    expect(text).toContain('It is due for its regular review.');
    expect(buttonTexts(message)).toEqual(['Keep it', 'Do not keep it', 'Propose a change', 'Propose retiring it']);

    // Keep: a reaction with a skin tone and a button, as for any proposal.
    await h.react('U3', '+1::skin-tone-4', review!.message_ts!);
    expect(textOf(messageAt(h, review!.message_ts!))).toContain(':+1: *1* keep');
    await h.clickButton('U4', 'norms:support', String(review!.id), { messageTs: review!.message_ts! });
    const kept = await h.db.selectFrom('norms').selectAll().where('id', '=', norm.id).executeTakeFirstOrThrow();
    expect(kept).toMatchObject({ status: 'adopted', reaffirmed_supporters: 2, reaffirmed_members: 4 });
    expect(kept.reaffirmed_at).toEqual(new Date('2026-09-02T00:01:00Z'));
    const after = textOf(messageAt(h, review!.message_ts!));
    expect(after).toContain('*Kept*');
    expect(after).toContain('by 2 of 4 members');
    expect(JSON.stringify(messageAt(h, review!.message_ts!).blocks)).not.toContain('norms:support');
    const thread = h.fake.callsOf('chat.postMessage').find((c) => c.params.thread_ts === review!.message_ts)!;
    expect(String(thread.params.text)).toContain('is kept: reaffirmed on');

    // The review date moves on: six months from the reaffirmation.
    await command(h, 'U2', 'norms');
    const norms = h.lastResponseText();
    expect(norms).toContain('Reaffirmed on');
    expect(norms).toContain('by 2 of 4 members');
    expect(norms).toContain(`next review ${dateToken('2027-03-02T12:00:00Z')}`);
    h.clock.set('2026-12-01T00:00:00Z');
    await tick(h);
    expect(await reviewRows(h)).toHaveLength(1);
  });

  it('falls due by the date in the meeting’s time zone when the CoP has a meeting', async () => {
    await adoptNorm(h, 'Cameras optional');
    await h.db
      .insertInto('meetings')
      .values({
        cop_id: (await h.db.selectFrom('cops').select('id').executeTakeFirstOrThrow()).id,
        weekday: 2,
        local_time: '10:00',
        time_zone: 'Asia/Tokyo',
        length_minutes: 60,
        location: 'Room 1',
        lead_minutes: 60,
        updated_by: 'U1',
        updated_at: new Date(),
      })
      .execute();
    // Adopted 2 March 18:00 Tokyo: due 2 September in Tokyo, which starts at 15:00 UTC on 1 September.
    h.clock.set('2026-09-01T14:59:00Z');
    await tick(h);
    expect(await reviewRows(h)).toHaveLength(0);
    h.clock.set('2026-09-01T15:00:00Z');
    await tick(h);
    expect(await reviewRows(h)).toHaveLength(1);
  });

  it('not kept by the deadline: the norm stays, marked "review lapsed", and coordinators are told privately, once', async () => {
    const norm = await adoptNorm(h, 'Cameras optional');
    await command(h, 'U3', 'review 1');
    expect(h.lastResponseText()).toContain('Norm 1 is up for review');
    const [review] = await postedReviews(h);
    expect(textOf(messageAt(h, review!.message_ts!))).toContain('brought it up for review');
    await h.react('U3', '-1', review!.message_ts!);
    h.clock.advance(7 * DAY + 60_000);
    await tick(h);
    await tick(h);
    const lapsed = await h.db.selectFrom('norms').selectAll().where('id', '=', norm.id).executeTakeFirstOrThrow();
    expect(lapsed.status).toBe('adopted');
    expect(lapsed.review_lapsed_at).not.toBeNull();
    expect(textOf(messageAt(h, review!.message_ts!))).toContain('*Review lapsed*');
    const dms = h.fake.callsOf('chat.postMessage').filter((c) => textOf(c.params).includes('lapsed: it was not kept'));
    expect(dms.map((c) => c.params.channel)).toEqual(['U1']);
    await command(h, 'U2', 'norms');
    expect(h.lastResponseText()).toContain('review lapsed');
  });

  it('members joining mid-review do not change the member count the rule uses', async () => {
    await adoptNorm(h, 'Cameras optional');
    await command(h, 'U2', 'review 1');
    const [review] = await postedReviews(h);
    h.fake.addUser({ id: 'U5', tz: 'Europe/Amsterdam' });
    await h.event({
      type: 'member_joined_channel',
      user: 'U5',
      channel: HOME_CHANNEL,
      channel_type: 'C',
      team: 'T0001',
    });
    await h.waitForMembers(5);
    await h.react('U1', '+1', review!.message_ts!);
    expect(textOf(messageAt(h, review!.message_ts!))).toContain('*1* of 4 members took part');
    // Two of the four counted when it opened keep it; of five, the quorum would be three.
    await h.react('U5', '+1', review!.message_ts!);
    expect((await reviewRows(h))[0]!.status).toBe('adopted');
    expect((await reviewRows(h))[0]!.members_at_decision).toBe(4);
  });

  it('a norm changed while its review is open: the review closes as superseded, and says so', async () => {
    const norm = await adoptNorm(h, 'Cameras optional');
    await command(h, 'U2', 'review 1');
    const [review] = await postedReviews(h);

    // "Propose a change" opens the proposal modal prefilled for that norm.
    await h.clickButton('U3', 'norms:review-change', String(norm.id), { messageTs: review!.message_ts! });
    const view = h.lastOpenedView('norms:propose');
    const json = JSON.stringify(view);
    expect(json).toContain('"initial_option":{"text":{"type":"plain_text","text":"A change to an adopted norm"');
    expect(json).toContain(`"value":"${norm.id}"}`);
    expect(json).toContain('"initial_value":"Cameras optional: how we work."');
    await h.submitView('U3', view, { body: 'Cameras optional, except for demos.', rationale: 'Demos need screens.' });
    const change = await h.db
      .selectFrom('proposals')
      .selectAll()
      .where('kind', '=', 'change')
      .executeTakeFirstOrThrow();
    expect(change).toMatchObject({
      norm_id: norm.id,
      title: 'Cameras optional',
      body: 'Cameras optional, except for demos.',
    });
    for (const user of ['U1', 'U2'])
      await h.clickButton(user, 'norms:support', String(change.id), { messageTs: change.message_ts! });

    expect((await reviewRows(h))[0]!.status).toBe('superseded');
    const text = textOf(messageAt(h, review!.message_ts!));
    expect(text).toContain('*Superseded*');
    expect(JSON.stringify(messageAt(h, review!.message_ts!).blocks)).not.toContain('norms:support');
    // Votes after that change nothing.
    await h.clickButton('U4', 'norms:support', String(review!.id), { messageTs: review!.message_ts! });
    expect(h.lastResponseText()).toContain('Voting on this proposal has closed');
  });

  it('a norm retired while its review is open: superseded too; "Propose retiring it" prefills a retirement', async () => {
    const norm = await adoptNorm(h, 'Cameras optional');
    await command(h, 'U2', 'review 1');
    const [review] = await postedReviews(h);
    await h.clickButton('U3', 'norms:review-retire', String(norm.id), { messageTs: review!.message_ts! });
    const view = h.lastOpenedView('norms:propose');
    expect(JSON.stringify(view)).toContain('"text":"Retiring an adopted norm"');
    await h.submitView('U3', view, { rationale: 'We all have good cameras now.' });
    const retire = await h.db
      .selectFrom('proposals')
      .selectAll()
      .where('kind', '=', 'retire')
      .executeTakeFirstOrThrow();
    for (const user of ['U1', 'U2'])
      await h.clickButton(user, 'norms:support', String(retire.id), { messageTs: retire.message_ts! });
    expect((await reviewRows(h))[0]!.status).toBe('superseded');
    expect(textOf(messageAt(h, review!.message_ts!))).toContain('*Superseded*');
    // Its buttons now say it is no longer adopted.
    await h.clickButton('U3', 'norms:review-change', String(norm.id), { messageTs: review!.message_ts! });
    expect(h.lastResponseText()).toContain('no longer adopted');
  });

  it('a review left open on a norm changed behind it (a crash between the two) is superseded at the next tick', async () => {
    const norm = await adoptNorm(h, 'Cameras optional');
    await command(h, 'U2', 'review 1');
    const [review] = await postedReviews(h);
    h.clock.advance(60_000);
    // The change committed, but the process stopped before closing the review.
    await h.db.updateTable('norms').set({ body: 'Changed.' }).where('id', '=', norm.id).execute();
    await h.db
      .insertInto('norm_revisions')
      .values({
        norm_id: norm.id,
        proposal_id: norm.created_by_proposal_id,
        title: norm.title,
        body: 'Changed.',
        created_at: h.clock.now(),
      })
      .execute();
    await tick(h);
    expect((await reviewRows(h))[0]!.status).toBe('superseded');
    expect(textOf(messageAt(h, review!.message_ts!))).toContain('*Superseded*');
  });

  it('/cop review: one open review per norm, and clear answers for what is not a norm', async () => {
    await adoptNorm(h, 'Cameras optional');
    await command(h, 'U2', 'review');
    expect(h.lastResponseText()).toContain('Which norm? Give its number');
    await command(h, 'U2', 'review 7');
    expect(h.lastResponseText()).toContain('There is no adopted norm number 7');
    await command(h, 'U2', 'review banana');
    expect(h.lastResponseText()).toContain('Which norm?');
    await command(h, 'U2', 'review 1');
    await command(h, 'U3', 'review 1');
    expect(h.lastResponseText()).toContain('Norm 1 already has a review open');
    expect(await reviewRows(h)).toHaveLength(1);
    expect(reviewPosts(h)).toHaveLength(1);
    await command(h, 'U9', 'review 1');
    expect(h.lastResponseText()).toContain('Only members');
  });

  it('spreads due reviews out: one a day, at most two open at once; the rest wait', async () => {
    for (const title of ['One', 'Two', 'Three']) await adoptNorm(h, title);
    h.clock.set('2026-09-03T08:00:00Z');
    await tick(h);
    await tick(h);
    expect((await reviewRows(h)).map((r) => r.title)).toEqual(['One']);
    h.clock.set('2026-09-04T08:00:00Z');
    await tick(h);
    expect((await reviewRows(h)).map((r) => r.title)).toEqual(['One', 'Two']);
    h.clock.set('2026-09-05T08:00:00Z');
    await tick(h);
    expect(await reviewRows(h)).toHaveLength(2);
    // When one closes (lapses after its window), the next may open.
    h.clock.set('2026-09-10T09:00:00Z');
    await tick(h);
    expect((await reviewRows(h)).map((r) => [r.title, r.status])).toEqual([
      ['One', 'declined'],
      ['Two', 'open'],
      ['Three', 'open'],
    ]);
  });

  it('the one-day-before nudge covers reviews', async () => {
    await adoptNorm(h, 'Cameras optional');
    await command(h, 'U2', 'review 1');
    const [review] = await postedReviews(h);
    await h.react('U2', '+1', review!.message_ts!);
    h.clock.advance(6 * DAY + 60_000);
    await tick(h);
    const nudges = h.fake.callsOf('chat.postMessage').filter((c) => textOf(c.params).includes('the review of norm'));
    expect(nudges.map((c) => c.params.channel).sort()).toEqual(['U1', 'U3', 'U4']);
    expect(buttonTexts(nudges[0]!.params)).toEqual(['Keep it', 'Do not keep it']);
  });

  it('coordinators change the review rhythm from /cop norms; others cannot', async () => {
    await adoptNorm(h, 'Cameras optional');
    await command(h, 'U1', 'norms');
    expect(JSON.stringify(h.responses().at(-1)!.params)).toContain('Change the review rhythm');
    await command(h, 'U2', 'norms');
    expect(JSON.stringify(h.responses().at(-1)!.params)).not.toContain('Change the review rhythm');
    const copId = String((await h.db.selectFrom('cops').select('id').executeTakeFirstOrThrow()).id);
    await h.clickButton('U2', 'norms:rhythm-open', copId);
    expect(h.lastResponseText()).toContain('coordinators');
    await h.clickButton('U1', 'norms:rhythm-open', copId);
    const view = h.lastOpenedView('norms:rhythm');
    const refused = await h.submitView('U1', view, { review_months: '0' });
    expect(refused.body).toContain('At least 1 month');
    const forged = await h.submitView('U2', view, { review_months: '3' });
    expect(forged.body).toContain('coordinators');
    await h.submitView('U1', view, { review_months: '3' });
    expect((await h.db.selectFrom('cops').select('review_months').executeTakeFirstOrThrow()).review_months).toBe(3);
    await command(h, 'U2', 'norms');
    expect(h.lastResponseText()).toContain(`next review ${dateToken('2026-06-02T12:00:00Z')}`);
  });
});

describe('two instances and a due review', () => {
  it('post it exactly once', async () => {
    const members = ['U1', 'U2', 'U3', 'U4'];
    const a = await Harness.start({ members });
    const b = await Harness.start({ members, sharedDatabase: a.database, fake: a.fake });
    try {
      await a.setupCop('U1');
      await a.waitForMembers(4);
      await adoptNorm(a, 'Cameras optional');
      const due = new Date('2026-09-02T08:00:00Z');
      await Promise.all([a.bot.tick(due), b.bot.tick(due), a.bot.tick(due), b.bot.tick(due)]);
      await Promise.all([a.bot.tick(due), b.bot.tick(due)]);
      expect(await reviewRows(a)).toHaveLength(1);
      expect(reviewPosts(a)).toHaveLength(1);
    } finally {
      await b.stop();
      await a.stop();
    }
  });
});
