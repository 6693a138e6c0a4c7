import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Harness, HOME_CHANNEL, SIGNING_SECRET } from '../support/harness';
import { TEAM_ID } from '../support/fake-slack';
import { form, postSigned, sign, slashCommand } from '../support/slack-requests';

const PAYLOADS = resolve(__dirname, '../../../shared/slack-reference/payloads');

describe('the HTTP surface (SPEC.md "HTTP surface")', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start({ members: ['U1', 'U2'] });
  });
  afterEach(() => h.stop());

  const setupBody = () =>
    form(
      slashCommand({
        teamId: TEAM_ID,
        channel: HOME_CHANNEL,
        user: 'U1',
        text: 'setup',
        responseUrl: h.fake.responseUrl(),
        triggerId: 'trigger.1',
      }),
    );
  const post = (body: string, options: Parameters<typeof postSigned>[4] = {}) =>
    postSigned(`${h.url}/slack/events`, SIGNING_SECRET, body, 'application/x-www-form-urlencoded', options);

  async function nothingHappened(): Promise<void> {
    expect(await h.db.selectFrom('cops').selectAll().execute()).toEqual([]);
    expect(await h.db.selectFrom('coordinators').selectAll().execute()).toEqual([]);
    expect(h.fake.callsOf('response_url')).toEqual([]);
    expect(h.fake.callsOf('chat.postMessage')).toEqual([]);
  }

  it('a correctly signed /cop setup is taken (the control for the rejections below)', async () => {
    const result = await post(setupBody());
    expect(result.status).toBe(200);
    expect(await h.db.selectFrom('cops').select('channel_id').execute()).toEqual([{ channel_id: HOME_CHANNEL }]);
  });

  it('a bad signature is rejected with 401 and nothing is stored', async () => {
    const body = setupBody();
    const timestamp = Math.floor(Date.now() / 1000);
    const result = await post(body, { timestamp, signature: sign('not-the-signing-secret', timestamp, body) });
    expect(result.status).toBe(401);
    await nothingHappened();
  });

  it('an unsigned request on any spelling of the endpoint Bolt would take is rejected (the guard alone verifies)', async () => {
    // Bolt's own check is off (the guard verifies once): every URL Bolt routes to its handler
    // must meet the guard first, whatever follows the path.
    for (const path of ['/slack/events', '/slack/events?retry=1', '/slack/events?']) {
      const response = await fetch(`${h.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: setupBody(),
      });
      expect({ path, status: response.status }).toEqual({ path, status: 401 });
    }
    await nothingHappened();
  });

  it('a body altered after signing is rejected with 401', async () => {
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = sign(SIGNING_SECRET, timestamp, setupBody().replace('setup', 'help'));
    const result = await post(setupBody(), { timestamp, signature });
    expect(result.status).toBe(401);
    await nothingHappened();
  });

  it('a request with no signature headers is rejected with 401', async () => {
    const response = await fetch(`${h.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: setupBody(),
    });
    expect(response.status).toBe(401);
    await nothingHappened();
  });

  it('a stale timestamp (over 5 minutes old), even correctly signed, is rejected with 401', async () => {
    const body = setupBody();
    const stale = Math.floor(Date.now() / 1000) - 5 * 60 - 30;
    const result = await post(body, { timestamp: stale, signature: sign(SIGNING_SECRET, stale, body) });
    expect(result.status).toBe(401);
    await nothingHappened();
  });

  it("answers Slack's url_verification challenge", async () => {
    const body = readFileSync(resolve(PAYLOADS, 'url_verification.json'), 'utf8');
    const challenge = (JSON.parse(body) as { challenge: string }).challenge;
    const result = await postSigned(`${h.url}/slack/events`, SIGNING_SECRET, body, 'application/json');
    expect(result.status).toBe(200);
    expect(result.json()).toEqual({ challenge });
  });

  it('GET /healthz is 200 while the process runs', async () => {
    const response = await fetch(`${h.url}/healthz`);
    expect(response.status).toBe(200);
  });

  it('GET /readyz is 200 while the database answers and 503 once it does not; /healthz stays 200', async () => {
    expect((await fetch(`${h.url}/readyz`)).status).toBe(200);
    await h.database.close();
    expect((await fetch(`${h.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
  });

  it('unknown paths are 404', async () => {
    expect((await fetch(`${h.url}/nope`)).status).toBe(404);
  });
});
