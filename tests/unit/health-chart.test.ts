import { WebClient } from '@slack/web-api';
import { execFileSync } from 'node:child_process';
import { byMonth } from '../../src/features/health/figures';
import { blankSpec, chartRows, chartSpec } from '../../src/features/health/chart-spec';
import compiled from '../../src/features/health/chart.vg.json';
import { CHART_WIDTH_PX, ChartRenderer } from '../../src/features/health/render';
import { deliverPicture } from '../../src/features/health/service';
import { altText, summaryLines } from '../../src/features/health/summary';
import type { HealthFigure } from '../../src/features/types';
import { AppLogger } from '../../src/logger';
import { FakeSlack } from '../support/fake-slack';

const MONTHS = ['2026-01', '2026-02', '2026-03'];
const FIGURES: HealthFigure[] = [
  { month: '2026-01', metric: 'meetings', value: 4 },
  { month: '2026-01', metric: 'attendance', value: 5.5 },
  { month: '2026-01', metric: 'coreGroup', value: 3 },
  { month: '2026-02', metric: 'pulseStruggles', value: null },
  { month: '2026-02', metric: 'pulseVoice', value: null },
  { month: '2026-03', metric: 'votingShare', value: 60 },
  { month: '2026-03', metric: 'strugglesShared', value: 3 },
  { month: '2026-03', metric: 'strugglesAnswered', value: 2 },
  { month: '2026-03', metric: 'strugglesHelpful', value: 1 },
  { month: '2026-03', metric: 'pulseStruggles', value: 4.2 },
  { month: '2026-03', metric: 'pulseVoice', value: 3.8 },
];

/** A PNG's width and height, from its IHDR chunk (after the 8-byte signature and the chunk header). */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('the health chart', () => {
  const table = byMonth(MONTHS, FIGURES);

  it('draws exactly the measured figures; empty months say "no data", withheld pulses "too few answers"', () => {
    const spec = chartSpec('The CoP’s health', MONTHS, table);
    const figures = spec.datasets.figures.filter((r) => r.kind === 'figure');
    expect(figures).toEqual(
      expect.arrayContaining([
        { kind: 'figure', panel: 'meetings', month: 'Jan 2026', series: 'People per meeting', value: 5.5 },
        { kind: 'figure', panel: 'meetings', month: 'Jan 2026', series: 'Core group (3 of last 4)', value: 3 },
        { kind: 'figure', panel: 'decisions', month: 'Mar 2026', series: 'Voted on decisions (%)', value: 60 },
        { kind: 'figure', panel: 'struggles', month: 'Mar 2026', series: 'Shared', value: 3 },
        { kind: 'figure', panel: 'struggles', month: 'Mar 2026', series: 'Answered', value: 2 },
        { kind: 'figure', panel: 'struggles', month: 'Mar 2026', series: 'Marked helpful', value: 1 },
        { kind: 'figure', panel: 'pulse', month: 'Mar 2026', series: 'I can bring my real struggles', value: 4.2 },
        { kind: 'figure', panel: 'pulse', month: 'Mar 2026', series: 'My voice counts', value: 3.8 },
      ]),
    );
    expect(figures).toHaveLength(8);
    // No zero is drawn for a month where nothing was measured.
    expect(figures.some((r) => r.value === 0)).toBe(false);
    const gaps = chartRows(MONTHS, table).filter((r) => r.kind === 'gap');
    expect(gaps).toContainEqual({ kind: 'gap', panel: 'meetings', month: 'Feb 2026', note: 'no data' });
    expect(gaps).toContainEqual({ kind: 'gap', panel: 'pulse', month: 'Feb 2026', note: 'too few answers' });
    expect(gaps).toContainEqual({ kind: 'gap', panel: 'pulse', month: 'Jan 2026', note: 'no data' });
  });

  it('the Vega spec checked in (chart.vg.json) is what vega-lite compiles from chart-spec.ts today', () => {
    // The bot never loads vega-lite; `npm run chart:compile` refreshes the file when this fails.
    const blank = blankSpec(chartSpec('The CoP’s health', MONTHS, table));
    expect(JSON.parse(JSON.stringify(blank))).toEqual(compiled.vegaLite);
    // vega-lite is an ES module with top-level await: compiled in a plain node process.
    const script = `import { compile } from 'vega-lite';
      let input = ''; for await (const chunk of process.stdin) input += chunk;
      process.stdout.write(JSON.stringify(compile(JSON.parse(input)).spec));`;
    const vega = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      input: JSON.stringify(blank),
      cwd: __dirname,
    });
    expect(JSON.parse(vega.toString())).toEqual(compiled.vega);
  });

  it('renders a PNG of the expected width, with the proportions of the chart', async () => {
    const spec = chartSpec('The CoP’s health', MONTHS, table);
    const renderer = new ChartRenderer();
    const { png, svg } = await renderer.render(spec).finally(() => renderer.close());
    const size = pngSize(png);
    expect(size.width).toBe(CHART_WIDTH_PX);
    const [, w, h] = /width="(\d+)" height="(\d+)"/.exec(svg)!.map(Number) as [number, number, number];
    expect(size.height).toBe(Math.round((h * CHART_WIDTH_PX) / w));
    expect(size.height).toBeGreaterThan(480);
    // The labels are text in the shipped font, drawn from the spec's data.
    expect(svg).toContain('Mar 2026');
    expect(svg).toContain('The CoP’s health');
    expect(svg).toContain('font-family="DejaVu Sans"');
  });

  it('says the same in words: two lines about the last month, the alt text month by month', () => {
    const lines = summaryLines(MONTHS, table);
    expect(lines).toEqual([
      'March 2026: no meeting held; 60% of members voted on decisions.',
      'Struggles: 3 shared, 2 answered, 1 marked helpful. Trust pulse: 4.2/5 “I can bring my real struggles to this group”, 3.8/5 “My voice counts in how we work together”.',
    ]);
    const alt = altText(MONTHS, table, lines);
    expect(alt).toContain('January 2026: 4 meetings, 5.5 per meeting, core group 3');
    expect(alt).toContain('February 2026: pulse: not enough answers to show without revealing anyone');
    expect(alt.length).toBeLessThanOrEqual(1000);
  });

  it('an empty month says so rather than showing zeros', () => {
    const lines = summaryLines(['2026-03', '2026-04'], byMonth(['2026-03', '2026-04'], FIGURES));
    expect(lines[0]).toBe(
      'April 2026: nothing was recorded this month (no meeting held, no decision, no struggle shared, no trust pulse closed).',
    );
    expect(lines[1]).toBe('The last month with anything recorded is March 2026.');
    expect(summaryLines(['2026-05'], byMonth(['2026-05'], []))[1]).toBe('Nothing was recorded in these months yet.');
  });

  it('a chart that cannot be rendered is sent as its summary in words, and the error logged', async () => {
    const fake = await new FakeSlack().start();
    const logs: string[] = [];
    try {
      const client = new WebClient('xoxb-test', { slackApiUrl: fake.url });
      const broken = { ...chartSpec('x', MONTHS, table), vconcat: [{ mark: 'no-such-mark' }] };
      const picture = {
        months: MONTHS,
        summary: summaryLines(MONTHS, table),
        altText: 'alt',
        spec: broken,
      };
      const renderer = new ChartRenderer();
      const logger = new AppLogger('info', (l) => logs.push(l));
      const render = renderer.render.bind(renderer);
      const delivered = await deliverPicture(client, logger, render, 'C1', picture, 'Heading').finally(() =>
        renderer.close(),
      );
      expect(delivered).toEqual({ fileId: null, permalink: null });
      expect(fake.files.size).toBe(0);
      const posted = fake.lastCall('chat.postMessage')!;
      expect(posted.params.channel).toBe('C1');
      expect(String(posted.params.text)).toContain('March 2026: no meeting held; 60% of members voted on decisions.');
      expect(String(posted.params.text)).toContain('could not be drawn');
      expect(logs.join('\n')).toMatch(/rendering the health chart for C1 failed/);
    } finally {
      await fake.stop();
    }
  });
});
