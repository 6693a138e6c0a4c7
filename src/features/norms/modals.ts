import type { InputBlock, KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import type { Cop } from '../../db/schema';
import { section } from '../../slack/blocks';
import { escapeText, truncate } from '../../slack/text';
import { CALLBACK, FIELD, LIMITS } from './ids';
import { SHARES, shareInWords } from './rules';
import type { NumberedNorm } from './service';

const plain = (text: string) => ({ type: 'plain_text' as const, text: truncate(text, 75), emoji: true });
const option = (text: string, value: string): PlainTextOption => ({ text: plain(text), value });

function textInput(
  id: string,
  label: string,
  opts: { multiline?: boolean; max: number; initial?: string; optional?: boolean; hint?: string; placeholder?: string },
): InputBlock {
  return {
    type: 'input',
    block_id: id,
    label: plain(label),
    optional: opts.optional ?? false,
    ...(opts.hint ? { hint: { type: 'plain_text', text: opts.hint } } : {}),
    element: {
      type: 'plain_text_input',
      action_id: id,
      multiline: opts.multiline ?? false,
      max_length: opts.max,
      ...(opts.initial ? { initial_value: truncate(opts.initial, opts.max) } : {}),
      ...(opts.placeholder ? { placeholder: plain(opts.placeholder) } : {}),
    },
  };
}

function modal(callbackId: string, title: string, submit: string, metadata: object, blocks: KnownBlock[]): ModalView {
  return {
    type: 'modal',
    callback_id: callbackId,
    title: plain(title),
    submit: plain(submit),
    close: plain('Cancel'),
    private_metadata: JSON.stringify(metadata),
    blocks,
  };
}

export interface ProposeMetadata {
  copId: number;
}

export type ProposalKindChoice = 'new' | 'change' | 'retire';

/** What the proposal form shows: the choice made and what was typed so far (kept across choices). */
export interface ProposeFormState {
  kind?: ProposalKindChoice;
  normId?: number;
  title?: string;
  body?: string;
  rationale?: string;
}

const KIND_OPTIONS: Record<ProposalKindChoice, string> = {
  new: 'A new norm',
  change: 'A change to an adopted norm',
  retire: 'Retiring an adopted norm',
};

/**
 * The proposal modal: only the fields the choice needs. A new norm: title, text, why. A change:
 * which norm, its new title and text, why. A retirement: which norm and why (its title is the
 * norm's). Changing the choice sends a block action (dispatch_action), answered by redrawing
 * this form with the new choice and what was typed (see the kind listener).
 */
export function proposeModal(copId: number, norms: NumberedNorm[], initial: string | ProposeFormState = ''): ModalView {
  const form: ProposeFormState = typeof initial === 'string' ? { title: initial } : initial;
  const kind = norms.length ? (form.kind ?? 'new') : 'new';
  const kinds = (norms.length ? (['new', 'change', 'retire'] as const) : (['new'] as const)).map((k) =>
    option(KIND_OPTIONS[k], k),
  );
  const blocks: KnownBlock[] = [
    section('Propose how we work together. Everyone in the channel votes; the rule of this CoP decides.'),
    {
      type: 'input',
      block_id: FIELD.kind,
      dispatch_action: true,
      label: plain('What do you propose?'),
      element: {
        type: 'radio_buttons',
        action_id: FIELD.kind,
        options: kinds,
        initial_option: kinds.find((o) => o.value === kind) ?? kinds[0],
      },
    },
  ];
  if (kind !== 'new') {
    const normOptions = norms.slice(0, 100).map((n) => option(`${n.number}. ${n.norm.title}`, String(n.norm.id)));
    const picked = normOptions.find((o) => o.value === String(form.normId));
    blocks.push({
      type: 'input',
      block_id: FIELD.norm,
      label: plain(kind === 'change' ? 'Which norm to change' : 'Which norm to retire'),
      element: {
        type: 'static_select',
        action_id: FIELD.norm,
        placeholder: plain('Pick an adopted norm'),
        options: normOptions,
        ...(picked ? { initial_option: picked } : {}),
      },
    });
  }
  if (kind !== 'retire') {
    blocks.push(
      textInput(FIELD.title, kind === 'change' ? 'The norm’s new title' : 'Title', {
        max: LIMITS.title,
        initial: form.title,
        hint: kind === 'change' ? 'Keep its title or give it a new one.' : 'A short name for the norm.',
      }),
      textInput(FIELD.body, kind === 'change' ? 'The norm’s new text' : 'The norm’s text', {
        multiline: true,
        max: LIMITS.body,
        initial: form.body,
      }),
    );
  }
  blocks.push(
    textInput(FIELD.rationale, kind === 'retire' ? 'Why retire it' : 'Why it matters', {
      multiline: true,
      max: LIMITS.rationale,
      initial: form.rationale,
    }),
  );
  return modal(CALLBACK.propose, 'Propose a norm', 'Post proposal', { copId } satisfies ProposeMetadata, blocks);
}

export interface ObjectionMetadata {
  proposalId: number;
  /** Opened from the App Home, so the home is refreshed after the vote. */
  fromHome: boolean;
  /** The click's action_ts: the objection is at least that recent, whatever our clock says. */
  clickedAt: string;
}

export function objectionModal(
  proposalId: number,
  title: string,
  meta: Omit<ObjectionMetadata, 'proposalId'>,
): ModalView {
  return modal(CALLBACK.objection, 'Object', 'Object', { proposalId, ...meta } satisfies ObjectionMetadata, [
    section(`You are objecting to *${escapeText(title)}*. A reason helps the group improve the proposal.`),
    textInput(FIELD.reason, 'Your reason', { multiline: true, max: LIMITS.reason, optional: true }),
    {
      type: 'input',
      block_id: FIELD.anonymous,
      label: plain('Post my reason without my name'),
      optional: true,
      element: {
        type: 'checkboxes',
        action_id: FIELD.anonymous,
        options: [option('Post my reason in the thread anonymously', 'anonymous')],
      },
    },
  ]);
}

export interface RuleMetadata {
  copId: number;
}

const shareOptions = () => SHARES.map((s) => option(shareInWords(s.num, s.den), `${s.num}/${s.den}`));
const initialShare = (num: number, den: number) => shareOptions().find((o) => o.value === `${num}/${den}`);

/** The coordinators' modal to change the vote rule for proposals opened from now on. */
export function ruleModal(cop: Cop): ModalView {
  const quorum = initialShare(cop.quorum_num, cop.quorum_den);
  const approval = initialShare(cop.approval_num, cop.approval_den);
  return modal(CALLBACK.rule, 'Change the voting rule', 'Save rule', { copId: cop.id } satisfies RuleMetadata, [
    section('The new rule applies to proposals opened from now on; open proposals keep the rule they started with.'),
    {
      type: 'input',
      block_id: FIELD.quorum,
      label: plain('Supporters needed, as a share of all members'),
      element: {
        type: 'static_select',
        action_id: FIELD.quorum,
        options: shareOptions(),
        ...(quorum ? { initial_option: quorum } : {}),
      },
    },
    {
      type: 'input',
      block_id: FIELD.approval,
      label: plain('Supporters needed, as a share of the votes cast'),
      element: {
        type: 'static_select',
        action_id: FIELD.approval,
        options: shareOptions(),
        ...(approval ? { initial_option: approval } : {}),
      },
    },
    {
      type: 'input',
      block_id: FIELD.windowDays,
      label: plain('Voting window, in days (1 to 30)'),
      element: {
        type: 'number_input',
        action_id: FIELD.windowDays,
        is_decimal_allowed: false,
        min_value: '1',
        max_value: '30',
        initial_value: String(Math.max(1, Math.round(cop.window_hours / 24))),
      },
    },
  ]);
}
