// `npm run chart:compile`: compiles the health chart's Vega-Lite spec (chartSpec in
// src/features/health/chart-spec.ts, blanked of its title, months and figures) to Vega once, into
// src/features/health/chart.vg.json, so the bot never loads vega-lite: loading and compiling it
// cost the renderer ~7 MB and ~0.1 s per start. tests/unit/health-chart.test.ts fails on drift.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { compile } from 'vega-lite';

const require = createRequire(import.meta.url);
const { chartSpec, blankSpec } = require('../dist/src/features/health/chart-spec.js');
const vegaLite = blankSpec(chartSpec('', [], new Map()));
const out = fileURLToPath(import.meta.resolve('../src/features/health/chart.vg.json'));
writeFileSync(out, `${JSON.stringify({ vegaLite, vega: compile(vegaLite).spec }, null, 2)}\n`);
process.stderr.write(`wrote ${out}\n`);
