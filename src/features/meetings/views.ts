import type { Button, KnownBlock } from '@slack/types';
import type { Meeting } from '../../db/schema';
import { actions, button, context, header, homeTitle, section } from '../../slack/blocks';
import { dateToken, escapeText, mention } from '../../slack/text';
import type { AgendaSection } from './agenda';
import { describeLead, formatInZone } from './schedule';

export const ACTION_RSVP_YES = 'meetings:rsvp_yes';
export const ACTION_RSVP_NO = 'meetings:rsvp_no';
export const ACTION_SCHEDULE = 'meetings:schedule';
export const ACTION_ATTENDANCE = 'meetings:attendance';
/** A member's own "I was there", on their reminder DM (see attendance-listeners.ts). */
export const ACTION_ATTENDED = 'meetings:attended';
export const CALLBACK_SCHEDULE = 'meetings:schedule';
export const CALLBACK_ATTENDANCE = 'meetings:attendance';

export interface Occasion {
  readonly occurrenceId: number;
  readonly startsAt: Date;
  readonly meeting: Meeting;
}

/** When it is, as a date token: each reader sees their own zone. The fallback is in `zone`. */
export function when(startsAt: Date, zone: string): string {
  return dateToken(startsAt, formatInZone(startsAt, zone));
}

/** For many readers (a channel post): a date token whose fallback names the meeting's zone. */
export function whenForAll(startsAt: Date, meeting: Meeting): string {
  return dateToken(startsAt, `${formatInZone(startsAt, meeting.time_zone)} ${meeting.time_zone}`);
}

/** For one reader: the time in their zone alone, e.g. `*Tuesday 3 March, 10:00* your time (Europe/Amsterdam)`. */
export function whenText(startsAt: Date, viewerZone: string): string {
  return `*${when(startsAt, viewerZone)}* your time (${viewerZone})`;
}

/** The recurrence, with no clock time of its own: times people read are date tokens. */
export function ruleText(meeting: Meeting): string {
  const skips = meeting.skip_dates ? ` Skipped on ${meeting.skip_dates.split(',').join(', ')}.` : '';
  return (
    `Every week at the same local time in ${meeting.time_zone}, ${meeting.length_minutes} minutes; ` +
    `reminders ${describeLead(meeting.lead_minutes)} before.${skips}`
  );
}

function agendaBlocks(agenda: AgendaSection[]): KnownBlock[] {
  if (agenda.length === 0) return [section('*Agenda*\nNothing on it yet. Add a topic with `/cop topic <text>`.')];
  return agenda.map((part) => section(`*${part.title}*\n${part.lines.join('\n')}`));
}

function rsvpButtons(occurrenceId: number, coming: boolean | undefined): Button[] {
  return [
    button(coming === true ? 'I’m coming ✓' : 'I’m coming', ACTION_RSVP_YES, String(occurrenceId), 'primary'),
    button(coming === false ? 'I can’t make it ✓' : 'I can’t make it', ACTION_RSVP_NO, String(occurrenceId)),
  ];
}

export function rsvpStatusText(coming: boolean | undefined): string {
  if (coming === true) return 'You said you’re coming.';
  if (coming === false) return 'You said you can’t make it.';
  return 'You haven’t said whether you’re coming yet.';
}

/** The reminder DM, rendered for one member in their own zone. */
export function reminderDm(input: {
  occasion: Occasion;
  channelId: string;
  zone: string;
  agenda: AgendaSection[];
  coming?: boolean;
}): { text: string; blocks: KnownBlock[] } {
  const { occasion, zone } = input;
  const text = `Reminder: the CoP meeting of <#${input.channelId}> is on ${when(occasion.startsAt, zone)} (your time, ${zone}).${
    occasion.meeting.location ? ` Where: ${escapeText(occasion.meeting.location)}` : ''
  }`;
  return {
    text,
    blocks: [
      section(`:calendar: *Reminder: the CoP meeting of <#${input.channelId}>*`),
      section(
        `${whenText(occasion.startsAt, zone)} · ${occasion.meeting.length_minutes} minutes${whereLine(occasion.meeting)}`,
      ),
      ...agendaBlocks(input.agenda),
      section(`*Are you coming?* ${rsvpStatusText(input.coming)}`),
      actions(
        'meetings:rsvp',
        ...rsvpButtons(occasion.occurrenceId, input.coming),
        button('I was there', ACTION_ATTENDED, String(occasion.occurrenceId)),
      ),
      context(
        'Once the meeting has started, “I was there” counts you in (until a day after it ends). ' +
          'You get this as a member of the CoP. `/cop reminders off` turns these reminders off.',
      ),
    ],
  };
}

/** The home-channel note when reminders go out; the time is a date token (a Saturday in Berlin is not a Friday). */
export function announcementText(startsAt: Date, meeting: Meeting, coming: number): string {
  return (
    `:calendar: Reminders for the meeting on ${whenForAll(startsAt, meeting)} went out; ` +
    `${coming} coming so far. \`/cop meeting\` shows the agenda.`
  );
}

/** "Where:" on its own line, when the coordinator said where. */
function whereLine(meeting: Meeting): string {
  return meeting.location ? `\n*Where:* ${escapeText(meeting.location)}` : '';
}

export function scheduledText(meeting: Meeting, by: string, next: Date | undefined, changed = false): string {
  const nextText = next ? ` Next: ${whenForAll(next, meeting)} (shown in your own time).` : '';
  return `:calendar: ${mention(by)} ${changed ? 'changed' : 'scheduled'} the CoP meeting. ${ruleText(meeting)}${nextText}${meeting.location ? ` Where: ${escapeText(meeting.location)}` : ''}`;
}

export interface MeetingViewData {
  meeting: Meeting | undefined;
  occasion: Occasion | undefined;
  inProgress: boolean;
  viewerZone: string;
  agenda: AgendaSection[];
  rsvps: Array<{ user_id: string; coming: boolean }>;
  viewerId: string;
  isCoordinator: boolean;
  streak: number;
  /** The last occurrence that started, for recording attendance. */
  last: { copId: number; startsAt: Date; recorded: boolean } | undefined;
  copId: number;
  /** The viewer turned reminder DMs off (`/cop reminders off`). */
  remindersOff?: boolean;
}

function whoIsComing(rsvps: MeetingViewData['rsvps']): string {
  const coming = rsvps.filter((r) => r.coming).map((r) => mention(r.user_id));
  const notComing = rsvps.filter((r) => !r.coming).length;
  const names = coming.length ? `: ${coming.slice(0, 40).join(', ')}${coming.length > 40 ? ', …' : ''}` : '';
  return `*Who is coming:* ${coming.length} coming${names}; ${notComing} can’t make it.`;
}

export function streakText(streak: number): string {
  if (streak === 0) return 'Your attendance streak: none yet.';
  return `Your attendance streak: ${streak} meeting${streak === 1 ? '' : 's'} in a row.`;
}

/** What `/cop meeting` shows (ephemeral). */
export function meetingMessage(data: MeetingViewData): { text: string; blocks: KnownBlock[] } {
  const coordinatorButtons: Button[] = [];
  if (data.isCoordinator) {
    coordinatorButtons.push(
      button(data.meeting ? 'Change the meeting' : 'Schedule the meeting', ACTION_SCHEDULE, String(data.copId)),
    );
    if (data.last) {
      coordinatorButtons.push(
        button(
          data.last.recorded ? 'Change attendance' : 'Record attendance',
          ACTION_ATTENDANCE,
          `${data.last.copId}:${data.last.startsAt.toISOString()}`,
        ),
      );
    }
  }
  if (!data.meeting || !data.occasion) {
    const text = data.meeting
      ? 'No upcoming meeting: every date in the next two years is skipped.'
      : 'No meeting is scheduled yet.' + (data.isCoordinator ? '' : ' A coordinator can schedule one.');
    const blocks: KnownBlock[] = [header('Next meeting'), section(text)];
    if (coordinatorButtons.length) blocks.push(actions('meetings:admin', ...coordinatorButtons));
    return { text, blocks };
  }
  const { occasion, meeting } = data;
  const mine = data.rsvps.find((r) => r.user_id === data.viewerId)?.coming;
  const text = `Next meeting: ${when(occasion.startsAt, data.viewerZone)} (your time, ${data.viewerZone})`;
  const blocks: KnownBlock[] = [
    header(data.inProgress ? 'The meeting is on now' : 'Next meeting'),
    section(`${whenText(occasion.startsAt, data.viewerZone)} · ${meeting.length_minutes} minutes${whereLine(meeting)}`),
    context(ruleText(meeting)),
    ...agendaBlocks(data.agenda),
    section(`${whoIsComing(data.rsvps)}\n${rsvpStatusText(mine)}`),
    actions('meetings:rsvp', ...rsvpButtons(occasion.occurrenceId, mine)),
    context(
      streakText(data.streak) +
        (data.remindersOff ? ' Reminder DMs are off for you; `/cop reminders on` turns them back on.' : ''),
    ),
  ];
  if (coordinatorButtons.length) blocks.push(actions('meetings:admin', ...coordinatorButtons));
  return { text, blocks };
}

/** The meeting's part of the App Home: the next one with the viewer's RSVP, or what to do without one. */
export function homeBlocks(data: {
  copId: number;
  occasion: Occasion | undefined;
  scheduled: boolean;
  viewerZone: string;
  coming: boolean | undefined;
  streak: number;
  coordinator: boolean;
}): KnownBlock[] {
  const blocks: KnownBlock[] = [homeTitle(':calendar:', 'Next meeting')];
  if (!data.occasion) {
    const why = data.scheduled ? 'No upcoming meeting: the next dates are all skipped.' : 'No meeting scheduled yet.';
    blocks.push(section(data.coordinator ? why : `${why} A coordinator can schedule one.`));
    if (data.coordinator) {
      const label = data.scheduled ? 'Change the meeting' : 'Schedule the meeting';
      blocks.push(actions('meetings:home-schedule', button(label, ACTION_SCHEDULE, String(data.copId), 'primary')));
    }
    return blocks;
  }
  const { occasion } = data;
  blocks.push(
    section(
      `${whenText(occasion.startsAt, data.viewerZone)} · ${occasion.meeting.length_minutes} minutes${whereLine(occasion.meeting)}\n${rsvpStatusText(data.coming)}`,
    ),
    actions('meetings:rsvp', ...rsvpButtons(occasion.occurrenceId, data.coming)),
    context(`${streakText(data.streak)} \`/cop meeting\` shows the agenda and who is coming.`),
  );
  return blocks;
}

/** The coordinators' part: the meeting's rule, with the button to change it. */
export function homeCoordinatorBlocks(copId: number, meeting: Meeting): KnownBlock[] {
  return [section(`*Meeting:* ${ruleText(meeting)}`, button('Change the meeting', ACTION_SCHEDULE, String(copId)))];
}
