import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CAPABILITY_SECRET_FILE, capabilityKeys } from '../../src/capability-secret';
import { Capabilities } from '../../src/features/struggles/capability';
import { AppLogger } from '../../src/logger';

describe('the capability secret', () => {
  let dir: string;
  let logs: string[];
  let logger: AppLogger;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cop-secret-'));
    logs = [];
    logger = new AppLogger('info', (line) => logs.push(line));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const base = { slackSigningSecret: 'signing', slackBotToken: 'xoxb-1', capabilitySecretPrevious: undefined };

  it('embedded: generated once into COP_DATA_DIR (created if missing), readable by its owner only, then reused', () => {
    const dataDir = join(dir, 'data', 'nested');
    const config = { ...base, capabilitySecret: undefined, databaseUrl: undefined, dataDir };
    const first = capabilityKeys(config, logger);
    const file = join(dataDir, CAPABILITY_SECRET_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.current);
    expect(first.current.length).toBeGreaterThanOrEqual(43);
    expect(first.current).not.toBe('signing');
    expect(capabilityKeys(config, logger).current).toBe(first.current);
    expect(logs).toHaveLength(0);
  });

  it('with DATABASE_URL and none set: derived from the signing secret, said once at start', () => {
    const config = { ...base, capabilitySecret: undefined, databaseUrl: 'postgres://x', dataDir: dir };
    expect(capabilityKeys(config, logger).current).toBe('signing');
    expect(logs.filter((l) => l.includes('Set COP_CAPABILITY_SECRET'))).toHaveLength(1);
    expect(() => statSync(join(dir, CAPABILITY_SECRET_FILE))).toThrow();
  });

  it('COP_CAPABILITY_SECRET wins, and the previous one still verifies links signed before the rotation', () => {
    const config = {
      ...base,
      capabilitySecret: 'new-key',
      capabilitySecretPrevious: 'old-key',
      databaseUrl: undefined,
      dataDir: dir,
    };
    const keys = capabilityKeys(config, logger);
    expect(keys).toEqual({ current: 'new-key', previous: ['old-key'] });

    const oldLink = new Capabilities('old-key').issue(7);
    const rotated = new Capabilities(keys.current, keys.previous);
    expect(rotated.verify(oldLink)).toBe(7);
    expect(rotated.issue(7)).not.toBe(oldLink);
    expect(new Capabilities('old-key').verify(rotated.issue(7))).toBeUndefined();
    // Without the previous key, an old link no longer verifies; nor does an altered one.
    expect(new Capabilities('new-key').verify(oldLink)).toBeUndefined();
    expect(rotated.verify(oldLink.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')))).toBeUndefined();
    expect(rotated.verify(oldLink.replace('s1.7.', 's1.8.'))).toBeUndefined();
  });
});
