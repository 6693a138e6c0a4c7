import type { ModalView, PlainTextOption } from '@slack/types';
import type { Meeting } from '../../db/schema';
import { section } from '../../slack/blocks';
import { WEEKDAYS } from './schedule';
import { LEAD_CHOICES } from './rules';
import { CALLBACK_ATTENDANCE, CALLBACK_SCHEDULE } from './views';

// The schedule and attendance modals (coordinators only; rights are checked on submit).

const option = (text: string, value: string): PlainTextOption => ({
  text: { type: 'plain_text', text, emoji: true },
  value,
});

export function scheduleModal(copId: number, meeting: Meeting | undefined, defaultZone: string): ModalView {
  const weekdays = WEEKDAYS.map((d, i) => option(d, String(i + 1)));
  const leads = LEAD_CHOICES.map((c) => option(c.label, String(c.minutes)));
  const weekday = meeting ? weekdays[meeting.weekday - 1] : undefined;
  const lead = leads.find((l) => l.value === String(meeting?.lead_minutes ?? 60));
  return {
    type: 'modal',
    callback_id: CALLBACK_SCHEDULE,
    private_metadata: JSON.stringify({ copId }),
    title: { type: 'plain_text', text: meeting ? 'Change the meeting' : 'Schedule the meeting' },
    submit: { type: 'plain_text', text: 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      section('The CoP meets every week at the same local time. Members get a reminder DM in their own time zone.'),
      {
        type: 'input',
        block_id: 'weekday',
        label: { type: 'plain_text', text: 'Day of the week' },
        element: {
          type: 'static_select',
          action_id: 'weekday',
          options: weekdays,
          ...(weekday ? { initial_option: weekday } : {}),
        },
      },
      {
        type: 'input',
        block_id: 'time',
        label: { type: 'plain_text', text: 'Time (in the time zone below)' },
        element: { type: 'timepicker', action_id: 'time', initial_time: meeting?.local_time ?? '10:00' },
      },
      {
        type: 'input',
        block_id: 'zone',
        label: { type: 'plain_text', text: 'Time zone' },
        hint: { type: 'plain_text', text: 'The meeting keeps its local time in this zone, summer and winter.' },
        element: {
          // Type-ahead over the IANA zones, the coordinator's own first (see the zone suggestions).
          type: 'external_select',
          action_id: 'zone',
          min_query_length: 0,
          placeholder: { type: 'plain_text', text: 'Type a city, e.g. Amsterdam' },
          initial_option: option(meeting?.time_zone ?? defaultZone, meeting?.time_zone ?? defaultZone),
        },
      },
      {
        type: 'input',
        block_id: 'length',
        label: { type: 'plain_text', text: 'Length in minutes' },
        element: {
          type: 'number_input',
          action_id: 'length',
          is_decimal_allowed: false,
          min_value: '5',
          max_value: '480',
          initial_value: String(meeting?.length_minutes ?? 60),
        },
      },
      {
        type: 'input',
        block_id: 'location',
        optional: true,
        label: { type: 'plain_text', text: 'Where (a link or a room)' },
        element: {
          type: 'plain_text_input',
          action_id: 'location',
          max_length: 300,
          ...(meeting ? { initial_value: meeting.location } : {}),
        },
      },
      {
        type: 'input',
        block_id: 'lead',
        label: { type: 'plain_text', text: 'Remind members' },
        element: {
          type: 'static_select',
          action_id: 'lead',
          options: leads,
          ...(lead ? { initial_option: lead } : {}),
        },
      },
      {
        type: 'input',
        block_id: 'skip',
        optional: true,
        label: { type: 'plain_text', text: 'Skip these dates (holidays)' },
        hint: { type: 'plain_text', text: 'Dates in the meeting’s time zone, YYYY-MM-DD, separated by commas.' },
        element: {
          type: 'plain_text_input',
          action_id: 'skip',
          max_length: 2000,
          placeholder: { type: 'plain_text', text: '2026-12-22, 2026-12-29' },
          ...(meeting?.skip_dates ? { initial_value: meeting.skip_dates.split(',').join(', ') } : {}),
        },
      },
    ],
  };
}

export function attendanceModal(occurrenceId: number, label: string, initialUsers: string[]): ModalView {
  return {
    type: 'modal',
    callback_id: CALLBACK_ATTENDANCE,
    private_metadata: JSON.stringify({ occurrenceId }),
    title: { type: 'plain_text', text: 'Record attendance' },
    submit: { type: 'plain_text', text: 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      section(`Who came to the meeting of *${label}*? Members see their own streak of meetings attended.`),
      {
        type: 'input',
        block_id: 'attendees',
        optional: true,
        label: { type: 'plain_text', text: 'Who came' },
        element: {
          type: 'multi_users_select',
          action_id: 'attendees',
          ...(initialUsers.length ? { initial_users: initialUsers } : {}),
        },
      },
    ],
  };
}
