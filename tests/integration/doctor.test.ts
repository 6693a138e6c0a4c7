/**
 * `npm run doctor` against the fake Web API and a real PostgreSQL: all green when everything
 * holds; each failure printed with its fix.
 */
import { formatChecks, manifestBotScopes, runChecks } from '../../src/doctor';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { FakeSlack } from '../support/fake-slack';

describe('npm run doctor', () => {
  let fake: FakeSlack;
  let database: TestDatabase;
  const scopes = manifestBotScopes()!;

  beforeAll(async () => {
    fake = await new FakeSlack().start();
    database = await createTestDatabase('postgres');
  });
  afterAll(async () => {
    await fake.stop();
    await database.destroy();
  });

  const grant = (granted: string[]) =>
    fake.on('auth.test', () => ({
      headers: { 'x-oauth-scopes': granted.join(',') },
      body: { ok: true, team: 'Example', user: 'copbot', user_id: 'UBOT', team_id: 'T0001' },
    }));
  const env = (extra: Record<string, string> = {}) => ({
    SLACK_BOT_TOKEN: 'xoxb-good',
    SLACK_SIGNING_SECRET: 'secret',
    SLACK_API_URL: fake.url,
    DATABASE_URL: database.url!,
    ...extra,
  });

  it('reads the bot scopes from manifest.yml', () => {
    expect(scopes).toEqual(expect.arrayContaining(['commands', 'chat:write', 'reactions:read']));
  });

  it('good tokens, every scope, a migrated database: all green', async () => {
    grant(scopes);
    const checks = await runChecks(env());
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks.map((c) => c.name)).toEqual([
      'Configuration',
      'Bot token (auth.test)',
      'Scopes granted',
      'HTTP mode',
      'Database reachable',
      'Migrations',
    ]);
    expect(formatChecks(checks)).toContain('All checks passed.');
  });

  it('a missing scope is named, with its fix', async () => {
    grant(scopes.filter((s) => s !== 'reactions:read'));
    const checks = await runChecks(env());
    const scopeCheck = checks.find((c) => c.name === 'Scopes granted')!;
    expect(scopeCheck.ok).toBe(false);
    const printed = formatChecks(checks);
    expect(printed).toContain('✘ Scopes granted: missing: reactions:read');
    expect(printed).toMatch(/fix: Add reactions:read under "OAuth & Permissions".*reinstall the app/);
    expect(printed).toContain('1 check(s) failed.');
  });

  it('a refused bot token, a refused app token and an unreachable database, each with its fix', async () => {
    fake.on('auth.test', () => ({ ok: false, error: 'invalid_auth' }));
    fake.on('apps.connections.open', () => ({ ok: false, error: 'invalid_auth' }));
    const checks = await runChecks(
      env({ SLACK_APP_TOKEN: 'xapp-bad', DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' }),
    );
    const failed = Object.fromEntries(checks.filter((c) => !c.ok).map((c) => [c.name, c]));
    expect(failed['Bot token (auth.test)']!.detail).toContain('invalid_auth');
    expect(failed['Bot token (auth.test)']!.fix).toContain('Bot User OAuth Token');
    expect(failed['Socket Mode (apps.connections.open)']!.fix).toContain('connections:write');
    expect(failed['Database reachable']!.fix).toContain('DATABASE_URL');
  });

  it('a database behind on its migrations says how to catch up', async () => {
    grant(scopes);
    const bare = await createTestDatabase('postgres', { migrate: false });
    try {
      const checks = await runChecks(env({ DATABASE_URL: bare.url! }));
      const migrations = checks.find((c) => c.name === 'Migrations')!;
      expect(migrations.ok).toBe(false);
      expect(migrations.detail).toContain('001_community');
      expect(migrations.fix).toContain('npm run migrate');
    } finally {
      await bare.destroy();
    }
  });

  it('a configuration error stops there, naming the variable', async () => {
    const checks = await runChecks({ SLACK_SIGNING_SECRET: 'x' });
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ name: 'Configuration', ok: false });
    expect(checks[0]!.detail).toContain('SLACK_BOT_TOKEN');
  });
});
