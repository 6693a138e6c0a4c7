import type { WebClient } from '@slack/web-api';
import type { AppLogger } from '../../logger';
import { monthName, monthsEndingWith } from '../../months';
import type { HealthFigures } from '../types';
import { chartSpec, type VegaLiteSpec } from './chart-spec';
import { byMonth } from './figures';
import type { RenderedChart } from './render';
import { altText, summaryLines } from './summary';

/** How many months the picture covers. */
export const PICTURE_MONTHS = 6;

export interface HealthPicture {
  readonly months: string[];
  readonly summary: [string, string];
  readonly altText: string;
  readonly spec: VegaLiteSpec;
}

/** Every feature's figures for the months ending with the one holding `last`, in words and as a spec. */
export async function healthPicture(
  providers: readonly HealthFigures[],
  copId: number,
  last: Date,
  logger: AppLogger,
): Promise<HealthPicture> {
  const months = monthsEndingWith(last, PICTURE_MONTHS);
  const figures = [];
  for (const provide of providers) {
    try {
      figures.push(...(await provide(copId, months)));
    } catch (error) {
      // One part missing still leaves a picture of the rest; it then reads as "no data".
      logger.error(`health figures of cop ${copId} failed for one feature`, error);
    }
  }
  const table = byMonth(months, figures);
  const summary = summaryLines(months, table);
  const title = `The CoP's health, ${monthName(months[0]!)} to ${monthName(months[months.length - 1]!)}`;
  return { months, summary, altText: altText(months, table, summary), spec: chartSpec(title, months, table) };
}

export interface Delivered {
  readonly fileId: string | null;
  readonly permalink: string | null;
}

/**
 * Uploads the picture to a channel (or DM) with its summary as the comment; if the chart cannot
 * be rendered, posts the summary in words instead and logs why.
 */
export async function deliverPicture(
  client: WebClient,
  logger: AppLogger,
  render: (spec: VegaLiteSpec) => Promise<RenderedChart>,
  channelId: string,
  picture: HealthPicture,
  heading: string,
): Promise<Delivered> {
  const comment = `${heading}\n${picture.summary.join('\n')}`;
  let png: Buffer;
  try {
    png = (await render(picture.spec)).png;
  } catch (error) {
    logger.error(`rendering the health chart for ${channelId} failed; sending the summary in words`, error);
    await client.chat.postMessage({
      channel: channelId,
      text: `${comment}\n_(The chart could not be drawn this time.)_`,
    });
    return { fileId: null, permalink: null };
  }
  const month = picture.months[picture.months.length - 1]!;
  const result = await client.files.uploadV2({
    channel_id: channelId,
    file: png,
    filename: `cop-health-${month}.png`,
    title: `The CoP's health to ${monthName(month)}`,
    alt_text: picture.altText,
    initial_comment: comment,
  });
  const file = firstFile(result);
  return { fileId: file?.id ?? null, permalink: file?.permalink ?? null };
}

/** files.uploadV2 answers with one completion per upload, each listing its files. */
function firstFile(result: unknown): { id?: string; permalink?: string } | undefined {
  const completions = (result as { files?: Array<{ files?: Array<{ id?: string; permalink?: string }> }> }).files;
  return completions?.[0]?.files?.[0];
}
