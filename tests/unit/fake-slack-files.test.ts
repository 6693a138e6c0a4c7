import { WebClient } from '@slack/web-api';
import { FakeSlack } from '../support/fake-slack';

// The fake's files.uploadV2 steps are what the charter and health tests rely on: check them
// against the real Web API client, bytes intact.
describe('fake Web API: files.uploadV2 and pins', () => {
  let fake: FakeSlack;
  beforeAll(async () => (fake = await new FakeSlack().start()));
  afterAll(() => fake.stop());

  it('keeps the uploaded bytes and where they were shared', async () => {
    const client = new WebClient('xoxb-test', { slackApiUrl: fake.url });
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0x10]);
    await client.files.uploadV2({
      channel_id: 'D123',
      file: bytes,
      filename: 'health.png',
      title: 'Health',
      initial_comment: 'hello',
    });
    const [file] = [...fake.files.values()];
    expect(file?.filename).toBe('health.png');
    expect(file?.bytes.equals(bytes)).toBe(true);
    expect(file?.shared).toEqual({ channelId: 'D123', threadTs: undefined, initialComment: 'hello' });
  });

  it('pins a posted message once and lists it', async () => {
    const client = new WebClient('xoxb-test', { slackApiUrl: fake.url });
    const posted = await client.chat.postMessage({ channel: 'C1', text: 'charter' });
    await client.pins.add({ channel: 'C1', timestamp: posted.ts! });
    await expect(client.pins.add({ channel: 'C1', timestamp: posted.ts! })).rejects.toThrow(/already_pinned/);
    const listed = await client.pins.list({ channel: 'C1' });
    expect(listed.items?.map((i) => i.message?.ts)).toEqual([posted.ts]);
  });
});
