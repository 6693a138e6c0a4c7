import type { Cop } from '../db/schema';
import type { AgendaProvider, Feature, HealthFigures, HomeSection, Job, Subcommand } from '../features/types';
import type { SlackRoutes } from '../slack/routes';

/**
 * Every feature, in the order its parts appear in help, the App Home and each tick. The features
 * that read across all the others (help, the App Home, newcomers' welcome) ask it at run time.
 */
export class FeatureCatalogue {
  private readonly list: Feature[] = [];

  add(...features: Feature[]): void {
    this.list.push(...features);
  }

  get features(): readonly Feature[] {
    return this.list;
  }

  subcommands(): Subcommand[] {
    return this.list.flatMap((f) => f.subcommands ?? []);
  }

  homeSections(): HomeSection[] {
    return this.list.flatMap((f) => (f.homeSection ? [f.homeSection] : []));
  }

  homeCoordinatorSections(): HomeSection[] {
    return this.list.flatMap((f) => (f.homeCoordinatorSection ? [f.homeCoordinatorSection] : []));
  }

  joinHooks(): Array<(cop: Cop, userId: string) => Promise<void>> {
    return this.list.flatMap((f) => (f.onMemberJoined ? [f.onMemberJoined.bind(f)] : []));
  }

  agendaProviders(): AgendaProvider[] {
    return this.list.flatMap((f) => (f.agenda ? [f.agenda] : []));
  }

  /** Each feature's monthly figures for the health picture. */
  healthFigures(): HealthFigures[] {
    return this.list.flatMap((f) => (f.healthFigures ? [f.healthFigures] : []));
  }

  jobs(): Job[] {
    return this.list.flatMap((f) => f.jobs ?? []);
  }

  register(routes: SlackRoutes): void {
    for (const feature of this.list) feature.register?.(routes);
  }
}
