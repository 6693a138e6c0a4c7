/**
 * The health chart's rendering cost: time and extra memory to render one picture (six months,
 * every panel filled) from its Vega-Lite spec to PNG, as `/cop health` and the monthly post do.
 * Goals (issue 13): under 1 s and under 50 MB of extra memory per chart.
 */
import { byMonth } from '../src/features/health/figures';
import { chartSpec } from '../src/features/health/chart-spec';
import { ChartRenderer } from '../src/features/health/render';
import type { HealthFigure, HealthMetric } from '../src/features/types';

const TIME_GOAL_MS = 1000;
const MEMORY_GOAL_MB = 50;
const RUNS = 5;

function figures(months: string[]): HealthFigure[] {
  const values: Record<HealthMetric, number> = {
    meetings: 4,
    attendance: 7.5,
    coreGroup: 5,
    votingShare: 64,
    strugglesShared: 6,
    strugglesAnswered: 5,
    strugglesHelpful: 3,
    pulseStruggles: 3.9,
    pulseVoice: 4.1,
  };
  return months.flatMap((month, i) =>
    Object.entries(values).map(([metric, value]) => ({
      month,
      metric: metric as HealthMetric,
      value: value + (i % 3),
    })),
  );
}

async function main(): Promise<void> {
  const months = ['2025-10', '2025-11', '2025-12', '2026-01', '2026-02', '2026-03'];
  const spec = chartSpec('The CoP’s health, October 2025 to March 2026', months, byMonth(months, figures(months)));
  const renderer = new ChartRenderer();
  // The first chart in a fresh process: what a lone `/cop health` costs.
  global.gc?.();
  const coldBaseline = process.memoryUsage().rss;
  let coldPeak = coldBaseline;
  const coldSampler = setInterval(() => (coldPeak = Math.max(coldPeak, process.memoryUsage().rss)), 5);
  const coldStart = performance.now();
  await renderer.render(spec);
  const cold = performance.now() - coldStart;
  clearInterval(coldSampler);
  const coldExtra = (Math.max(coldPeak, process.memoryUsage().rss) - coldBaseline) / 1024 / 1024;
  const times: number[] = [];
  const extra: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const started = performance.now();
    const { png } = await renderer.render(spec);
    times.push(performance.now() - started);
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    extra.push((peak - baseline) / 1024 / 1024);
    if (png.length < 1000) throw new Error('the chart came out empty');
  }
  await renderer.close();
  global.gc?.();
  const kept = (process.memoryUsage().rss - coldBaseline) / 1024 / 1024;
  const worst = (xs: number[]) => Math.max(...xs);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`Health chart (six months, every panel), drawn and rasterized off the main thread:`);
  console.log(
    `  first chart (loads vega and resvg): ${cold.toFixed(0)} ms, +${coldExtra.toFixed(1)} MB resident   ` +
      `(goal: under ${TIME_GOAL_MS} ms, ${MEMORY_GOAL_MB} MB) ${cold < TIME_GOAL_MS && coldExtra < MEMORY_GOAL_MB ? 'ok' : 'MISSED'}`,
  );
  console.log(`  then ${RUNS} more charts (the monthly post renders one per CoP in a row):`);
  console.log(
    `  time:   median ${median(times).toFixed(0)} ms, worst ${worst(times).toFixed(0)} ms   (goal: under ${TIME_GOAL_MS} ms) ${worst(times) < TIME_GOAL_MS ? 'ok' : 'MISSED'}`,
  );
  console.log(
    `  memory: median +${median(extra).toFixed(1)} MB, worst +${worst(extra).toFixed(1)} MB resident   (goal: under ${MEMORY_GOAL_MB} MB) ${worst(extra) < MEMORY_GOAL_MB ? 'ok' : 'MISSED'}`,
  );
  console.log(`  resident after all ${RUNS + 1} charts: +${kept.toFixed(1)} MB over the start (for the record)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
