/**
 * The operator's kit, through the real bot: GET /metrics in Prometheus' text format (and a
 * counter that moves after a vote), and logs that are JSON, one object a line.
 */
import { Harness } from '../support/harness';
import { parsePrometheus, sampleValue } from '../support/prometheus';
import { propose, stances } from '../support/norms';

describe('operations: /metrics and structured logs', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.start({ members: ['U1', 'U2', 'U3'] });
  });
  afterAll(() => h.stop());

  const scrape = async () => {
    const response = await fetch(`${h.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    return parsePrometheus(await response.text());
  };

  it('GET /metrics serves the ack latency, queue, votes, DMs, 429s and pool metrics', async () => {
    await h.setupCop('U1');
    const { samples, types } = await scrape();
    expect(types.get('cop_ack_seconds')).toBe('histogram');
    expect(types.get('cop_votes_counted_total')).toBe('counter');
    expect(types.get('cop_dms_total')).toBe('counter');
    expect(types.get('cop_slack_rate_limited_total')).toBe('counter');
    for (const gauge of [
      'cop_after_ack_queue_depth',
      'cop_dms_pending',
      'cop_db_pool_in_use',
      'cop_socket_connected',
    ]) {
      expect(types.get(gauge)).toBe('gauge');
    }
    // The setup command was acknowledged, and observed.
    expect(sampleValue(samples, 'cop_ack_seconds_count', { kind: 'command' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(samples, 'cop_after_ack_queue_depth')).toBe(0);
  });

  it('the votes counter moves after a vote', async () => {
    const p = await propose(h, 'U1');
    const before = sampleValue((await scrape()).samples, 'cop_votes_counted_total', { via: 'button' });
    await h.clickButton('U2', 'norms:support', String(p.id), { messageTs: p.message_ts! });
    expect(await stances(h, p.id)).toEqual({ U2: 'support' });
    const after = sampleValue((await scrape()).samples, 'cop_votes_counted_total', { via: 'button' });
    expect(after).toBe(before + 1);
  });

  it('a 429 from Slack is counted', async () => {
    const before = sampleValue((await scrape()).samples, 'cop_slack_rate_limited_total');
    h.fake.inject('chat.postEphemeral', {
      status: 429,
      headers: { 'retry-after': '0' },
      body: { ok: false, error: 'ratelimited' },
    });
    await h.bot.app.client.chat.postEphemeral({ channel: 'C0COP', user: 'U1', text: 'hello' }).catch(() => undefined);
    const after = sampleValue((await scrape()).samples, 'cop_slack_rate_limited_total');
    expect(after).toBeGreaterThan(before);
  });

  it('every log line is one JSON object with a level, a time and a message', () => {
    expect(h.logs.length).toBeGreaterThan(0);
    for (const line of h.logs) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      expect(['DEBUG', 'INFO', 'WARN', 'ERROR']).toContain(entry.level);
      expect(typeof entry.time).toBe('string');
      expect(Number.isNaN(Date.parse(String(entry.time)))).toBe(false);
      expect(typeof entry.msg).toBe('string');
    }
    const started = h.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((e) => String(e.msg).includes('CoP bot running'));
    expect(started?.level).toBe('INFO');
  });
});
