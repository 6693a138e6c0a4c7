import type { Subcommand, SubcommandInput } from '../types';
import { channelLink } from '../../slack/text';
import type { FeatureContext } from '../types';
import { sendFileToDm, type CharterService } from './charter';
import { charterFileName, charterMarkdown } from './charter-file';
import { historiesOf } from './history';
import { allNorms } from './history-repository';
import { historyReply } from './history-views';
import { proposalLink, type ProposalLinks } from './overview';
import type { Proposal } from '../../db/schema';
import type { ReviewService } from './reviews';
import type { ReviewPublisher } from './reviews-publisher';
import type { NormsService } from './service';

interface Deps {
  ctx: FeatureContext;
  service: NormsService;
  reviews: ReviewService;
  reviewPublisher: ReviewPublisher;
  charter: CharterService;
  linksOf(proposals: Proposal[]): Promise<ProposalLinks>;
}

const NUMBER = /^#?(\d{1,4})$/;

export const WHICH_NORM = 'Which norm? Give its number, e.g. `/cop review 1`; `/cop norms` lists them, numbered.';

export const noSuchNorm = (args: string) =>
  `There is no adopted norm number ${args || '(none given)'}. \`/cop norms\` lists them, numbered.`;

async function say(input: SubcommandInput, text: string): Promise<void> {
  await input.respond({ response_type: 'ephemeral', text });
}

/** `/cop review <number>`, `/cop norm <number>` and `/cop charter`. */
export function reviewSubcommands({ ctx, service, reviews, reviewPublisher, charter, linksOf }: Deps): Subcommand[] {
  const numberOf = (args: string) => Number(NUMBER.exec(args)?.[1] ?? NaN);

  const review: Subcommand = {
    name: 'review',
    usage: '/cop review <number>',
    description: 'bring adopted norm <number> up for review now (one open review per norm)',
    run: async (input) => {
      const { cop, args, command } = input;
      if (!cop) return;
      const number = numberOf(args);
      if (!Number.isInteger(number)) return say(input, WHICH_NORM);
      const result = await reviews.openByNumber(cop, number, command.user_id);
      if (result.kind === 'not-a-norm') return say(input, noSuchNorm(args));
      if (result.kind !== 'opened') {
        const link =
          result.kind === 'already-open' && result.review
            ? `: ${proposalLink(result.review, (await linksOf([result.review])).get(result.review.id))}`
            : '';
        return say(
          input,
          `Norm ${number} already has a review open${link}. Vote there; one review per norm at a time.`,
        );
      }
      if (!(await reviewPublisher.post(result.review))) {
        return say(
          input,
          'Sorry, the review could not be posted to the channel just now, so nothing was opened. Please try again.',
        );
      }
      await say(
        input,
        `Norm ${number} is up for review in ${channelLink(cop.channel_id)}: members vote to keep it, or propose a change.`,
      );
    },
  };

  const norm: Subcommand = {
    name: 'norm',
    usage: '/cop norm <number>',
    description: 'that norm’s history: every version, when and how it was decided (tallies, not names)',
    run: async (input) => {
      const { cop, args } = input;
      if (!cop) return;
      const found = (await service.numberedNorms(cop.id)).find((n) => n.number === numberOf(args));
      if (!found) return say(input, noSuchNorm(args));
      const [history] = await historiesOf(ctx.db, [found.norm]);
      const links = await linksOf(history!.steps.map((s) => s.proposal));
      await input.respond({ response_type: 'ephemeral', ...historyReply(history!, found.number, links) });
    },
  };

  const charterCommand: Subcommand = {
    name: 'charter',
    usage: '/cop charter',
    description: 'the charter (adopted norms and their history) as a Markdown file, sent to you',
    run: async (input) => {
      const { cop, command, client } = input;
      if (!cop) return;
      const now = ctx.clock.now();
      const [scheduled, norms, info] = await Promise.all([
        reviews.schedule(cop),
        allNorms(ctx.db, cop.id),
        client.conversations.info({ channel: cop.channel_id }).catch(() => undefined),
      ]);
      const histories = await historiesOf(ctx.db, norms);
      const channelName = info?.channel?.name ?? cop.channel_id;
      const content = charterMarkdown(cop, channelName, scheduled, histories, now);
      try {
        await sendFileToDm(
          client,
          command.user_id,
          { filename: charterFileName(channelName, now), title: `Charter of #${channelName}`, content },
          `The charter of ${channelLink(cop.channel_id)}: ${scheduled.length} adopted norm${scheduled.length === 1 ? '' : 's'} and their history, as Markdown for your wiki.`,
        );
      } catch (error) {
        ctx.logger.error(`sending the charter of cop ${cop.id} as a file failed`, error);
        return say(input, 'Sorry, the charter file could not be sent just now. Please try again.');
      }
      await say(input, 'I sent you the charter as a Markdown file in a direct message.');
      // A good moment to check that the pinned charter is still there and pinned.
      await charter.sync(cop.id, true);
    },
  };

  return [review, norm, charterCommand];
}
