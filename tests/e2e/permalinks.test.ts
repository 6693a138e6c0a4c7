import { Harness } from '../support/harness';
import { propose } from '../support/norms';

/** Links to messages come from chat.getPermalink: a custom or Enterprise Grid domain is kept. */
describe('links to proposal messages', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.start({ members: ['U1', 'U2'] });
    h.fake.on('chat.getPermalink', (params) => ({
      ok: true,
      permalink: `https://acme.enterprise.slack.com/archives/${String(params.channel)}/p${String(params.message_ts).replace('.', '')}`,
    }));
    await h.setupCop('U1');
  }, 120_000);
  afterAll(() => h?.stop());

  it('/cop norms links each open proposal by its permalink, not a hand-built slack.com URL', async () => {
    const proposal = await propose(h, 'U2', { title: 'Agendas a day ahead' });
    await h.command('U1', 'norms');
    await h.fake.waitFor('response_url', (c) => JSON.stringify(c.params).includes('Agendas a day ahead'));
    const shown = h.lastResponseText();
    const permalink = `https://acme.enterprise.slack.com/archives/${proposal.channel_id}/p${proposal.message_ts!.replace('.', '')}`;
    expect(JSON.stringify(h.responses().at(-1)!.params)).toContain(`<${permalink}|Agendas a day ahead>`);
    expect(shown).not.toContain('https://slack.com/archives');
  });

  it('without a permalink (Slack cannot give one now) the title is shown unlinked', async () => {
    h.fake.inject('chat.getPermalink', { body: { ok: false, error: 'internal_error' } });
    await propose(h, 'U2', { title: 'Demos on Fridays' });
    h.fake.clearCalls();
    await h.command('U1', 'norms');
    const reply = await h.fake.waitFor('response_url', (c) => JSON.stringify(c.params).includes('Demos on Fridays'));
    expect(JSON.stringify(reply.params)).toContain('*Demos on Fridays*');
  });
});
