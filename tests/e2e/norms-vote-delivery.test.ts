import { communityPort } from '../../src/features/community/port';
import { ProposalPublisher } from '../../src/features/norms/publisher';
import { claimOutcomeReply } from '../../src/features/norms/repository';
import { NormsService } from '../../src/features/norms/service';
import { writeVotes } from '../../src/features/norms/vote-batches';
import { AppLogger } from '../../src/logger';
import { WebClient } from '@slack/web-api';
import { postOnce } from '../../src/slack/post';
import { reactionVote } from '../../src/features/norms/votes';
import { BOT_USER_ID } from '../support/fake-slack';
import { Harness, HOME_CHANNEL, textOf } from '../support/harness';
import { messageText, propose, stances } from '../support/norms';
import { waitUntil } from '../support/wait';

/** Issue 10: every proposal message ends up showing its true tally, and early voters count. */
describe('a vote reaches the tally whatever arrives late or fails', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start({ members: ['U1', 'U2', 'U3', 'U4'] });
    await h.setupCop('U1');
  });
  afterEach(() => h.stop());

  type Posted = Awaited<ReturnType<typeof propose>>;
  /** Reactions stored as an instance stores them (events claimed), with no settle run after: nothing shown. */
  async function storedVotes(p: Posted, tag: string, votes: Array<[user: string, reaction: string]>) {
    const at = Math.floor(h.clock.now().getTime() / 1000);
    const stored = votes.map(([userId, reaction], i) =>
      reactionVote({
        eventId: `Ev${tag}${i}`,
        channelId: HOME_CHANNEL,
        messageTs: p.message_ts!,
        userId,
        reaction,
        removed: false,
        eventTs: `${at}.${String(100 + i).padStart(6, '0')}`,
      })!,
    );
    await writeVotes(h.db, stored, h.clock.now());
  }
  /** Another instance reads the tally and adopts it (norm and all), then stops: no message, no reply. */
  async function adoptedElsewhere(p: Posted) {
    const elsewhere = new NormsService(h.db, communityPort(h.db), h.clock, new AppLogger('error'));
    expect((await elsewhere.settle(p.id))?.closed).toBe('adopted');
  }
  const outcomeReplies = (p: Posted) =>
    h.fake.callsOf('chat.postMessage').filter((c) => c.params.thread_ts === p.message_ts && c.params.reply_broadcast);

  it('a vote stored whose delivery was refused (its answer lost after the commit) shows once Slack delivers it again', async () => {
    const p = await propose(h, 'U1');
    // What the first delivery left: the vote and its event's claim committed, no settle run
    // (the connection dropped before the commit's answer, so the listener failed and refused).
    await storedVotes(p, 'LostAnswer', [['U2', '+1']]);
    expect(await stances(h, p.id)).toEqual({ U2: 'support' });
    expect(messageText(h, p)).toContain(':+1: *0* support');

    const again = await h.react('U2', '+1', p.message_ts!, { eventId: 'EvLostAnswer0' });
    expect(again.status).toBe(200);
    await waitUntil('the message to show the stored vote', () => messageText(h, p).includes(':+1: *1* support'));
    expect(await stances(h, p.id)).toEqual({ U2: 'support' });
  });

  it('a message left behind its votes (the instance stopped before updating it) catches up at the next tick', async () => {
    const p = await propose(h, 'U1');
    // Votes stored by an instance that stopped before its settle ran: nothing in memory remembers them.
    // One for, one against: still open, so only a message refresh can show them.
    await storedVotes(p, 'Stopped', [
      ['U2', '+1'],
      ['U3', '-1'],
    ]);
    expect(messageText(h, p)).toContain(':+1: *0* support');

    await h.bot.tick();
    expect(messageText(h, p)).toContain(':+1: *1* support · :-1: *1* object');
    expect(h.logs.join('\n')).toContain('brought 1 proposal message(s) up to their tally');
    // Shown: the next tick leaves it alone.
    const updates = h.fake.callsOf('chat.update').length;
    await h.bot.tick();
    expect(h.fake.callsOf('chat.update')).toHaveLength(updates);
  });

  it('a decision whose instance stopped before showing it: the next tick shows it and replies once', async () => {
    const p = await propose(h, 'U1');
    await storedVotes(p, 'Decided', [
      ['U1', '+1'],
      ['U2', '+1'],
    ]);
    await adoptedElsewhere(p);
    const replies = () => outcomeReplies(p);
    expect(replies()).toHaveLength(0);

    await h.bot.tick();
    expect(messageText(h, p)).toContain('Adopted');
    expect(replies()).toHaveLength(1);
    expect(String(replies()[0]!.params.text)).toContain('is adopted, with 2 supporters');

    // Caught up: later ticks neither update it nor reply again.
    const updates = h.fake.callsOf('chat.update').length;
    await h.bot.tick();
    expect(h.fake.callsOf('chat.update')).toHaveLength(updates);
    expect(replies()).toHaveLength(1);
  });

  it('a decision whose instance replied but stopped before recording its message: no second reply', async () => {
    const p = await propose(h, 'U1');
    await storedVotes(p, 'Replied', [
      ['U1', '+1'],
      ['U2', '+1'],
    ]);
    await adoptedElsewhere(p);
    const replies = () => outcomeReplies(p);
    // It had claimed the reply and posted it before it stopped.
    expect(await claimOutcomeReply(h.db, p.id, h.clock.now())).toBe(true);
    const client = new WebClient('xoxb-test', { slackApiUrl: h.fake.url });
    const thread = { channel: HOME_CHANNEL, thread_ts: p.message_ts!, reply_broadcast: true };
    await postOnce(client, { ...thread, text: 'adopted (the earlier reply)' }, { key: `proposal-outcome:${p.id}` });

    await h.bot.tick();
    expect(messageText(h, p)).toContain('Adopted');
    expect(replies()).toHaveLength(1);

    // Caught up: later ticks neither update it nor reply again.
    const updates = h.fake.callsOf('chat.update').length;
    await h.bot.tick();
    expect(h.fake.callsOf('chat.update')).toHaveLength(updates);
    expect(replies()).toHaveLength(1);
  });

  it('two instances catching up the same decision at once post its reply once', async () => {
    const p = await propose(h, 'U1');
    await storedVotes(p, 'Twice', [
      ['U1', '+1'],
      ['U2', '+1'],
    ]);
    await adoptedElsewhere(p);
    // A second instance's publisher on the same database and Slack, running its job at the same tick.
    const logger = new AppLogger('error');
    const service = new NormsService(h.db, communityPort(h.db), h.clock, logger);
    const other = new ProposalPublisher(new WebClient('xoxb-test', { slackApiUrl: h.fake.url }), service, logger);
    await Promise.all([h.bot.tick(), other.refreshLagging()]);
    expect(messageText(h, p)).toContain('Adopted');
    expect(outcomeReplies(p)).toHaveLength(1);
  });

  it('a message that was deleted is left alone: one warning, no retries, no error every tick', async () => {
    const p = await propose(h, 'U1');
    h.fake.inject('chat.update', { body: { ok: false, error: 'message_not_found' } });
    await storedVotes(p, 'Gone', [['U2', '+1']]);
    await h.bot.tick();
    expect(h.fake.callsOf('chat.update')).toHaveLength(1);
    expect(h.logs.join('\n')).toContain(`the message of proposal ${p.id} is gone (message_not_found)`);
    // Counted as shown: later ticks do not try again.
    await h.bot.tick();
    expect(h.fake.callsOf('chat.update')).toHaveLength(1);
    expect(h.logs.filter((line) => line.includes('"level":"ERROR"'))).toEqual([]);
  });

  it('retries a failed message update until the message shows the true tally', async () => {
    const p = await propose(h, 'U1');
    // Slack refuses the next two updates (an error the client does not retry itself).
    h.fake.inject(
      'chat.update',
      { body: { ok: false, error: 'fatal_error' } },
      { body: { ok: false, error: 'fatal_error' } },
    );
    const before = h.fake.callsOf('chat.update').length;
    expect((await h.react('U2', '+1', p.message_ts!)).status).toBe(200);
    expect(await stances(h, p.id)).toEqual({ U2: 'support' });
    // The refused update left the message stale; tried again, it catches up.
    expect(messageText(h, p)).toContain(':+1: *0* support');
    await waitUntil('the message to show the vote', () => messageText(h, p).includes(':+1: *1* support'), 15_000);
    expect(h.fake.callsOf('chat.update').length - before).toBe(3);
  }, 30_000);

  it('announces an adoption whose first message update failed, once, when the retry succeeds', async () => {
    const p = await propose(h, 'U1');
    await h.react('U1', '+1', p.message_ts!);
    h.fake.inject('chat.update', { body: { ok: false, error: 'fatal_error' } });
    await h.react('U2', '+1', p.message_ts!); // 2 of 4 support: adopted
    await waitUntil('the message to show the adoption', () => messageText(h, p).includes('*Adopted*'), 15_000);
    const told = await waitUntil('the announcement', () => {
      const replies = h.fake.callsOf('chat.postMessage').filter((c) => c.params.thread_ts === p.message_ts);
      return replies.length ? replies : undefined;
    });
    expect(told).toHaveLength(1);
    expect(textOf(told[0]!.params)).toContain('is adopted, with 2 supporters');
  }, 30_000);

  it('counts a voter whose join event has not arrived yet, and welcomes them once', async () => {
    const p = await propose(h, 'U1');
    // U5 joined the channel; Slack has not delivered member_joined_channel yet.
    h.fake.addUser({ id: 'U5', tz: 'Europe/Amsterdam' });
    h.fake.setChannelMembers(HOME_CHANNEL, ['U1', 'U2', 'U3', 'U4', 'U5', BOT_USER_ID]);
    await h.react('U5', '+1', p.message_ts!);
    expect(await stances(h, p.id)).toEqual({ U5: 'support' });
    expect(messageText(h, p)).toContain(':+1: *1* support · :-1: *0* object · *1* of 5 members took part');
    // Their button vote counts as well, and the join event, when it comes, changes nothing.
    await h.clickButton('U5', 'norms:support', String(p.id), { messageTs: p.message_ts! });
    expect(h.lastResponseText()).toContain('You support');
    // Welcomed as a join would, without holding up the vote.
    const welcomed = () => h.fake.callsOf('chat.postMessage').filter((c) => c.params.channel === 'U5');
    await waitUntil('the welcome DM', () => welcomed().length > 0);
    await h.event({
      type: 'member_joined_channel',
      user: 'U5',
      channel: HOME_CHANNEL,
      channel_type: 'C',
      team: 'T0001',
    });
    expect(welcomed()).toHaveLength(1);
    const members = await h.db.selectFrom('members').select('user_id').where('user_id', '=', 'U5').execute();
    expect(members).toHaveLength(1);
  });

  it('still refuses someone Slack does not have in the channel, and someone seen leaving', async () => {
    const p = await propose(h, 'U1');
    h.fake.addUser({ id: 'U9' });
    await h.react('U9', '+1', p.message_ts!);
    await h.clickButton('U9', 'norms:object', String(p.id), { messageTs: p.message_ts! });
    expect(h.lastResponseText()).toBe('Only members of this CoP can vote. Join its channel to take part.');
    // U4's leave arrives before Slack's member list catches up: their vote is not taken.
    await h.event({ type: 'member_left_channel', user: 'U4', channel: HOME_CHANNEL, channel_type: 'C', team: 'T0001' });
    await h.react('U4', '+1', p.message_ts!);
    expect(await stances(h, p.id)).toEqual({});
    const members = await h.db.selectFrom('members').select('user_id').orderBy('user_id').execute();
    expect(members.map((m) => m.user_id)).toEqual(['U1', 'U2', 'U3']);
  });
});
