import type { KnownBlock } from '@slack/types';
import { DateTime } from 'luxon';
import type { Clock } from '../../clock';
import type { Db } from '../../db/database';
import type { Cop } from '../../db/schema';
import { context, section } from '../../slack/blocks';
import { escapeText } from '../../slack/text';
import type { Community } from '../types';
import * as participationRepo from './participation-repository';
import { monthlyTurnout, percent, turnout, type MonthShare } from './participation-rules';
import { plural, slackDate } from './views';

const TREND_MONTHS = 6;
const RECENT = 5;

/** "You voted on N of the M decisions held since you joined." */
export function ownLine(held: number, voted: number): string {
  if (held === 0) return 'No decisions have been held since you joined. Your vote will count on the next one.';
  return `You voted on ${voted} of the ${plural(held, 'decision')} held since you joined.`;
}

function trendLine(months: MonthShare[]): string {
  const shown = months.filter((m) => m.share !== null);
  if (shown.length === 0) return '_No decisions to show a trend over yet._';
  const label = (m: MonthShare) => DateTime.fromFormat(m.month, 'yyyy-MM').toFormat('LLL yyyy');
  return months.map((m) => `${label(m)}: ${m.share === null ? '–' : percent(m.share)}`).join(' · ');
}

/**
 * The App Home's participation block, a self-contained piece of the norms' home section: each
 * member sees their own; coordinators also see the CoP's shares (never who did not vote).
 */
export class ParticipationBlock {
  constructor(
    private readonly db: Db,
    private readonly community: Community,
    private readonly clock: Clock,
  ) {}

  async blocks(cop: Cop, viewerId: string): Promise<KnownBlock[]> {
    const own = await participationRepo.ownParticipation(this.db, cop.id, viewerId);
    const blocks: KnownBlock[] = [section(`*Your participation*\n${ownLine(own.held, own.voted)}`)];
    if (!(await this.community.isCoordinator(cop.id, viewerId))) return blocks;
    blocks.push(...(await this.copBlocks(cop)));
    return blocks;
  }

  private async copBlocks(cop: Cop): Promise<KnownBlock[]> {
    const now = this.clock.now();
    const since = DateTime.fromJSDate(now, { zone: 'UTC' })
      .startOf('month')
      .minus({ months: TREND_MONTHS - 1 })
      .toJSDate();
    const decisions = await participationRepo.decisionsSince(this.db, cop.id, since);
    const turnouts = decisions.map((d) => ({
      decidedAt: d.proposal.decided_at!,
      voters: d.voters,
      members: d.proposal.members_at_decision ?? 0,
    }));
    const recent = decisions.slice(0, RECENT).map((d, i) => {
      const share = turnout(turnouts[i]!.voters, turnouts[i]!.members);
      const what =
        d.proposal.kind === 'review'
          ? `Review of “${escapeText(d.proposal.title)}”`
          : `“${escapeText(d.proposal.title)}”`;
      const shown = share === null ? 'too few members to show a share' : `${percent(share)} of members voted`;
      return `• ${what}, decided ${slackDate(d.proposal.decided_at!, '{date_short}')}: ${shown}`;
    });
    return [
      section(
        `*The CoP’s participation* (coordinators see this)\n${recent.length ? recent.join('\n') : '_No decisions in the last months._'}`,
      ),
      section(`*Share of members voting, by month (UTC)*\n${trendLine(monthlyTurnout(turnouts, now, TREND_MONTHS))}`),
      context('Shares only: nobody, coordinators included, can see who did or did not vote.'),
    ];
  }
}
