import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// There is no Docker engine in CI, so the image is not built here; this pins the properties
// the README and operators rely on.
const REPO = resolve(__dirname, '../..');
const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(join(REPO, '.dockerignore'), 'utf8')
  .split('\n')
  .map((line) => line.trim());

/** Instructions with continuation lines joined and comments dropped. */
const instructions = dockerfile
  .replace(/\\\n\s*/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));
const stages = dockerfile.split(/^FROM /m).slice(1);

describe('Dockerfile', () => {
  it('is multi-stage: builds with all dependencies, runs a slim Node 20 image', () => {
    const froms = instructions.filter((i) => i.startsWith('FROM '));
    expect(froms).toHaveLength(2);
    expect(froms[0]).toMatch(/^FROM node:20[-\w.]* AS build$/);
    expect(froms[1]).toMatch(/^FROM node:20-(bookworm-)?slim AS runtime$/);
    expect(stages[0]).toMatch(/RUN npm ci\b/);
    expect(stages[0]).toMatch(/RUN npm run build/);
  });

  it('the runtime stage has production dependencies only and the compiled code', () => {
    const runtime = stages[1]!;
    expect(runtime).toMatch(/RUN npm ci --omit=dev/);
    expect(runtime).toMatch(/COPY --from=build \/app\/dist \.\/dist/);
    expect(runtime).not.toMatch(/COPY (src|tests)\b/);
    expect(runtime).toMatch(/NODE_ENV=production/);
  });

  it('runs as a non-root user with the embedded database on a volume', () => {
    const users = instructions.filter((i) => i.startsWith('USER '));
    expect(users).toHaveLength(1);
    expect(users[0]).not.toMatch(/^USER (root|0)(:|$)/);
    expect(instructions.indexOf(users[0]!)).toBeGreaterThan(
      instructions.findIndex((i) => i.startsWith('FROM node:20-')),
    );
    expect(dockerfile).toMatch(/COP_DATA_DIR=\/data/);
    expect(instructions).toContain('VOLUME ["/data"]');
    expect(instructions).toContain('EXPOSE 3000');
  });

  it('installs with scripts (the PostgreSQL binaries restore their symlinks), the build script copied first', () => {
    for (const stage of stages) {
      const install = stage.indexOf('RUN npm ci');
      expect(stage.indexOf('COPY scripts ./scripts')).toBeGreaterThan(-1);
      expect(stage.indexOf('COPY scripts ./scripts')).toBeLessThan(install);
      expect(stage.slice(install).split('\n')[0]).not.toContain('--ignore-scripts');
    }
  });

  it('the embedded server runs as the node user, its data on the /data volume it owns', () => {
    const runtime = stages[1]!;
    expect(runtime).toMatch(/chown node:node \/data/);
    expect(instructions.filter((i) => i.startsWith('USER '))).toEqual(['USER node']);
  });

  it('checks its health on /healthz with node (no curl in slim images)', () => {
    const healthcheck = instructions.find((i) => i.startsWith('HEALTHCHECK '));
    expect(healthcheck).toBeDefined();
    expect(healthcheck).toContain('CMD ["node", "-e"');
    expect(healthcheck).toContain('/healthz');
    expect(healthcheck).not.toMatch(/curl|wget/);
  });

  it('starts the bot the way npm start does, as PID 1 so it gets SIGTERM', () => {
    const cmd = instructions.filter((i) => i.startsWith('CMD '));
    expect(cmd).toEqual(['CMD ["node", "dist/src/main.js"]']);
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe('node dist/src/main.js');
  });

  it('copies every folder the build compiles, and keeps secrets and local state out of the context', () => {
    const build = JSON.parse(readFileSync(join(REPO, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
    for (const folder of build.include) expect(stages[0]).toContain(`COPY ${folder} ./${folder}`);
    for (const ignored of ['.env', 'node_modules', 'dist', 'data', '.git']) expect(dockerignore).toContain(ignored);
  });
});
