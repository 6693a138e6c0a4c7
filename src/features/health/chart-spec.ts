import { shortMonthName } from '../../months';
import { METRIC_LABELS, PANELS, type MonthTable } from './figures';

/** The font every label is drawn in; the renderer loads it from the dejavu-fonts-ttf package. */
export const CHART_FONT = 'DejaVu Sans';
export const PANEL_WIDTH = 560;
export const PANEL_HEIGHT = 120;

/** One row of the chart's data: a measured figure, or a panel's month with nothing measured. */
export type ChartRow =
  | { kind: 'figure'; panel: string; month: string; series: string; value: number }
  | { kind: 'gap'; panel: string; month: string; note: string };

/** A Vega-Lite spec, as plain JSON (the renderer compiles it). */
export type VegaLiteSpec = Record<string, unknown> & { datasets: { figures: ChartRow[] } };

/** The rows the chart draws: measured values, and "no data" where a panel's month has none. */
export function chartRows(months: readonly string[], table: MonthTable): ChartRow[] {
  const rows: ChartRow[] = [];
  for (const panel of PANELS) {
    for (const month of months) {
      const figures = table.get(month);
      const label = shortMonthName(month);
      const measured = panel.metrics.filter((m) => figures?.has(m));
      const drawn = measured.filter((m) => figures?.get(m) != null);
      for (const metric of drawn) {
        rows.push({
          kind: 'figure',
          panel: panel.id,
          month: label,
          series: METRIC_LABELS[metric],
          value: figures!.get(metric)!,
        });
      }
      if (drawn.length === 0) {
        const note = measured.length ? 'too few answers' : 'no data';
        rows.push({ kind: 'gap', panel: panel.id, month: label, note });
      }
    }
  }
  return rows;
}

/** The health picture as a Vega-Lite spec: one panel per part of the CoP's life, months across. */
export function chartSpec(title: string, months: readonly string[], table: MonthTable): VegaLiteSpec {
  // The months come in as a parameter (a Vega signal), not as literals in the encodings, so the
  // compiled Vega spec is the same for any months and is compiled once, ahead of time (chart.vg.json).
  const x = {
    field: 'month',
    type: 'ordinal',
    scale: { domain: { expr: 'months' } },
    title: null,
    axis: { labelAngle: 0 },
  };
  const panel = (index: number, mark: Record<string, unknown>, grouped: boolean, yDomain?: [number, number]) => {
    const { id, title: heading, metrics } = PANELS[index]!;
    const series = metrics.map((m) => METRIC_LABELS[m]);
    return {
      title: { text: heading, anchor: 'start', fontSize: 13 },
      width: PANEL_WIDTH,
      height: PANEL_HEIGHT,
      data: { name: 'figures' },
      transform: [{ filter: `datum.panel === '${id}'` }],
      layer: [
        {
          transform: [{ filter: "datum.kind === 'figure'" }, { calculate: 'indexof(months, datum.month)', as: 'slot' }],
          mark,
          encoding: {
            x,
            // Lines join the months in calendar order (not the labels' alphabetical order).
            ...(mark.type === 'line' ? { order: { field: 'slot', type: 'quantitative' } } : {}),
            y: {
              field: 'value',
              type: 'quantitative',
              title: null,
              ...(yDomain ? { scale: { domain: yDomain } } : {}),
            },
            color: {
              field: 'series',
              type: 'nominal',
              scale: { domain: series },
              legend: { title: null, orient: 'right', labelLimit: 320 },
            },
            ...(grouped ? { xOffset: { field: 'series', sort: series } } : {}),
          },
        },
        {
          transform: [{ filter: "datum.kind === 'gap'" }],
          mark: { type: 'text', color: '#888', fontStyle: 'italic' },
          encoding: { x, y: { value: PANEL_HEIGHT / 2 }, text: { field: 'note' } },
        },
      ],
    };
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, fontSize: 16, anchor: 'start' },
    background: 'white',
    padding: 12,
    config: { font: CHART_FONT, view: { stroke: '#ddd' } },
    params: [{ name: 'months', value: months.map(shortMonthName) }],
    datasets: { figures: chartRows(months, table) },
    vconcat: [
      panel(0, { type: 'line', point: true }, false),
      panel(1, { type: 'bar', width: { band: 0.5 } }, false, [0, 100]),
      panel(2, { type: 'bar' }, true),
      panel(3, { type: 'line', point: true }, false, [1, 5]),
    ],
    resolve: { scale: { color: 'independent' } },
  };
}

/** Stands for the title in the blank spec (an empty title would be left out of the compiled one). */
export const TITLE_PLACEHOLDER = '(title)';

/**
 * The spec without what changes from chart to chart (its title, months and figures): the part
 * compiled to Vega ahead of time into chart.vg.json (`npm run chart:compile`).
 */
export function blankSpec(spec: VegaLiteSpec): VegaLiteSpec {
  const blank = structuredClone(spec);
  blank.title = { ...(blank.title as Record<string, unknown>), text: TITLE_PLACEHOLDER };
  blank.params = (blank.params as { name: string }[] | undefined)?.map((p) =>
    p.name === 'months' ? { ...p, value: [] } : p,
  );
  blank.datasets = { figures: [] };
  return blank;
}
