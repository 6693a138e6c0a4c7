import { WebClient } from '@slack/web-api';
import { AppLogger } from '../../src/logger';
import { POST_EVENT_TYPE, postOnce } from '../../src/slack/post';
import { FakeSlack } from '../support/fake-slack';

/** chat.postMessage through postOnce against a fake Slack that fails after posting. */
describe('postOnce: a message is never posted twice', () => {
  let fake: FakeSlack;
  let client: WebClient;
  const logger = new AppLogger('error', () => undefined);

  beforeEach(async () => {
    fake = await new FakeSlack().start();
    client = new WebClient('xoxb-test', { slackApiUrl: fake.url, retryConfig: { retries: 0 } });
  });
  afterEach(() => fake.stop());

  /** The first `times` posts are stored, then answered with a 500. */
  function failAfterPosting(times: number): void {
    let failures = 0;
    fake.on('chat.postMessage', (params) => {
      const answer = fake.post(params);
      if (failures >= times) return answer;
      failures += 1;
      return { status: 500, body: { ok: false, error: 'internal_error' } };
    });
  }

  it('a 500 after posting in a channel: found by its metadata, posted once', async () => {
    failAfterPosting(1);
    const posted = await postOnce(client, { channel: 'C1', text: 'A proposal' }, { key: 'proposal:1', logger });
    expect(fake.messagesIn('C1')).toHaveLength(1);
    expect(posted).toEqual({ channel: 'C1', ts: fake.messagesIn('C1')[0]!.ts, found: true });
    expect(fake.callsOf('chat.postMessage')).toHaveLength(1);
    expect(fake.lastCall('conversations.history')!.params.include_all_metadata).toBe('true');
  });

  it('a 500 after posting a thread reply: found in the thread, posted once', async () => {
    const parent = fake.post({ channel: 'C1', text: 'A struggle' });
    failAfterPosting(1);
    await postOnce(
      client,
      { channel: 'C1', thread_ts: String(parent.ts), text: 'A reply' },
      { key: 'reply:7', logger },
    );
    expect(fake.messagesIn('C1').filter((m) => m.thread_ts === parent.ts)).toHaveLength(1);
    expect(fake.callsOf('conversations.replies')).toHaveLength(1);
  });

  it('a 500 after posting a DM (to a user ID): found in the DM, posted once', async () => {
    failAfterPosting(1);
    await postOnce(client, { channel: 'U1', text: 'Reminder' }, { key: 'reminder:1:U1', logger });
    expect(fake.messagesIn('DU1')).toHaveLength(1);
  });

  it('a 500 before posting: nothing found, so it is posted again, once', async () => {
    fake.inject('chat.postMessage', { status: 500, body: { ok: false, error: 'internal_error' } });
    const posted = await postOnce(client, { channel: 'C1', text: 'Hello' }, { key: 'k', logger });
    expect(posted.found).toBe(false);
    expect(fake.messagesIn('C1')).toHaveLength(1);
    expect(fake.callsOf('chat.postMessage')).toHaveLength(2);
  });

  it('every post carries its key as metadata', async () => {
    await postOnce(client, { channel: 'C1', text: 'Hello' }, { key: 'setup:3' });
    expect(fake.messagesIn('C1')[0]!.metadata).toEqual({
      event_type: POST_EVENT_TYPE,
      event_payload: { key: 'setup:3' },
    });
  });

  it('a definite refusal (ok: false) is thrown without looking or retrying', async () => {
    fake.inject('chat.postMessage', { body: { ok: false, error: 'channel_not_found' } });
    await expect(postOnce(client, { channel: 'C9', text: 'x' }, { key: 'k' })).rejects.toMatchObject({
      data: { error: 'channel_not_found' },
    });
    expect(fake.callsOf('chat.postMessage')).toHaveLength(1);
    expect(fake.callsOf('conversations.history')).toHaveLength(0);
  });

  it('while the lookup fails, it does not post blindly', async () => {
    failAfterPosting(1);
    fake.inject('conversations.history', { status: 500, body: { ok: false } }, { status: 500, body: { ok: false } });
    await postOnce(client, { channel: 'C1', text: 'x' }, { key: 'k', logger });
    expect(fake.messagesIn('C1')).toHaveLength(1);
    expect(fake.callsOf('conversations.history')).toHaveLength(3);
  });

  it('lookFirst: a message posted by an earlier try is found before any post', async () => {
    fake.post({ channel: 'DU2', text: 'x', metadata: { event_type: POST_EVENT_TYPE, event_payload: { key: 'r:2' } } });
    const posted = await postOnce(client, { channel: 'U2', text: 'x' }, { key: 'r:2', lookFirst: true });
    expect(posted.found).toBe(true);
    expect(fake.callsOf('chat.postMessage')).toHaveLength(0);
  });
});
