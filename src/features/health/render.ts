import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CHART_FONT, type VegaLiteSpec } from './chart-spec';
import { vegaSpec, type VegaSpec } from './chart-vega';

/** The PNG's width in pixels; its height follows the chart's proportions. */
export const CHART_WIDTH_PX = 960;
const RENDER_TIMEOUT_MS = 15_000;
/**
 * The renderer thread's young generation: V8's default (16 MB semi-spaces) grows to its full
 * size during a chart and stays resident; 4 MB costs no measurable time and ~8 MB less memory.
 */
const YOUNG_GENERATION_MB = 4;
/** An idle renderer thread ends after this, giving its memory back. */
const IDLE_MS = 30_000;

/**
 * The renderer's code, run on a worker thread: plain CommonJS evaluated as is, so it runs the
 * same from `dist/` and under the test runner; vega is an ES module, loaded once with import().
 * Vega (compiled ahead of time from Vega-Lite, see chart-vega.ts) → SVG (headless, no canvas) →
 * PNG by resvg, with the shipped font only (no system fonts), so a chart renders the same everywhere.
 */
const RENDER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const loaded = (async () => ({
  vega: await import(workerData.vega),
  Resvg: require(workerData.resvg).Resvg,
}))();
parentPort.on('message', async ({ id, spec, width }) => {
  try {
    const { vega, Resvg } = await loaded;
    const view = new vega.View(vega.parse(spec), { renderer: 'none' });
    const svg = await view.toSVG();
    view.finalize();
    const resvg = new Resvg(svg, {
      fitTo: { mode: 'width', value: width },
      font: { fontFiles: workerData.fonts, loadSystemFonts: false, defaultFontFamily: workerData.family },
    });
    const png = resvg.render().asPng();
    parentPort.postMessage({ id, ok: true, png, svg });
  } catch (error) {
    parentPort.postMessage({ id, ok: false, error: String((error && error.stack) || error) });
  }
});
`;

function modulePaths() {
  const fonts = dirname(require.resolve('dejavu-fonts-ttf/package.json'));
  return {
    vega: pathToFileURL(require.resolve('vega')).href,
    resvg: require.resolve('@resvg/resvg-js'),
    fonts: [join(fonts, 'ttf', 'DejaVuSans.ttf'), join(fonts, 'ttf', 'DejaVuSans-Bold.ttf')],
  };
}

export interface RenderedChart {
  readonly png: Buffer;
  readonly svg: string;
}

type Reply = { id: number; ok: true; png: Uint8Array; svg: string } | { id: number; ok: false; error: string };

/**
 * Renders Vega-Lite specs to PNG on a thread of its own: the bot keeps acking while it renders.
 * The thread loads the renderer once and serves charts one at a time (the monthly post renders
 * one per CoP in a row); idle for 30 s, it ends and its memory goes. A failure, a crash or a
 * hang rejects that chart only; the next one starts a fresh thread.
 */
export class ChartRenderer {
  private worker: Worker | undefined;
  private idle: ReturnType<typeof setTimeout> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 0;

  render(spec: VegaLiteSpec, width = CHART_WIDTH_PX): Promise<RenderedChart> {
    const job = this.queue.then(() => this.renderNow(vegaSpec(spec), width));
    this.queue = job.catch(() => undefined);
    return job;
  }

  /** Ends the thread now (shutdown, tests). */
  async close(): Promise<void> {
    await this.queue;
    this.stop();
  }

  private renderNow(spec: VegaSpec, width: number): Promise<RenderedChart> {
    clearTimeout(this.idle);
    const worker = this.thread();
    const id = ++this.nextId;
    return new Promise<RenderedChart>((resolve, reject) => {
      const fail = (error: Error) => {
        cleanup();
        this.stop();
        reject(error);
      };
      const onMessage = (reply: Reply) => {
        if (reply.id !== id) return;
        cleanup();
        if (reply.ok) resolve({ png: Buffer.from(reply.png), svg: reply.svg });
        else reject(new Error(`rendering the chart failed: ${reply.error}`));
      };
      const onError = (error: Error) => fail(error);
      const onExit = (code: number) => fail(new Error(`the chart renderer stopped (exit code ${code})`));
      const timer = setTimeout(
        () => fail(new Error(`rendering the chart took over ${RENDER_TIMEOUT_MS} ms`)),
        RENDER_TIMEOUT_MS,
      );
      const cleanup = () => {
        clearTimeout(timer);
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      };
      worker.on('message', onMessage).once('error', onError).once('exit', onExit);
      worker.postMessage({ id, spec, width });
    }).finally(() => {
      this.idle = setTimeout(() => this.stop(), IDLE_MS);
      this.idle.unref();
    });
  }

  private thread(): Worker {
    if (!this.worker) {
      this.worker = new Worker(RENDER_SOURCE, {
        eval: true,
        resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
        workerData: { ...modulePaths(), family: CHART_FONT },
      });
      // An idle renderer never keeps the process alive.
      this.worker.unref();
      // A thread that dies between charts is simply replaced by the next chart's.
      const worker = this.worker;
      worker
        .on('error', () => undefined)
        .on('exit', () => {
          if (this.worker === worker) this.worker = undefined;
        });
    }
    return this.worker;
  }

  private stop(): void {
    clearTimeout(this.idle);
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
  }
}
