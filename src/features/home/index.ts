import type { KnownBlock } from '@slack/types';
import { findCopsOfMember } from '../community/repository';
import type { Feature, FeatureContext, HomeSection } from '../types';
import { homeView } from './views';
import { context } from '../../slack/blocks';
import type { SlackRoutes } from '../../slack/routes';

/** The App Home: for the viewer, each CoP they belong to, with every feature's section. */
export function homeFeature(
  ctx: FeatureContext,
  sections: () => HomeSection[],
): Feature & { publish(userId: string): Promise<void> } {
  async function publish(userId: string): Promise<void> {
    // Only CoPs the viewer is a member of: a private channel's content stays with its members.
    const cops = await findCopsOfMember(ctx.db, userId);
    const copSections = [];
    for (const cop of cops) {
      const blocks: KnownBlock[] = [];
      for (const homeSection of sections()) {
        try {
          blocks.push(...(await homeSection({ cop, viewerId: userId })));
        } catch (error) {
          ctx.logger.error(`a home section failed for cop ${cop.id}`, error);
          blocks.push(context('_This part could not be loaded; try again in a moment._'));
        }
      }
      copSections.push({ channelId: cop.channel_id, blocks });
    }
    await ctx.client.views.publish({ user_id: userId, view: homeView(copSections) });
  }

  return {
    name: 'home',
    publish,
    register(routes: SlackRoutes) {
      routes.event('app_home_opened', async ({ event }) => {
        if (event.tab !== 'home') return;
        await publish(event.user);
      });
    },
  };
}
