import { monthBounds, monthOf } from '../../months';
import type { Feature, FeatureContext, Subcommand } from '../types';
import { pulseHealthFigures } from './health';
import { registerPulseListeners } from './listeners';
import * as repo from './repository';
import { checkThreshold, monthlyEnabled } from './rules';
import { startPulse } from './service';
import { PULSE_TEXTS } from './views';

const dateText = (at: Date) =>
  `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} at {time}|${at.toISOString().slice(0, 16).replace('T', ' ')} UTC>`;

/** The anonymous trust pulse: monthly per CoP and on `/cop pulse`. */
export function pulseFeature(ctx: FeatureContext): Feature {
  const log = ctx.logger.child('pulse');

  const subcommand: Subcommand = {
    name: 'pulse',
    usage: '/cop pulse',
    description:
      'coordinators: start an anonymous trust pulse now (`/cop pulse monthly on|off`, `/cop pulse threshold <n>` change its settings)',
    who: 'coordinator',
    run: async ({ command, args, cop, respond }) => {
      if (!cop) return;
      const say = (text: string) => respond({ response_type: 'ephemeral', text });
      const [word, value = ''] = args.toLowerCase().split(/\s+/);
      const now = ctx.clock.now();
      if (word === 'monthly' && (value === 'on' || value === 'off')) {
        await repo.saveSettings(ctx.db, cop.id, { monthly: value === 'on' }, command.user_id, now);
        return void (await say(
          value === 'on'
            ? 'The trust pulse will go out once a month.'
            : 'The monthly trust pulse is off; `/cop pulse` still starts one.',
        ));
      }
      if (word === 'threshold') {
        const checked = checkThreshold(value);
        if (!checked.ok) return void (await say(checked.message));
        await repo.saveSettings(ctx.db, cop.id, { threshold: checked.threshold }, command.user_id, now);
        return void (await say(`Pulse results now need at least ${checked.threshold} answers (from the next pulse).`));
      }
      if (word) return void (await say(PULSE_TEXTS.usage));
      const open = await repo.findOpenPulse(ctx.db, cop.id, now);
      if (open) return void (await say(`A trust pulse is already open until ${dateText(open.closes_at)}.`));
      const members = await ctx.community.memberIds(cop.id);
      const pulse = await startPulse(ctx.db, cop, members, null, now);
      if (!pulse) return;
      log.info(`pulse ${pulse.id} of cop ${cop.id} started by a coordinator: ${members.length} members asked`);
      await ctx.sendDueDms();
      await say(
        `Trust pulse started: ${members.length} members get a DM. It closes ${dateText(pulse.closes_at)}; ` +
          `its results then show in \`/cop health\` if at least ${pulse.threshold} answered.`,
      );
    },
  };

  /** Once a month per CoP (the row's period is the claim): from the month after the CoP began. */
  async function monthlyPulses(now: Date): Promise<void> {
    const month = monthOf(now);
    for (const cop of await repo.listCops(ctx.db)) {
      if (cop.created_at >= monthBounds(month).start) continue;
      if (await repo.hasMonthlyPulse(ctx.db, cop.id, month)) continue;
      const members = await ctx.community.memberIds(cop.id);
      const settings = await repo.findSettings(ctx.db, cop.id);
      if (!monthlyEnabled(settings?.monthly, members.length)) continue;
      if (await repo.findOpenPulse(ctx.db, cop.id, now)) continue;
      const pulse = await startPulse(ctx.db, cop, members, month, now);
      if (pulse) log.info(`monthly pulse ${pulse.id} of cop ${cop.id} for ${month}: ${members.length} members asked`);
    }
  }

  return {
    name: 'pulse',
    subcommands: [subcommand],
    register: (routes) => registerPulseListeners(routes, ctx),
    jobs: [{ name: 'monthly-pulse', run: monthlyPulses }],
    healthFigures: pulseHealthFigures(ctx.db, ctx.clock),
  };
}
