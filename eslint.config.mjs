import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/*
 * Layer boundaries (docs/architecture.md). ESLint's own no-restricted-imports, per folder:
 * no plugin to install, and each rule reads as the sentence it enforces. It matches the import
 * as written, and every import in src is relative, so each pattern names the folder an import
 * climbs to (`../features/…`, `../../app`). `import type` counts: a type is a dependency too.
 */
const FEATURES = readdirSync(join(dirname(fileURLToPath(import.meta.url)), 'src/features'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
const climbsTo = (folders) => `^(\\.\\./)+(${folders.join('|')})(/.*)?$`;

const NO_ENTRY = {
  regex: climbsTo(['app', 'main']),
  message: 'Only src/main.ts and src/app wire the app: nothing else imports them.',
};

/** A feature reads another through what app.ts hands it (ctx.community, Feature hooks), never by import. */
function featureBoundary(
  feature,
  { exceptFeatures = [], files = [`src/features/${feature}/**/*.ts`], extra = [] } = {},
) {
  const others = FEATURES.filter((f) => f !== feature && !exceptFeatures.includes(f));
  return {
    files,
    rules: restrict(
      NO_ENTRY,
      {
        regex: climbsTo(others.map((f) => `(features/)?${f}`)),
        message: `Features do not import each other: features/${feature} may import its own folder and features/*.ts (the contracts); read another feature's data through ctx (e.g. ctx.community) or a hook on its Feature object.`,
      },
      ...extra,
    ),
  };
}

/** A feature's rules.ts is pure decision logic: no Slack client, no SQL, no views. */
const PURE_RULES = [
  { group: ['@slack/*', 'kysely', 'pg'], message: 'rules.ts is pure: no Slack client and no SQL.' },
  {
    regex: '^\\./(.*views|.*modals|.*listeners|.*repository|service|publisher|index)$',
    message: 'rules.ts is pure: views, listeners, services and repositories import it, not the other way round.',
  },
  {
    regex: '^(\\.\\./)+(db/(?!schema$)|slack/(?!text$))',
    message: 'rules.ts is pure: of src/db only the schema types, of src/slack only the text helpers.',
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'dist.next/**', 'node_modules/**', 'data/**', 'coverage/**', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    files: ['src/db/migrate-cli.ts', 'bench/**', 'tests/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // Plain Node scripts npm runs before TypeScript is compiled (or installed).
    files: ['scripts/**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', process: 'readonly', __dirname: 'readonly', console: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/db/**/*.ts'],
    rules: restrict(
      NO_ENTRY,
      {
        regex: climbsTo(['features', 'slack']),
        message: 'src/db is storage: it knows no feature and no Slack plumbing.',
      },
      {
        group: ['@slack/*'],
        message: 'src/db is storage: it knows nothing of Slack.',
      },
    ),
  },
  {
    files: ['src/slack/**/*.ts'],
    rules: restrict(NO_ENTRY, {
      regex: climbsTo(['features']),
      message: 'src/slack is Slack plumbing: it knows no feature, nor their contracts (features/types.ts).',
    }),
  },
  {
    files: ['src/config.ts'],
    rules: restrict({ regex: '^\\.', message: 'config is a leaf: it imports nothing of the app.' }),
  },
  // The contracts beside the feature folders (features/types.ts, refusals.ts) name no feature.
  {
    files: ['src/features/*.ts'],
    rules: restrict(NO_ENTRY, {
      regex: `^\\./(${FEATURES.join('|')})(/.*)?$`,
      message: 'The features’ contracts (features/*.ts) import no feature folder.',
    }),
  },
  ...FEATURES.map((feature) => featureBoundary(feature)),
  ...FEATURES.map((feature) =>
    featureBoundary(feature, { files: [`src/features/${feature}/rules.ts`], extra: PURE_RULES }),
  ),
);
