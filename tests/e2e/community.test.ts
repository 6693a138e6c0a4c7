import { Harness, HOME_CHANNEL } from '../support/harness';
import { BOT_USER_ID } from '../support/fake-slack';

describe('the community: setup, help and membership', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start({ members: ['U1', 'U2', 'U3'], others: ['U9'] });
  });
  afterEach(() => h.stop());

  it('/cop setup makes the channel a CoP home with its runner as coordinator', async () => {
    const result = await h.command('U1', 'setup');
    expect(result.status).toBe(200);
    expect(result.body).toBe('');

    const cop = await h.db.selectFrom('cops').selectAll().executeTakeFirstOrThrow();
    expect(cop.channel_id).toBe(HOME_CHANNEL);
    const coordinators = await h.db.selectFrom('coordinators').select('user_id').execute();
    expect(coordinators.map((c) => c.user_id)).toEqual(['U1']);
    const members = await h.db.selectFrom('members').select('user_id').orderBy('user_id').execute();
    expect(members.map((m) => m.user_id)).toEqual(['U1', 'U2', 'U3']);

    const announcement = h.fake.lastCall('chat.postMessage')!;
    expect(announcement.params.channel).toBe(HOME_CHANNEL);
    expect(String(announcement.params.text)).toContain('<@U1> is its coordinator');
    expect(h.lastResponseText()).toContain('you are its coordinator');
  });

  it('a second /cop setup says it is already set up and changes nothing', async () => {
    await h.setupCop('U1');
    await h.command('U2', 'setup');
    expect(h.lastResponseText()).toContain('already a CoP home');
    expect(h.lastResponseText()).toContain('<@U1>');
    const cops = await h.db.selectFrom('cops').selectAll().execute();
    expect(cops).toHaveLength(1);
    const coordinators = await h.db.selectFrom('coordinators').select('user_id').execute();
    expect(coordinators.map((c) => c.user_id)).toEqual(['U1']);
  });

  it('asks to be invited when it cannot read a private channel', async () => {
    h.fake.on('conversations.join', () => ({ ok: false, error: 'method_not_supported_for_channel_type' }));
    await h.command('U1', 'setup', 'CPRIVATE');
    expect(h.lastResponseText()).toContain('Invite me first');
    expect(await h.db.selectFrom('cops').selectAll().execute()).toHaveLength(0);
  });

  it.each(['', 'help', 'frobnicate'])('"/cop %s" shows the commands', async (text) => {
    await h.command('U1', text);
    const help = h.lastResponseText();
    for (const usage of ['/cop help', '/cop setup']) expect(help).toContain(usage);
    expect(h.responses().at(-1)!.params.response_type).toBe('ephemeral');
  });

  it('commands outside a CoP home say how to set one up', async () => {
    await h.command('U1', 'coordinator <@U2>', 'CELSEWHERE');
    expect(h.lastResponseText()).toContain('/cop setup');
  });

  it('keeps members current from join and leave events, ignoring bots and other channels', async () => {
    await h.setupCop('U1');
    h.fake.addUser({ id: 'U4' });
    h.fake.addUser({ id: 'UB2', is_bot: true });
    await h.event({
      type: 'member_joined_channel',
      user: 'U4',
      channel: HOME_CHANNEL,
      channel_type: 'C',
      team: 'T0001',
    });
    await h.event({
      type: 'member_joined_channel',
      user: 'UB2',
      channel: HOME_CHANNEL,
      channel_type: 'C',
      team: 'T0001',
    });
    await h.event({ type: 'member_joined_channel', user: 'U9', channel: 'COTHER', channel_type: 'C', team: 'T0001' });
    await h.event({ type: 'member_left_channel', user: 'U2', channel: HOME_CHANNEL, channel_type: 'C', team: 'T0001' });
    const members = await h.db.selectFrom('members').select('user_id').orderBy('user_id').execute();
    expect(members.map((m) => m.user_id)).toEqual(['U1', 'U3', 'U4']);
  });

  it('the periodic refresh re-reads the channel members from Slack', async () => {
    await h.setupCop('U1');
    h.fake.addUser({ id: 'U5' });
    h.fake.setChannelMembers(HOME_CHANNEL, ['U1', 'U5', BOT_USER_ID]);
    h.clock.advance(7 * 60 * 60 * 1000);
    await h.bot.tick();
    const members = await h.db.selectFrom('members').select('user_id').orderBy('user_id').execute();
    expect(members.map((m) => m.user_id)).toEqual(['U1', 'U5']);
  });

  it('coordinators can add coordinators; others cannot', async () => {
    await h.setupCop('U1');
    await h.command('U2', 'coordinator <@U3>');
    expect(h.lastResponseText()).toContain('Only this CoP’s coordinators');
    await h.command('U1', 'coordinator <@U2|u2>');
    expect(h.lastResponseText()).toContain('<@U2> is now a coordinator');
    const coordinators = await h.db.selectFrom('coordinators').select('user_id').orderBy('user_id').execute();
    expect(coordinators.map((c) => c.user_id)).toEqual(['U1', 'U2']);
  });

  it('publishes an App Home listing only the viewer’s CoPs', async () => {
    await h.setupCop('U1');
    await h.event({ type: 'app_home_opened', user: 'U2', channel: 'D2', tab: 'home', event_ts: '1.1' });
    const published = h.fake.lastCall('views.publish')!;
    expect(published.params.user_id).toBe('U2');
    expect(JSON.stringify(published.params.view)).toContain(`<#${HOME_CHANNEL}>`);

    await h.event({ type: 'app_home_opened', user: 'U9', channel: 'D9', tab: 'home', event_ts: '1.2' });
    const outsider = h.fake.lastCall('views.publish')!;
    expect(outsider.params.user_id).toBe('U9');
    expect(JSON.stringify(outsider.params.view)).not.toContain(`<#${HOME_CHANNEL}>`);
    expect(JSON.stringify(outsider.params.view)).toContain('You are not in a CoP yet');
  });
});
