import { resolve } from 'node:path';
import { ESLint } from 'eslint';

// The layer rules of eslint.config.mjs, as `npm run lint` runs them, on planted files: each
// forbidden import is reported, and the allowed ones are not.
const root = resolve(__dirname, '../..');
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(root, filePath) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer boundaries fail the lint', () => {
  it.each([
    ['src/db/planted.ts', "import { NormsService } from '../features/norms/service';", 'src/db is storage'],
    ['src/db/planted.ts', "import type { Community } from '../features/types';", 'src/db is storage'],
    ['src/db/planted.ts', "import { enqueueDms } from '../slack/outbox';", 'src/db is storage'],
    ['src/db/planted.ts', "import type { WebClient } from '@slack/web-api';", 'nothing of Slack'],
    ['src/slack/planted.ts', "import type { FeatureContext } from '../features/types';", 'src/slack is Slack plumbing'],
    ['src/slack/planted.ts', "import { NOT_A_MEMBER } from '../features/refusals';", 'src/slack is Slack plumbing'],
    ['src/slack/planted.ts', "import { createApp } from '../app';", 'Only src/main.ts and src/app'],
    ['src/config.ts', "import { AppLogger } from './logger';", 'config is a leaf'],
    [
      'src/features/struggles/planted.ts',
      "import type { AgendaProvider } from '../meetings/agenda';",
      'do not import each other',
    ],
    [
      'src/features/meetings/planted.ts',
      "import { isMember } from '../community/repository';",
      'do not import each other',
    ],
    ['src/features/home/planted.ts', "import { normsFeature } from '../norms';", 'do not import each other'],
    [
      'src/features/norms/planted.ts',
      "import { registerCopRouter } from '../../app/cop-router';",
      'Only src/main.ts and src/app',
    ],
    ['src/features/norms/planted.ts', "import '../../main';", 'Only src/main.ts and src/app'],
    ['src/features/types.ts', "import type { Proposal } from './norms/repository';", 'contracts'],
    ['src/features/meetings/rules.ts', "import { LEAD_CHOICES } from './views';", 'rules.ts is pure'],
    ['src/features/meetings/rules.ts', "import type { MeetingInput } from './repository';", 'rules.ts is pure'],
    ['src/features/norms/rules.ts', "import { sql } from 'kysely';", 'rules.ts is pure'],
    ['src/features/norms/rules.ts', "import type { Db } from '../../db/database';", 'rules.ts is pure'],
    ['src/features/struggles/rules.ts', "import { section } from '../../slack/blocks';", 'rules.ts is pure'],
    // The one exemption (the norms vote path's membership reads) is that file and that feature only.
    [
      'src/features/norms/service.ts',
      "import { listTopics } from '../meetings/repository';",
      'do not import each other',
    ],
  ])('%s: %s', async (filePath, code, expected) => {
    const errors = await boundaryErrors(filePath, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(expected);
  });

  it('reports nothing for the allowed directions', async () => {
    const feature = [
      "import type { FeatureContext } from '../types';",
      "import { NOT_A_MEMBER } from '../refusals';",
      "import * as repo from './repository';",
      "import { section } from '../../slack/blocks';",
      "import type { Cop } from '../../db/schema';",
      "import type { AppLogger } from '../../logger';",
      'export const used = [repo, section, NOT_A_MEMBER] as const;',
      'export type Used = [FeatureContext, Cop, AppLogger];',
    ].join('\n');
    expect(await boundaryErrors('src/features/meetings/planted.ts', feature)).toEqual([]);
    const app = [
      "import { normsFeature } from '../features/norms';",
      "import { communityPort } from '../features/community/port';",
      "import { SlackRoutes } from '../slack/routes';",
      'export const used = [normsFeature, communityPort, SlackRoutes] as const;',
    ].join('\n');
    expect(await boundaryErrors('src/app/planted.ts', app)).toEqual([]);
    const rules = [
      "import type { Meeting } from '../../db/schema';",
      "import { escapeText } from '../../slack/text';",
      "import { nextOccurrence } from './schedule';",
      'export const used = [escapeText, nextOccurrence] as const;',
      'export type Used = Meeting;',
    ].join('\n');
    expect(await boundaryErrors('src/features/meetings/rules.ts', rules)).toEqual([]);
    const slack = "import type { Db } from '../db/database';\nexport type Used = Db;";
    expect(await boundaryErrors('src/slack/planted.ts', slack)).toEqual([]);
  });
});
