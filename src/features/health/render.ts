import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CHART_FONT, type VegaLiteSpec } from './chart-spec';

/** The PNG's width in pixels; its height follows the chart's proportions. */
export const CHART_WIDTH_PX = 1200;
const RENDER_TIMEOUT_MS = 15_000;

/**
 * The renderer's code, run on a worker thread: plain CommonJS evaluated as is, so it runs the
 * same from `dist/` and under the test runner; vega and vega-lite are ES modules (with top-level
 * await), loaded with import(). Vega-Lite → Vega → SVG (headless, no canvas) → PNG by resvg, with
 * the shipped font only (no system fonts), so a chart renders the same on every machine.
 */
const RENDER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  try {
    const vega = await import(workerData.vega);
    const vegaLite = await import(workerData.vegaLite);
    const { Resvg } = require(workerData.resvg);
    const compiled = vegaLite.compile(workerData.spec).spec;
    const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
    const svg = await view.toSVG();
    view.finalize();
    const resvg = new Resvg(svg, {
      fitTo: { mode: 'width', value: workerData.width },
      font: { fontFiles: workerData.fonts, loadSystemFonts: false, defaultFontFamily: workerData.family },
    });
    const png = resvg.render().asPng();
    parentPort.postMessage({ ok: true, png, svg });
  } catch (error) {
    parentPort.postMessage({ ok: false, error: String((error && error.stack) || error) });
  }
})();
`;

function modulePaths() {
  const fonts = dirname(require.resolve('dejavu-fonts-ttf/package.json'));
  return {
    vega: pathToFileURL(require.resolve('vega')).href,
    vegaLite: pathToFileURL(require.resolve('vega-lite')).href,
    resvg: require.resolve('@resvg/resvg-js'),
    fonts: [join(fonts, 'ttf', 'DejaVuSans.ttf'), join(fonts, 'ttf', 'DejaVuSans-Bold.ttf')],
  };
}

export interface RenderedChart {
  readonly png: Buffer;
  readonly svg: string;
}

/**
 * Renders a Vega-Lite spec to PNG on a worker thread of its own: the bot keeps acking while it
 * renders, and the renderer's memory goes when the thread ends. Rejects on any failure.
 */
export function renderChart(spec: VegaLiteSpec, width = CHART_WIDTH_PX): Promise<RenderedChart> {
  return new Promise((resolve, reject) => {
    let worker: Worker;
    try {
      worker = new Worker(RENDER_SOURCE, {
        eval: true,
        workerData: { ...modulePaths(), spec, width, family: CHART_FONT },
      });
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`rendering the chart took over ${RENDER_TIMEOUT_MS} ms`));
    }, RENDER_TIMEOUT_MS);
    const done = () => {
      clearTimeout(timer);
      void worker.terminate();
    };
    worker.once('message', (reply: { ok: true; png: Uint8Array; svg: string } | { ok: false; error: string }) => {
      done();
      if (reply.ok) resolve({ png: Buffer.from(reply.png), svg: reply.svg });
      else reject(new Error(`rendering the chart failed: ${reply.error}`));
    });
    worker.once('error', (error) => {
      done();
      reject(error);
    });
    worker.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the chart renderer stopped (exit code ${code}) before answering`));
    });
  });
}
