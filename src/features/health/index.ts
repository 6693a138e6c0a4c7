import { monthBounds, monthOf } from '../../months';
import type { Feature, FeatureContext, HealthFigures } from '../types';
import * as repo from './repository';
import { ChartRenderer } from './render';
import { deliverPicture, healthPicture } from './service';
import { healthHomeBlocks } from './views';

const CHANNEL_GONE = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'missing_scope', 'not_authed']);

/** A Slack error that retrying next minute cannot fix. */
function cannotPostThere(error: unknown): boolean {
  const code = (error as { data?: { error?: unknown } }).data?.error;
  return typeof code === 'string' && CHANNEL_GONE.has(code);
}

export interface HealthOptions {
  /** Every feature's monthly figures (src/app.ts gathers them from the features). */
  readonly figures: () => readonly HealthFigures[];
}

/** The CoP's health in a picture: monthly in the home channel, on `/cop health`, and in the App Home. */
export function healthFeature(ctx: FeatureContext, options: HealthOptions): Feature {
  const log = ctx.logger.child('health');
  const renderer = new ChartRenderer();
  const render = renderer.render.bind(renderer);

  /** The last full month's picture in each CoP's home channel, once (the row is the claim). */
  async function monthlyPictures(now: Date): Promise<void> {
    const { start } = monthBounds(monthOf(now));
    const covered = monthOf(new Date(start.getTime() - 1));
    for (const cop of await repo.listCops(ctx.db)) {
      if (cop.created_at >= start) continue;
      if (!(await repo.claimMonthlyPost(ctx.db, cop.id, covered, now))) continue;
      try {
        const picture = await healthPicture(options.figures(), cop.id, new Date(start.getTime() - 1), log);
        const heading = `:bar_chart: *How our CoP did, month by month* (\`/cop health\` shows it any time)`;
        const delivered = await deliverPicture(ctx.client, log, render, cop.channel_id, picture, heading);
        await repo.markPosted(ctx.db, cop.id, covered, { summary: picture.summary.join('\n'), ...delivered }, now);
        log.info(`health picture of cop ${cop.id} for ${covered} posted${delivered.fileId ? '' : ' in words only'}`);
      } catch (error) {
        // A channel the bot cannot post in stays so until someone acts: one error, not one a minute.
        if (cannotPostThere(error)) {
          log.error(`the health picture of cop ${cop.id} for ${covered} cannot be posted in its channel`, error);
          continue;
        }
        await repo.releaseClaim(ctx.db, cop.id, covered);
        log.error(
          `posting the health picture of cop ${cop.id} for ${covered} failed; the next tick tries again`,
          error,
        );
      }
    }
  }

  return {
    name: 'health',
    subcommands: [
      {
        name: 'health',
        usage: '/cop health',
        description: 'the CoP’s health picture (attendance, votes, struggles, trust pulse), sent to you as a DM',
        run: async ({ command, cop, client, respond }) => {
          if (!cop) return;
          await respond({
            response_type: 'ephemeral',
            text: 'Drawing the CoP’s health picture; it comes to you as a DM.',
          });
          const picture = await healthPicture(options.figures(), cop.id, ctx.clock.now(), log);
          const dm = await client.conversations.open({ users: command.user_id });
          const channel = dm.channel?.id;
          if (!channel) throw new Error('conversations.open gave no DM channel');
          await deliverPicture(
            client,
            log,
            render,
            channel,
            picture,
            `:bar_chart: *The health of <#${cop.channel_id}>*`,
          );
        },
      },
    ],
    jobs: [{ name: 'monthly-health-picture', run: monthlyPictures }],
    homeSection: async ({ cop }) => healthHomeBlocks(await repo.latestPost(ctx.db, cop.id)),
  };
}
