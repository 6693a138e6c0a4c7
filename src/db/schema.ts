import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** A timestamp column: read as Date, written as Date or ISO string, defaulted by the database. */
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

// ---- The community -------------------------------------------------------

export interface CopTable {
  id: Generated<number>;
  team_id: string;
  channel_id: string;
  created_by: string;
  created_at: CreatedAt;
  // The vote rule, as exact fractions: adopted when supporters >= ceil(members * quorum)
  // and supporters / votes >= approval. Kept as fractions so "two thirds" is exact.
  quorum_num: Generated<number>;
  quorum_den: Generated<number>;
  approval_num: Generated<number>;
  approval_den: Generated<number>;
  window_hours: Generated<number>;
  members_synced_at: NullableTimestamp;
  /** How often each adopted norm comes up for review, in months after adoption or its last review. */
  review_months: Generated<number>;
  /**
   * Bumped by triggers in every transaction that changes what `/cop norms` shows of the CoP
   * (migration 010): an overview rendered at this version is still the CoP's overview.
   */
  overview_version: Generated<number>;
}

export interface CoordinatorTable {
  cop_id: number;
  user_id: string;
  added_by: string;
  added_at: CreatedAt;
}

/** The cached membership of each CoP's home channel (humans only). */
export interface MemberTable {
  cop_id: number;
  user_id: string;
  joined_at: CreatedAt;
}

/** What the bot knows of workspace users: enough to exclude bots and to speak in local time. */
export interface SlackUserTable {
  user_id: string;
  team_id: string;
  is_bot: boolean;
  deleted: boolean;
  tz: string | null;
  updated_at: Timestamp;
}

/** Events API deliveries already applied, so a retry or duplicate applies once. */
export interface ProcessedEventTable {
  event_id: string;
  processed_at: CreatedAt;
}

/**
 * Bot DMs to send exactly once: the dedupe key is unique, a sender claims a row with a
 * lease, and a crash between claim and send lets the lease expire so another send retries.
 * Never put an anonymous author here: rows name their recipient.
 */
export interface OutboxTable {
  id: Generated<number>;
  dedupe_key: string;
  purpose: string;
  recipient: string;
  text: string;
  blocks: ColumnType<unknown[] | null, string | null | undefined, string | null>;
  status: ColumnType<'pending' | 'sent' | 'failed', 'pending' | undefined, 'pending' | 'sent' | 'failed'>;
  attempts: Generated<number>;
  not_before: Timestamp;
  /** Must be sent before this, or not at all (a reminder after its meeting is noise). */
  expires_at: NullableTimestamp;
  lease_until: NullableTimestamp;
  last_error: string | null;
  channel_id: string | null;
  message_ts: string | null;
  created_at: CreatedAt;
  sent_at: NullableTimestamp;
}

// ---- Norms ---------------------------------------------------------------

/** 'review': "still how we work?" on an adopted norm; adopted means kept (reaffirmed). */
export type ProposalKind = 'new' | 'change' | 'retire' | 'review';
/** 'superseded': a review whose norm was changed or retired while it was open. */
export type ProposalStatus = 'open' | 'adopted' | 'declined' | 'superseded';
export type Stance = 'support' | 'object';

export interface NormTable {
  id: Generated<number>;
  cop_id: number;
  title: string;
  body: string;
  status: 'adopted' | 'retired';
  adopted_at: Timestamp;
  retired_at: NullableTimestamp;
  created_by_proposal_id: number;
  /** When its last review closed, kept or lapsed: the next review counts from here. */
  reviewed_at: NullableTimestamp;
  reaffirmed_at: NullableTimestamp;
  reaffirmed_supporters: number | null;
  reaffirmed_members: number | null;
  review_lapsed_at: NullableTimestamp;
}

/** Each text a norm has had, with the proposal that gave it: the norm's history. */
export interface NormRevisionTable {
  id: Generated<number>;
  norm_id: number;
  proposal_id: number;
  title: string;
  body: string;
  created_at: CreatedAt;
}

export interface ProposalTable {
  id: Generated<number>;
  cop_id: number;
  kind: ProposalKind;
  norm_id: number | null;
  title: string;
  body: string;
  rationale: string;
  proposed_by: string;
  created_at: CreatedAt;
  closes_at: Timestamp;
  status: ColumnType<ProposalStatus, ProposalStatus | undefined, ProposalStatus>;
  decided_at: NullableTimestamp;
  /** Members counted when the outcome was decided, for the record. */
  members_at_decision: number | null;
  // The rule in force when the proposal opened; a later rule change does not move the goalposts.
  quorum_num: number;
  quorum_den: number;
  approval_num: number;
  approval_den: number;
  channel_id: string;
  message_ts: string | null;
  nudged_at: NullableTimestamp;
  /** A review's member count, fixed when it opened; null for other proposals (live count). */
  members_at_open: number | null;
  /** When the coordinators were told that this review lapsed. */
  lapse_notified_at: NullableTimestamp;
  /** Bumped by every change to what its message shows (votes, status), by triggers (migration 011). */
  message_version: ColumnType<number, never, never>;
  /** The message_version whose tally its message was last updated with. */
  shown_version: ColumnType<number, never, number>;
  /** Set by the one instance that posts the outcome's thread reply. */
  outcome_claimed_at: ColumnType<Date | null, never, Date>;
}

/** One row per member per proposal: the latest vote wins, a withdrawal keeps the row with no stance. */
export interface VoteTable {
  proposal_id: number;
  user_id: string;
  stance: Stance | null;
  reason: string | null;
  /** When the member acted (event or action time), so a late-delivered older event cannot win. */
  acted_at: Timestamp;
  updated_at: Timestamp;
}

/** The pinned charter message of a CoP's home channel; the row is the claim to post it. */
export interface CharterTable {
  cop_id: number;
  channel_id: string;
  message_ts: string | null;
  /** Hash of the content last shown, so an unchanged charter is not edited again. */
  content_hash: string | null;
  claimed_at: Timestamp;
  updated_at: NullableTimestamp;
}

// ---- Practice struggles --------------------------------------------------

/**
 * An anonymous struggle. It names no author, in any form: the author's rights to follow up
 * travel in a signed capability in their own DM, never in this table.
 */
export interface StruggleTable {
  id: Generated<number>;
  cop_id: number;
  text: string;
  tags: Generated<string>;
  tried: Generated<string>;
  channel_id: string;
  /** Null while the post is on its way to Slack (the row holds a rate-limit slot). */
  message_ts: string | null;
  permalink: string | null;
  created_at: Timestamp;
  resolved_at: NullableTimestamp;
  hidden_at: NullableTimestamp;
  /** Generated full-text vector (text, tags, what was tried). */
  search: ColumnType<string, never, never>;
}

export type StruggleReplyKind = 'anonymous' | 'original_poster' | 'member';

/** A reply in a struggle's thread, kept for search. Anonymous kinds have no user_id (a check enforces it). */
export interface StruggleReplyTable {
  id: Generated<number>;
  struggle_id: number;
  kind: StruggleReplyKind;
  user_id: string | null;
  text: string;
  message_ts: string | null;
  created_at: Timestamp;
  /** Members' :bulb: reactions on the reply (a count, not who). */
  helpful_count: Generated<number>;
  marked_helpful: Generated<boolean>;
  hidden_at: NullableTimestamp;
  search: ColumnType<string, never, never>;
}

// ---- Meetings ------------------------------------------------------------

/** A CoP's recurring meeting: weekly, at a local time in an IANA zone. */
export interface MeetingTable {
  id: Generated<number>;
  cop_id: number;
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** `HH:mm`, local to `time_zone`. */
  local_time: string;
  time_zone: string;
  length_minutes: number;
  location: string;
  lead_minutes: number;
  /** Comma-separated local dates (YYYY-MM-DD) with no meeting. */
  skip_dates: Generated<string>;
  updated_by: string;
  updated_at: Timestamp;
}

/** One occurrence of a meeting, recorded once something happens for it. */
export interface MeetingOccurrenceTable {
  id: Generated<number>;
  meeting_id: number;
  starts_at: Timestamp;
  ends_at: Timestamp;
  reminders_queued_at: NullableTimestamp;
  reminders_queued: number | null;
  reminders_skipped: number | null;
  reminders_settled_at: NullableTimestamp;
  attendance_recorded_at: NullableTimestamp;
  attendance_recorded_by: string | null;
}

export interface MeetingRsvpTable {
  occurrence_id: number;
  user_id: string;
  coming: boolean;
  updated_at: Timestamp;
}

export interface MeetingTopicTable {
  id: Generated<number>;
  occurrence_id: number;
  added_by: string;
  text: string;
  created_at: Timestamp;
}

export interface MeetingAttendanceTable {
  occurrence_id: number;
  user_id: string;
}

export interface ReminderOptoutTable {
  cop_id: number;
  user_id: string;
  created_at: Timestamp;
}

// ---- The trust pulse and the health picture ----------------------------------

export interface PulseSettingsTable {
  cop_id: number;
  /** null: the default, monthly once the CoP has at least 3 members. */
  monthly: boolean | null;
  threshold: Generated<number>;
  updated_by: string;
  updated_at: Timestamp;
}

export interface PulseTable {
  id: Generated<number>;
  cop_id: number;
  /** `YYYY-MM` for the monthly pulse, null for one started with `/cop pulse`. */
  period: string | null;
  started_at: Timestamp;
  closes_at: Timestamp;
  threshold: number;
  asked: number;
}

/** Counts of scores 1..5 per statement, one row per pulse: no answer is a row. */
export interface PulseTallyTable {
  pulse_id: number;
  struggles: ColumnType<number[], number[] | undefined, number[]>;
  voice: ColumnType<number[], number[] | undefined, number[]>;
}

/** Who answered a pulse, as one sorted list: no time, no order of answering. */
export interface PulseRespondentsTable {
  pulse_id: number;
  user_ids: ColumnType<string[], string[] | undefined, string[]>;
}

export interface HealthPostTable {
  cop_id: number;
  month: string;
  claimed_at: Timestamp;
  posted_at: NullableTimestamp;
  summary: string | null;
  file_id: string | null;
  permalink: string | null;
}

export interface Database {
  cops: CopTable;
  coordinators: CoordinatorTable;
  members: MemberTable;
  slack_users: SlackUserTable;
  processed_events: ProcessedEventTable;
  outbox: OutboxTable;
  norms: NormTable;
  norm_revisions: NormRevisionTable;
  proposals: ProposalTable;
  votes: VoteTable;
  charters: CharterTable;
  struggles: StruggleTable;
  struggle_replies: StruggleReplyTable;
  meetings: MeetingTable;
  meeting_occurrences: MeetingOccurrenceTable;
  meeting_rsvps: MeetingRsvpTable;
  meeting_topics: MeetingTopicTable;
  meeting_attendance: MeetingAttendanceTable;
  reminder_optouts: ReminderOptoutTable;
  pulse_settings: PulseSettingsTable;
  pulses: PulseTable;
  pulse_tallies: PulseTallyTable;
  pulse_respondents: PulseRespondentsTable;
  health_posts: HealthPostTable;
}

export type Cop = Selectable<CopTable>;
export type Norm = Selectable<NormTable>;
export type Proposal = Selectable<ProposalTable>;
export type NewProposal = Insertable<ProposalTable>;
export type Vote = Selectable<VoteTable>;
export type OutboxMessage = Selectable<OutboxTable>;
export type Struggle = Selectable<StruggleTable>;
export type StruggleReply = Selectable<StruggleReplyTable>;
export type Meeting = Selectable<MeetingTable>;
export type MeetingOccurrence = Selectable<MeetingOccurrenceTable>;
export type Pulse = Selectable<PulseTable>;
