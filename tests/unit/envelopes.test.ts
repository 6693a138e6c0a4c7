import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'node:querystring';
import { classifyBody } from '../../src/slack/envelopes';
import { verifySignature } from '../../src/slack/request-guard';

const REFERENCE = join(__dirname, '../../../shared/slack-reference/payloads');
const reference = (name: string): unknown => JSON.parse(readFileSync(join(REFERENCE, name), 'utf8'));

describe('the request guard accepts what Slack really sends', () => {
  const topLevel = readdirSync(REFERENCE).filter((f) => f.endsWith('.json') && f !== 'signing_test_vector.json');

  it.each(topLevel)('%s', (file) => {
    const body = reference(file) as Record<string, unknown>;
    const isForm = file.startsWith('slash_command');
    const isInteraction = ['block_actions', 'view_submission', 'shortcut'].some((t) => file.startsWith(t));
    const envelope = isForm
      ? classifyBody(body, undefined)
      : isInteraction
        ? classifyBody({ payload: JSON.stringify(body) }, body)
        : classifyBody(undefined, body);
    expect(envelope.kind).not.toBe('invalid');
  });

  it.each(readdirSync(join(REFERENCE, 'socket-mode')).filter((f) => f.startsWith('envelope_')))(
    'the payload of socket-mode/%s',
    (file) => {
      const { type, payload } = reference(join('socket-mode', file)) as {
        type: string;
        payload: Record<string, unknown>;
      };
      const envelope =
        type === 'slash_commands'
          ? classifyBody(payload, undefined)
          : type === 'interactive'
            ? classifyBody({ payload: JSON.stringify(payload) }, payload)
            : classifyBody(undefined, payload);
      expect(envelope.kind).not.toBe('invalid');
    },
  );

  it('the form-encoded slash command', () => {
    const text = readFileSync(join(REFERENCE, 'slash_command.form-urlencoded.txt'), 'utf8').trim();
    expect(classifyBody(parse(text), undefined).kind).toBe('command');
  });

  it('Slack’s signing test vector verifies, at its time and within 5 minutes either way, not beyond', () => {
    const vector = reference('signing_test_vector.json') as Record<string, string>;
    const headers = {
      'x-slack-request-timestamp': vector.x_slack_request_timestamp!,
      'x-slack-signature': vector.expected_x_slack_signature!,
    };
    const raw = Buffer.from(vector.raw_body!);
    const at = Number(vector.x_slack_request_timestamp) * 1000;
    expect(verifySignature(headers, raw, vector.signing_secret!, at)).toBeUndefined();
    expect(verifySignature(headers, raw, vector.signing_secret!, at + 299_000)).toBeUndefined();
    expect(verifySignature(headers, raw, vector.signing_secret!, at - 299_000)).toBeUndefined();
    expect(verifySignature(headers, raw, vector.signing_secret!, at + 301_000)).toMatch(/5 minutes/);
    expect(verifySignature(headers, raw, vector.signing_secret!, at - 301_000)).toMatch(/5 minutes/);
    expect(verifySignature(headers, Buffer.from(`${vector.raw_body}x`), vector.signing_secret!, at)).toMatch(
      /mismatch/,
    );
    expect(verifySignature({}, raw, vector.signing_secret!, at)).toBe('no signature');
  });
});
