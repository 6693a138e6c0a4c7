import { rmSync } from 'node:fs';
import { dropTemplate } from './database';
import type { EmbeddedForTests } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  await dropTemplate('postgres');
  const embedded = (globalThis as { copTestEmbedded?: EmbeddedForTests }).copTestEmbedded;
  if (embedded) {
    // The whole cluster goes, templates and all.
    await embedded.server.stop();
    rmSync(embedded.dataDir, { recursive: true, force: true });
  }
}
