import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

interface Service {
  build?: string;
  image?: string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[]; interval?: string; retries?: number };
  ports?: string[];
}

describe('compose.yaml', () => {
  const compose = parse(readFileSync(join(__dirname, '../../compose.yaml'), 'utf8'), { merge: true }) as {
    services: Record<string, Service>;
  };
  const bots = Object.entries(compose.services).filter(([, s]) => s.build === '.');

  it('runs PostgreSQL with a health check', () => {
    const db = compose.services.db!;
    expect(db.image).toMatch(/^postgres:/);
    expect(db.healthcheck?.test.join(' ')).toContain('pg_isready');
  });

  it('runs two bot replicas on that database, each with a health check on /healthz', () => {
    expect(bots).toHaveLength(2);
    for (const [, bot] of bots) {
      expect(bot.environment?.DATABASE_URL).toMatch(/^postgres:\/\/cop:.*@db:5432\/cop$/);
      expect(bot.depends_on?.db?.condition).toBe('service_healthy');
      expect(bot.healthcheck?.test.join(' ')).toContain('/healthz');
    }
    // Each on its own host port (health, readiness and metrics per replica).
    const hostPorts = bots.map(([, bot]) => bot.ports?.[0]?.split(':')[0]);
    expect(new Set(hostPorts).size).toBe(2);
  });
});
