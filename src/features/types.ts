import type { RespondArguments, SlashCommand } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Clock } from '../clock';
import type { Kysely, Transaction } from 'kysely';
import type { Db } from '../db/database';
import type { Cop, Database } from '../db/schema';
import type { AppLogger } from '../logger';
import type { SlackRoutes } from '../slack/routes';

/** A connection or the transaction a service is running in. */
export type Conn = Kysely<Database> | Transaction<Database>;

/**
 * What a feature may know of the community (who belongs, who coordinates, which CoP a channel
 * is), without importing the community feature's repository. `conn` lets a service ask inside
 * its own transaction; it defaults to the shared pool.
 */
export interface Community {
  copById(copId: number, conn?: Conn): Promise<Cop | undefined>;
  copOfChannel(teamId: string, channelId: string): Promise<Cop | undefined>;
  /** The channel's CoP with the user's rights in it, in one round trip (what every `/cop` command needs). */
  copWithRights(teamId: string, channelId: string, userId: string): Promise<CopRights | undefined>;
  /** Every CoP the user is a member of, oldest first. */
  copsOf(userId: string): Promise<Cop[]>;
  isMember(copId: number, userId: string, conn?: Conn): Promise<boolean>;
  /** A coordinator who left the channel has no rights: this is false for them. */
  isCoordinator(copId: number, userId: string, conn?: Conn): Promise<boolean>;
  memberIds(copId: number, conn?: Conn): Promise<string[]>;
  /** Coordinators who are still members, longest-serving first. */
  coordinatorIds(copId: number, conn?: Conn): Promise<string[]>;
}

export interface CopRights {
  readonly cop: Cop;
  readonly member: boolean;
  readonly coordinator: boolean;
}

/** What every feature is handed: its dependencies, passed in rather than imported as singletons. */
export interface FeatureContext {
  readonly db: Db;
  /** Membership and roles: the community port (see Community). */
  readonly community: Community;
  readonly clock: Clock;
  readonly logger: AppLogger;
  /** The bot's Web API client, for work that runs outside a Slack request (scheduled jobs). */
  readonly client: WebClient;
  /** A server-side secret features may derive signing keys from (e.g. authors' capabilities). */
  readonly secret?: string;
  /** Earlier values of `secret` that still verify what was signed before a rotation. */
  readonly previousSecrets?: readonly string[];
  /** Republishes a user's App Home after something they see there changed. */
  refreshHome(userId: string): Promise<void>;
  /** Sends queued DMs that are due now, without waiting for the next tick (e.g. a welcome). */
  sendDueDms(): Promise<void>;
}

/** One `/cop <name>` subcommand. The router acks, finds the CoP, then calls `run`. */
export interface Subcommand {
  readonly name: string;
  /** e.g. `/cop propose [title]` */
  readonly usage: string;
  readonly description: string;
  /** Whether the channel (or the user's only CoP) must be a CoP home; default true. */
  readonly needsCop?: boolean;
  /** Who may run it; checked by the router against the database. Default 'member'. */
  readonly who?: 'anyone' | 'member' | 'coordinator';
  /** A button shown under `/cop help` (its click handler is the feature's own). */
  readonly helpButton?: { readonly text: string; readonly actionId: string };
  /** It opens a modal: it runs at once, never behind the after-ack queue (a trigger_id lives 3 s). */
  readonly opensModal?: boolean;
  /**
   * Its answer is one quick read: the router sends it in the command's ack when it is ready in
   * time (no second request to the response URL), else at the response URL as usual.
   */
  readonly answersInAck?: boolean;
  run(input: SubcommandInput): Promise<void>;
}

export interface SubcommandInput {
  readonly command: SlashCommand;
  /** The text after the subcommand name, trimmed. */
  readonly args: string;
  /** The CoP the command acts on; undefined only when `needsCop` is false and none was found. */
  readonly cop: Cop | undefined;
  /** Whether the user is one of that CoP's coordinators (read with the CoP; false without one). */
  readonly coordinator: boolean;
  readonly client: WebClient;
  /** Answers the user privately (in the command's ack when the subcommand `answersInAck`). */
  readonly respond: (message: string | RespondArguments) => Promise<unknown>;
  readonly botUserId: string | undefined;
}

/**
 * A part of the App Home for one CoP, as seen by one member: its title first (`homeTitle` in
 * src/slack/blocks.ts, e.g. "Next meeting"; the CoP alone has a header block), then what the
 * member can see and do there, with an empty state that offers the next step. The Home draws
 * the CoP's header and a divider before each part, and keeps the whole view within Slack's 100
 * blocks; a part should stay within about 15 blocks (say "and N more" beyond).
 */
export type HomeSection = (input: HomeSectionInput) => Promise<KnownBlock[]>;

export interface HomeSectionInput {
  readonly cop: Cop;
  readonly viewerId: string;
  /** Whether the viewer coordinates this CoP (each click is checked again by the server). */
  readonly coordinator: boolean;
}

/** One part of a meeting's agenda as one member sees it. Lines are mrkdwn, already escaped. */
export interface AgendaSection {
  readonly title: string;
  readonly lines: string[];
}

export interface AgendaInput {
  readonly db: Db;
  readonly cop: Cop;
  readonly occurrenceId: number;
  /** When the previous meeting started (null if there was none): "since the last meeting". */
  readonly since: Date | null;
  readonly startsAt: Date;
}

/**
 * A source of agenda items. `load` runs once per fan-out (or view) and may query; the function
 * it returns is then called per member with no I/O, so 10,000 reminders cost a few queries.
 * Features other than meetings contribute one through `Feature.agenda` (e.g. struggles posted
 * since the last meeting); app.ts hands them to the meetings feature.
 */
export interface AgendaProvider {
  readonly name: string;
  load(input: AgendaInput): Promise<(userId: string) => AgendaSection | undefined>;
}

/** A periodic job; the scheduler runs every job each tick and the database decides what is due. */
export interface Job {
  readonly name: string;
  run(now: Date): Promise<void>;
}

/** What the health picture shows, per month; each feature measures its own. */
export type HealthMetric =
  | 'meetings'
  | 'attendance'
  | 'coreGroup'
  | 'votingShare'
  | 'strugglesShared'
  | 'strugglesAnswered'
  | 'strugglesHelpful'
  | 'pulseStruggles'
  | 'pulseVoice';

/**
 * One measured figure of one month (`YYYY-MM`, UTC). A month with nothing measured has no
 * figure at all (never a zero). `value: null` means measured but withheld (a pulse with too few
 * answers to show without revealing anyone).
 */
export interface HealthFigure {
  readonly month: string;
  readonly metric: HealthMetric;
  readonly value: number | null;
}

/** A feature's figures for the given months (oldest first), for the health picture. */
export type HealthFigures = (copId: number, months: readonly string[]) => Promise<HealthFigure[]>;

export interface Feature {
  readonly name: string;
  readonly subcommands?: Subcommand[];
  /** Order of appearance in the App Home follows the order of features in app.ts. */
  readonly homeSection?: HomeSection;
  /**
   * What coordinators alone see of this feature in the Home, under "For coordinators" (no header
   * of its own: a block or two, e.g. the voting rule with a button to change it).
   */
  readonly homeCoordinatorSection?: HomeSection;
  readonly jobs?: Job[];
  /** Called once when a human joins a CoP's home channel (e.g. to show them the norms). */
  onMemberJoined?(cop: Cop, userId: string): Promise<void>;
  /** What this feature adds to each meeting's agenda. */
  readonly agenda?: AgendaProvider;
  register?(routes: SlackRoutes): void;
  /** Monthly figures for the health picture (src/app.ts hands them to the health feature). */
  readonly healthFigures?: HealthFigures;
}
