import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { withDeadline } from '../../deadline';
import { CHART_FONT, type VegaLiteSpec } from './chart-spec';
import { vegaSpec, type VegaSpec } from './chart-vega';

/** The PNG's width in pixels; its height follows the chart's proportions. */
export const CHART_WIDTH_PX = 960;
const STEP_TIMEOUT_MS = 15_000;
/**
 * Each step's heap. V8's default young generation (16 MB semi-spaces) grows to its full size
 * during a chart; 2 MB costs no measurable time and ~10 MB less memory. Drawing uses about 17 MB
 * of old generation; the cap keeps V8 from growing far past that (a chart that needed more would
 * fail alone, and its summary is posted in words).
 */
const HEAP_LIMITS = { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 48 };

/**
 * Step one, Vega (compiled ahead of time from Vega-Lite, see chart-vega.ts) → SVG, headless.
 * Vega comes from its single minified bundle, not its forty ES modules: one script to compile,
 * ~4 MB less memory and a quarter less time. That bundle is a UMD script in a package marked
 * "type": "module", so import() would run it as an ES module that exports nothing; it runs here as
 * the CommonJS script it is. The steps are plain CommonJS evaluated as is, so they run the same
 * from `dist/` and under the test runner.
 */
const DRAW_SVG = `
const { parentPort, workerData } = require('node:worker_threads');
const file = workerData.vega;
const source = require('node:fs').readFileSync(file, 'utf8');
const vega = { exports: {} };
require('node:vm').runInThisContext('(function (exports, module) {' + source + '\\n})', { filename: file })(vega.exports, vega);
const view = new vega.exports.View(vega.exports.parse(workerData.spec), { renderer: 'none' });
view.toSVG().then((svg) => {
  view.finalize();
  parentPort.postMessage(svg);
});
`;

/** Step two, SVG → PNG by resvg, with the shipped font only (no system fonts): the same everywhere. */
const RASTERIZE = `
const { parentPort, workerData } = require('node:worker_threads');
const { Resvg } = require(workerData.resvg);
const resvg = new Resvg(workerData.svg, {
  fitTo: { mode: 'width', value: workerData.width },
  font: { fontFiles: workerData.fonts, loadSystemFonts: false, defaultFontFamily: workerData.family },
});
parentPort.postMessage(resvg.render().asPng());
`;

function modulePaths() {
  const fonts = dirname(require.resolve('dejavu-fonts-ttf/package.json'));
  return {
    vega: join(dirname(require.resolve('vega')), 'vega.min.js'),
    resvg: require.resolve('@resvg/resvg-js'),
    fonts: [join(fonts, 'ttf', 'DejaVuSans.ttf'), join(fonts, 'ttf', 'DejaVuSans-Bold.ttf')],
  };
}

export interface RenderedChart {
  readonly png: Buffer;
  readonly svg: string;
}

/**
 * Renders Vega-Lite specs to PNG off the main thread: the bot keeps acking while it draws.
 * Each chart runs in two short-lived threads, one after the other: vega draws the SVG, then
 * resvg rasterizes it. Each thread ends with its step and its memory goes with it, so a chart
 * never holds vega's heap and resvg's pixels at once, and nothing stays resident between charts.
 * Charts run one at a time (the monthly post renders one per CoP in a row). A failure, a crash
 * or a hang rejects that chart only.
 */
export class ChartRenderer {
  private queue: Promise<unknown> = Promise.resolve();

  render(spec: VegaLiteSpec, width = CHART_WIDTH_PX): Promise<RenderedChart> {
    const job = this.queue.then(() => this.renderNow(vegaSpec(spec), width));
    this.queue = job.catch(() => undefined);
    return job;
  }

  /** Waits for the chart in hand, if any (shutdown, tests). */
  async close(): Promise<void> {
    await this.queue;
  }

  private async renderNow(spec: VegaSpec, width: number): Promise<RenderedChart> {
    const paths = modulePaths();
    const svg = await this.step<string>('drawing', DRAW_SVG, { vega: paths.vega, spec });
    const png = await this.step<Uint8Array>('rasterizing', RASTERIZE, {
      resvg: paths.resvg,
      fonts: paths.fonts,
      family: CHART_FONT,
      svg,
      width,
    });
    return { png: Buffer.from(png), svg };
  }

  /** Runs one step on a fresh thread and ends the thread with its answer, whatever it is. */
  private step<T>(name: string, source: string, workerData: object): Promise<T> {
    const worker = new Worker(source, { eval: true, resourceLimits: HEAP_LIMITS, workerData });
    const answer = new Promise<T>((resolve, reject) => {
      worker
        .once('message', (value: T) => resolve(value))
        .once('error', (error: Error) => reject(new Error(`${name} the chart failed: ${error.stack ?? error.message}`)))
        .once('exit', (code: number) => reject(new Error(`${name} the chart stopped (exit code ${code})`)));
    });
    const late = () => new Error(`${name} the chart took over ${STEP_TIMEOUT_MS} ms`);
    return withDeadline(answer, STEP_TIMEOUT_MS, late).finally(() => worker.terminate());
  }
}
