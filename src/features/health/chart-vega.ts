import { isDeepStrictEqual } from 'node:util';
import { blankSpec, type ChartRow, type VegaLiteSpec } from './chart-spec';
import compiled from './chart.vg.json';

/** A Vega spec, as plain JSON (what the renderer draws). */
export type VegaSpec = Record<string, unknown>;

interface CompiledChart {
  readonly vegaLite: unknown;
  readonly vega: VegaSpec & {
    title: { text: string };
    signals: { name: string; value?: unknown }[];
    data: { name: string; values?: unknown }[];
  };
}

const chart = compiled as unknown as CompiledChart;

/**
 * The chart's Vega spec: the one compiled ahead of time (chart.vg.json), given this chart's
 * title, months and figures, so vega-lite is never loaded at run time. A spec of another shape
 * (chart-spec.ts changed without `npm run chart:compile`) is refused rather than drawn wrong.
 */
export function vegaSpec(spec: VegaLiteSpec): VegaSpec {
  if (!isDeepStrictEqual(JSON.parse(JSON.stringify(blankSpec(spec))), chart.vegaLite)) {
    throw new Error('the chart is not the one compiled into chart.vg.json (run npm run chart:compile)');
  }
  const vega = structuredClone(chart.vega);
  vega.title.text = String((spec.title as { text: unknown }).text);
  const months = (spec.params as { name: string; value: unknown }[]).find((p) => p.name === 'months')!.value;
  for (const signal of vega.signals) if (signal.name === 'months') signal.value = months;
  const rows: ChartRow[] = spec.datasets.figures;
  for (const data of vega.data) if (data.name === 'figures') data.values = rows;
  return vega;
}
