/**
 * Acceptance: "HTTP surface" in SPEC.md: signed requests only, /healthz and /readyz.
 */
import { Harness, HOME_CHANNEL, SIGNING_SECRET } from '../support/harness';
import { TEAM_ID } from '../support/fake-slack';
import { createTestDatabase } from '../support/database';
import { form, postSigned, sign, slashCommand } from '../support/slack-requests';

function setupBody(responseUrl: string): string {
  return form(
    slashCommand({
      teamId: TEAM_ID,
      channel: HOME_CHANNEL,
      user: 'U1',
      text: 'setup',
      responseUrl,
      triggerId: 'trigger.1',
    }),
  );
}

describe('SPEC: HTTP surface', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start({ members: ['U1', 'U2', 'U3'] });
  });
  afterEach(() => h.stop());

  const url = () => `${h.url}/slack/events`;
  const form_ = 'application/x-www-form-urlencoded';

  it('a bad signature is rejected with 401 and nothing is stored or sent', async () => {
    const body = setupBody(h.fake.responseUrl());
    const result = await postSigned(url(), SIGNING_SECRET, body, form_, { signature: 'v0=deadbeef' });
    expect(result.status).toBe(401);
    const wrongSecret = await postSigned(url(), 'not-the-secret', body, form_);
    expect(wrongSecret.status).toBe(401);
    expect(await h.db.selectFrom('cops').selectAll().execute()).toHaveLength(0);
    expect(h.fake.callsOf('chat.postMessage')).toHaveLength(0);
    expect(h.responses()).toHaveLength(0);
  });

  it('a missing signature is rejected with 401', async () => {
    const response = await fetch(url(), {
      method: 'POST',
      headers: { 'content-type': form_ },
      body: setupBody(h.fake.responseUrl()),
    });
    expect(response.status).toBe(401);
    expect(await h.db.selectFrom('cops').selectAll().execute()).toHaveLength(0);
  });

  it('a stale signature (over 5 minutes) is rejected with 401; a fresh one within 5 minutes is accepted', async () => {
    const body = setupBody(h.fake.responseUrl());
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    const result = await postSigned(url(), SIGNING_SECRET, body, form_, { timestamp: stale });
    expect(result.status).toBe(401);
    expect(await h.db.selectFrom('cops').selectAll().execute()).toHaveLength(0);

    const recent = Math.floor(Date.now() / 1000) - 4 * 60;
    const ok = await postSigned(url(), SIGNING_SECRET, body, form_, { timestamp: recent });
    expect(ok.status).toBe(200);
    expect(await h.db.selectFrom('cops').selectAll().execute()).toHaveLength(1);
  });

  it('a tampered body (signature of another body) is rejected and a forged vote is not stored', async () => {
    await h.setupCop('U1');
    const timestamp = Math.floor(Date.now() / 1000);
    const event = JSON.stringify({
      token: 'legacy',
      team_id: TEAM_ID,
      api_app_id: 'A0COP',
      type: 'event_callback',
      event_id: 'EvForged',
      event_time: timestamp,
      event: { type: 'member_joined_channel', user: 'U9', channel: HOME_CHANNEL, channel_type: 'C', team: TEAM_ID },
    });
    const result = await postSigned(url(), SIGNING_SECRET, event, 'application/json', {
      timestamp,
      signature: sign(SIGNING_SECRET, timestamp, event.replace('U9', 'U8')),
    });
    expect(result.status).toBe(401);
    const members = await h.db.selectFrom('members').select('user_id').execute();
    expect(members.map((m) => m.user_id)).not.toContain('U9');
    expect(
      await h.db.selectFrom('processed_events').selectAll().where('event_id', '=', 'EvForged').execute(),
    ).toHaveLength(0);
  });

  it('GET /healthz is 200 and GET /readyz is 200 while the database answers', async () => {
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${h.url}/readyz`)).status).toBe(200);
  });

  it('Slack’s URL verification challenge is answered', async () => {
    const body = JSON.stringify({ token: 'legacy', challenge: 'abc123', type: 'url_verification' });
    const result = await postSigned(url(), SIGNING_SECRET, body, 'application/json');
    expect(result.status).toBe(200);
    expect(result.body).toContain('abc123');
  });
});

describe('SPEC: /readyz when the database is gone', () => {
  it('is 503 while /healthz stays 200', async () => {
    const database = await createTestDatabase('postgres');
    const h = await Harness.start({ sharedDatabase: database });
    try {
      expect((await fetch(`${h.url}/readyz`)).status).toBe(200);
      await database.destroy();
      expect((await fetch(`${h.url}/readyz`)).status).toBe(503);
      expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    } finally {
      await h.stop();
    }
  });
});
