import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { AppLogger } from '../../logger';
import type { Community, Feature, HomeSection } from '../types';
import { homeView } from './views';
import { context } from '../../slack/blocks';
import type { SlackRoutes } from '../../slack/routes';

/** Publishes a user's App Home. */
export interface HomePage {
  publish(userId: string): Promise<void>;
}

/**
 * The App Home for the viewer: each CoP they belong to, with every feature's section. Built
 * before the features (they refresh it through FeatureContext.refreshHome); `sections` lists
 * every feature's section at publish time.
 */
export function homePage(
  deps: { community: Community; client: WebClient; logger: AppLogger },
  sections: () => HomeSection[],
): HomePage {
  async function publish(userId: string): Promise<void> {
    // Only CoPs the viewer is a member of: a private channel's content stays with its members.
    const cops = await deps.community.copsOf(userId);
    const copSections = [];
    for (const cop of cops) {
      const blocks: KnownBlock[] = [];
      for (const homeSection of sections()) {
        try {
          blocks.push(...(await homeSection({ cop, viewerId: userId })));
        } catch (error) {
          deps.logger.error(`a home section failed for cop ${cop.id}`, error);
          blocks.push(context('_This part could not be loaded; try again in a moment._'));
        }
      }
      copSections.push({ channelId: cop.channel_id, blocks });
    }
    await deps.client.views.publish({ user_id: userId, view: homeView(copSections) });
  }
  return { publish };
}

/** The App Home as a feature: published whenever its tab is opened. */
export function homeFeature(page: HomePage): Feature {
  return {
    name: 'home',
    register(routes: SlackRoutes) {
      routes.event('app_home_opened', async ({ event }) => {
        if (event.tab !== 'home') return;
        await page.publish(event.user);
      });
    },
  };
}
