import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The author's right to follow up on, or resolve, their anonymous struggle. It is a token
 * that proves "the holder may act as the author of struggle N": an HMAC over the struggle's
 * id only, with a key derived from the bot's secret. It neither contains nor derives from a
 * user ID, and the server keeps no copy: it lives in the buttons of the author's own DM.
 */
export class Capabilities {
  /** The signing key first, then keys of earlier secrets that still verify (a rotation). */
  private readonly keys: Buffer[];

  constructor(secret: string, previous: readonly string[] = []) {
    if (!secret) throw new Error('struggles need a secret to sign authors’ capabilities');
    // A key of its own, so the token says nothing about the secret it came from.
    const keyOf = (s: string) => createHmac('sha256', s).update('cop-bot/struggles/author-capability/v1').digest();
    this.keys = [secret, ...previous.filter(Boolean)].map(keyOf);
  }

  private mac(struggleId: number, key: Buffer = this.keys[0]!): string {
    return createHmac('sha256', key).update(`struggle-author:${struggleId}`).digest('base64url');
  }

  issue(struggleId: number): string {
    return `s1.${struggleId}.${this.mac(struggleId)}`;
  }

  /** The struggle id the token grants, or undefined for a forged, altered or malformed token. */
  verify(token: unknown): number | undefined {
    if (typeof token !== 'string') return undefined;
    const match = /^s1\.([1-9][0-9]{0,9})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!match) return undefined;
    const id = Number(match[1]);
    const given = Buffer.from(match[2]!);
    const valid = this.keys.some((key) => {
      const expected = Buffer.from(this.mac(id, key));
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
    return valid ? id : undefined;
  }
}
