import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Cop } from '../../db/schema';
import type { AppLogger } from '../../logger';
import type { Community, Feature, HomeSection, HomeSectionInput } from '../types';
import { homeView, type CopHome } from './views';
import { context } from '../../slack/blocks';
import type { SlackRoutes } from '../../slack/routes';

/** Publishes a user's App Home. */
export interface HomePage {
  publish(userId: string): Promise<void>;
}

/** Every feature's part of the Home: what members see, and what coordinators alone see. */
export interface HomeSections {
  readonly member: HomeSection[];
  readonly coordinator: HomeSection[];
}

/**
 * The App Home for the viewer: each CoP they belong to, with every feature's section, and for
 * its coordinators a section of their own. Built before the features (they refresh it through
 * FeatureContext.refreshHome); `sections` lists every feature's parts at publish time.
 */
export function homePage(
  deps: { community: Community; client: WebClient; logger: AppLogger },
  sections: () => HomeSections,
): HomePage {
  async function render(parts: HomeSection[], input: HomeSectionInput): Promise<KnownBlock[][]> {
    const drawn: KnownBlock[][] = [];
    for (const part of parts) {
      try {
        drawn.push(await part(input));
      } catch (error) {
        deps.logger.error(`a home section failed for cop ${input.cop.id}`, error);
        drawn.push([context('_This part could not be loaded; try again in a moment._')]);
      }
    }
    return drawn;
  }

  async function copHome(cop: Cop, viewerId: string): Promise<CopHome> {
    const coordinator = await deps.community.isCoordinator(cop.id, viewerId);
    const input = { cop, viewerId, coordinator };
    const { member, coordinator: tools } = sections();
    return {
      channelId: cop.channel_id,
      coordinator,
      parts: await render(member, input),
      // Coordinators' controls only for coordinators; the server checks the role on each click.
      coordinatorBlocks: coordinator ? (await render(tools, input)).flat() : [],
    };
  }

  async function publish(userId: string): Promise<void> {
    // Only CoPs the viewer is a member of: a private channel's content stays with its members.
    const cops = await deps.community.copsOf(userId);
    const homes: CopHome[] = [];
    for (const cop of cops) homes.push(await copHome(cop, userId));
    await deps.client.views.publish({ user_id: userId, view: homeView(homes) });
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
