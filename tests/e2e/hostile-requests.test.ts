/**
 * SPEC "HTTP surface": no correctly signed request, whatever its body, gets a 5xx or stops the
 * process; a timestamp more than 5 minutes away, past or future, is refused with 401.
 * Hostile bodies go through the real HTTP receiver, signed as Slack signs.
 */
import { Harness, HOME_CHANNEL, SIGNING_SECRET } from '../support/harness';
import { TEAM_ID } from '../support/fake-slack';
import { rowCounts } from '../support/row-counts';
import { form, postSigned } from '../support/slack-requests';

const JSON_TYPE = 'application/json';
const FORM_TYPE = 'application/x-www-form-urlencoded';

const user = { id: 'U1', team_id: TEAM_ID };
const team = { id: TEAM_ID, domain: 'example' };
const event = (inner: unknown) =>
  JSON.stringify({
    token: 'legacy',
    team_id: TEAM_ID,
    api_app_id: 'A0COP',
    type: 'event_callback',
    event_id: 'Ev1',
    event: inner,
  });
const payload = (value: unknown) => form({ payload: JSON.stringify(value) });

const hostile: Array<[string, string, string]> = [
  ['JSON null', 'null', JSON_TYPE],
  ['a JSON array', '[1,2,3]', JSON_TYPE],
  ['a JSON string', '"hello"', JSON_TYPE],
  ['a JSON number', '42', JSON_TYPE],
  ['JSON true', 'true', JSON_TYPE],
  ['an empty object', '{}', JSON_TYPE],
  ['an empty body', '', JSON_TYPE],
  ['not JSON', '{"type":', JSON_TYPE],
  [
    'an event_callback without event',
    JSON.stringify({ type: 'event_callback', event_id: 'Ev1', team_id: TEAM_ID }),
    JSON_TYPE,
  ],
  ['an event_callback whose event is null', event(null), JSON_TYPE],
  ['an event that is an array', event([]), JSON_TYPE],
  ['an event without a type', event({ user: 'U1' }), JSON_TYPE],
  ['an event whose user is null', event({ type: 'reaction_added', user: null }), JSON_TYPE],
  ['an event whose channel is null', event({ type: 'message', channel: null }), JSON_TYPE],
  ['an event whose item is a number', event({ type: 'reaction_added', user: 'U1', item: 5 }), JSON_TYPE],
  ['url_verification without challenge', JSON.stringify({ type: 'url_verification' }), JSON_TYPE],
  ['payload=null', form({ payload: 'null' }), FORM_TYPE],
  ['payload=[]', form({ payload: '[]' }), FORM_TYPE],
  ['payload as a string', form({ payload: '"block_actions"' }), FORM_TYPE],
  ['payload as a number', form({ payload: '7' }), FORM_TYPE],
  ['payload not JSON', form({ payload: '{oops' }), FORM_TYPE],
  ['payload given twice', 'payload=%7B%7D&payload=%7B%7D', FORM_TYPE],
  ['an unknown interaction type', payload({ type: 'nonsense', user, team }), FORM_TYPE],
  // Bolt keeps a client pool per team id in a plain object: "toString" would find Object.prototype's.
  [
    'a shortcut whose team id is "toString"',
    payload({ type: 'shortcut', user, team: { id: 'toString' }, callback_id: 'struggles:helpful', trigger_id: 't' }),
    FORM_TYPE,
  ],
  [
    'an event whose team_id is "__proto__"',
    event({ type: 'app_home_opened', user: 'U1' }).replace(TEAM_ID, '__proto__'),
    JSON_TYPE,
  ],
  ['block_actions without actions', payload({ type: 'block_actions', user, team }), FORM_TYPE],
  ['block_actions with a null action', payload({ type: 'block_actions', user, team, actions: [null] }), FORM_TYPE],
  [
    'block_actions without user',
    payload({ type: 'block_actions', team, actions: [{ action_id: 'x', type: 'button' }] }),
    FORM_TYPE,
  ],
  [
    'block_actions whose user is a string',
    payload({ type: 'block_actions', user: 'U1', team, actions: [] }),
    FORM_TYPE,
  ],
  ['view_submission whose view is null', payload({ type: 'view_submission', user, team, view: null }), FORM_TYPE],
  [
    'view_submission without state',
    payload({ type: 'view_submission', user, team, view: { id: 'V1', callback_id: 'x' } }),
    FORM_TYPE,
  ],
  [
    'block_suggestion without value',
    payload({ type: 'block_suggestion', user, team, action_id: 'a', block_id: 'b' }),
    FORM_TYPE,
  ],
  [
    'message_action without message',
    payload({ type: 'message_action', user, team, callback_id: 'x', channel: { id: HOME_CHANNEL } }),
    FORM_TYPE,
  ],
  [
    'a command without user_id',
    form({ command: '/cop', text: 'setup', channel_id: HOME_CHANNEL, team_id: TEAM_ID }),
    FORM_TYPE,
  ],
  ['a command without anything', form({ command: '/cop' }), FORM_TYPE],
  [
    'a command with its text twice',
    'command=%2Fcop&text=a&text=b&user_id=U1&channel_id=C0COP&team_id=T0001&trigger_id=t&response_url=http%3A%2F%2Fx',
    FORM_TYPE,
  ],
  ['a form with no known fields', form({ hello: 'world' }), FORM_TYPE],
];

describe('SPEC: no signed body can crash or 5xx the bot', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.start({ members: ['U1', 'U2', 'U3'] });
  });
  afterAll(() => h.stop());
  const url = () => `${h.url}/slack/events`;

  it.each(hostile)('%s gets a 4xx within 3 s, and the bot keeps serving', async (_what, body, contentType) => {
    const before = await rowCounts(h.db);
    const started = Date.now();
    const result = await postSigned(url(), SIGNING_SECRET, body, contentType);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result.status).toBeGreaterThanOrEqual(400);
    expect(result.status).toBeLessThan(500);
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    expect(await rowCounts(h.db)).toEqual(before);
  });

  it('logs a refused body once, without its content', async () => {
    const mark = h.logs.length;
    const secretText = 'my-private-struggle-text';
    const result = await postSigned(
      url(),
      SIGNING_SECRET,
      payload({ type: 'block_actions', text: secretText }),
      FORM_TYPE,
    );
    expect(result.status).toBe(400);
    const lines = h.logs.slice(mark).filter((l) => l.includes('not a Slack envelope'));
    expect(lines).toHaveLength(1);
    expect(h.logs.slice(mark).join('\n')).not.toContain(secretText);
  });

  it('after all of them, a real command still works', async () => {
    await h.setupCop('U1');
    expect(await h.db.selectFrom('cops').selectAll().execute()).toHaveLength(1);
  });

  it('an interaction no listener handles (view_closed) is answered at once', async () => {
    const started = Date.now();
    const result = await postSigned(
      url(),
      SIGNING_SECRET,
      payload({ type: 'view_closed', user, team, view: { id: 'V1', callback_id: 'nobody' }, is_cleared: false }),
      FORM_TYPE,
    );
    expect(result.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('a notice Bolt routes nowhere (app_rate_limited) is acknowledged at once', async () => {
    const body = JSON.stringify({
      token: 'x',
      type: 'app_rate_limited',
      team_id: TEAM_ID,
      minute_rate_limited: 1,
      api_app_id: 'A0COP',
    });
    const result = await postSigned(url(), SIGNING_SECRET, body, JSON_TYPE);
    expect(result.status).toBe(200);
  });
});

describe('SPEC: the timestamp window, both ways', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.start({ members: ['U1', 'U2', 'U3'] });
  });
  afterAll(() => h.stop());

  const command = () =>
    form({
      command: '/cop',
      text: 'setup',
      user_id: 'U1',
      channel_id: HOME_CHANNEL,
      team_id: TEAM_ID,
      trigger_id: 'trigger.1',
      response_url: h.fake.responseUrl(),
    });
  const at = (offsetS: number) => Math.floor(Date.now() / 1000) + offsetS;

  it.each([
    ['6 minutes ahead', 6 * 60],
    ['10 minutes ahead', 10 * 60],
    ['6 minutes behind', -6 * 60],
  ])('a request signed %s is refused with 401 and nothing is stored', async (_what, offset) => {
    const result = await postSigned(`${h.url}/slack/events`, SIGNING_SECRET, command(), FORM_TYPE, {
      timestamp: at(offset),
    });
    expect(result.status).toBe(401);
    expect(await h.db.selectFrom('cops').selectAll().execute()).toHaveLength(0);
  });

  it('a request signed 4 minutes ahead is accepted', async () => {
    const result = await postSigned(`${h.url}/slack/events`, SIGNING_SECRET, command(), FORM_TYPE, {
      timestamp: at(4 * 60),
    });
    expect(result.status).toBe(200);
    expect(await h.db.selectFrom('cops').selectAll().execute()).toHaveLength(1);
  });
});
