import { z } from 'zod';
import { FIELD, LIMITS } from './ids';
import { SHARES, type VoteRule } from './rules';
import type { ProposeFormState } from './modals';
import type { ProposalInput } from './service';
import { truncate } from '../../slack/text';

/** A view's state.values, as Slack sends it: block id → action id → element state. */
const stateValues = z.record(
  z.string(),
  z.record(
    z.string(),
    z.object({
      type: z.string(),
      value: z.string().nullish(),
      selected_option: z.object({ value: z.string() }).nullish(),
      selected_options: z.array(z.object({ value: z.string() })).nullish(),
    }),
  ),
);
export type StateValues = z.infer<typeof stateValues>;

export function parseState(values: unknown): StateValues {
  const parsed = stateValues.safeParse(values);
  return parsed.success ? parsed.data : {};
}

/** Each input uses its field name as block id and action id. */
const element = (values: StateValues, id: string) => values[id]?.[id];
const textOf = (values: StateValues, id: string): string => element(values, id)?.value ?? '';
const selectedOf = (values: StateValues, id: string): string | null =>
  element(values, id)?.selected_option?.value ?? null;
const checkedOf = (values: StateValues, id: string): string[] =>
  (element(values, id)?.selected_options ?? []).map((o) => o.value);

export const metadata = <T extends z.ZodType>(schema: T, raw: string): z.infer<T> | undefined => {
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
};

export const proposeMetadata = z.object({ copId: z.number().int() });
export const objectionMetadata = z.object({
  proposalId: z.number().int(),
  fromHome: z.boolean(),
  clickedAt: z.string().regex(/^\d+(\.\d+)?$/),
});
export const ruleMetadata = z.object({ copId: z.number().int() });

export type FormResult<T> = { ok: true; value: T } | { ok: false; errors: Record<string, string> };

const required = (what: string, max: number) =>
  z
    .string()
    .trim()
    .min(1, { error: `Please write ${what}.` })
    .max(max, { error: `Keep ${what} to ${max} characters or fewer.` });

const proposalFields = z.object({
  [FIELD.kind]: z.enum(['new', 'change', 'retire'], { error: 'Choose what you propose.' }),
  [FIELD.title]: z
    .string()
    .trim()
    .max(LIMITS.title, { error: `Keep a title to ${LIMITS.title} characters or fewer.` }),
  [FIELD.body]: z
    .string()
    .trim()
    .max(LIMITS.body, { error: `Keep the norm’s text to ${LIMITS.body} characters or fewer.` }),
  [FIELD.rationale]: required('why it matters', LIMITS.rationale),
});

function issuesToErrors(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? '');
    if (key && !errors[key]) errors[key] = issue.message;
  }
  return errors;
}

/** What the proposal form holds now, to redraw it for another choice without losing what was typed. */
export function proposeFormState(values: StateValues): ProposeFormState {
  const kind = selectedOf(values, FIELD.kind);
  const normId = Number(selectedOf(values, FIELD.norm) ?? NaN);
  return {
    ...(kind === 'new' || kind === 'change' || kind === 'retire' ? { kind } : {}),
    ...(Number.isInteger(normId) ? { normId } : {}),
    title: textOf(values, FIELD.title),
    body: textOf(values, FIELD.body),
    rationale: textOf(values, FIELD.rationale),
  };
}

/**
 * The proposal modal's input. `adoptedNorms` are the CoP's adopted norms now (id → title), so a
 * change or retirement of a norm retired meanwhile is refused, and a retirement is titled after
 * its norm; `normBlock` says whether the modal had the norm picker (no picker: errors then go
 * to the kind). Each rule holds here whatever the form showed.
 */
export function parseProposal(
  values: StateValues,
  adoptedNorms: ReadonlyMap<number, string>,
  normBlock: boolean,
): FormResult<ProposalInput> {
  const raw = {
    [FIELD.kind]: selectedOf(values, FIELD.kind) ?? '',
    [FIELD.title]: textOf(values, FIELD.title),
    [FIELD.body]: textOf(values, FIELD.body),
    [FIELD.rationale]: textOf(values, FIELD.rationale),
  };
  const parsed = proposalFields.safeParse(raw);
  const errors = parsed.success ? {} : issuesToErrors(parsed.error);
  const kind = parsed.success ? parsed.data.kind : raw.kind;
  const normField = normBlock ? FIELD.norm : FIELD.kind;
  const normId = Number(selectedOf(values, FIELD.norm) ?? NaN);
  const normTitle = adoptedNorms.get(normId);
  if (kind === 'change' || kind === 'retire') {
    if (!Number.isInteger(normId)) errors[normField] ??= 'Pick the norm to change or retire.';
    else if (normTitle === undefined)
      errors[normField] ??= 'That norm is no longer adopted; pick another, or propose a new norm.';
  }
  if ((kind === 'new' || kind === 'change') && !raw[FIELD.title].trim())
    errors[FIELD.title] ??= 'Please write a title.';
  if ((kind === 'new' || kind === 'change') && !raw[FIELD.body].trim()) {
    errors[FIELD.body] ??= 'Please write the norm’s text.';
  }
  if (!parsed.success || Object.keys(errors).length) return { ok: false, errors };
  const data = parsed.data;
  return {
    ok: true,
    value: {
      kind: data.kind,
      normId: data.kind === 'new' ? null : normId,
      // A retirement is named after the norm it retires (the form asks no title for it).
      title: data.kind === 'retire' ? data.title || truncate(normTitle ?? '', LIMITS.title) : data.title,
      body: data.kind === 'retire' ? '' : data.body,
      rationale: data.rationale,
    },
  };
}

export function parseObjection(values: StateValues): FormResult<{ reason: string | null; anonymous: boolean }> {
  const reason = z
    .string()
    .trim()
    .max(LIMITS.reason, { error: `Keep your reason to ${LIMITS.reason} characters or fewer.` })
    .safeParse(textOf(values, FIELD.reason));
  if (!reason.success) return { ok: false, errors: { [FIELD.reason]: reason.error.issues[0]!.message } };
  return {
    ok: true,
    value: { reason: reason.data || null, anonymous: checkedOf(values, FIELD.anonymous).includes('anonymous') },
  };
}

const shareValues = SHARES.map((s) => `${s.num}/${s.den}`) as [string, ...string[]];
const share = z.enum(shareValues, { error: 'Choose one of the shares offered.' });

export function parseRule(values: StateValues): FormResult<{ rule: VoteRule; windowDays: number }> {
  const parsed = z
    .object({
      [FIELD.quorum]: share,
      [FIELD.approval]: share,
      [FIELD.windowDays]: z.coerce
        .number({ error: 'Give a whole number of days.' })
        .int({ error: 'Give a whole number of days.' })
        .min(1, { error: 'The window is at least 1 day.' })
        .max(30, { error: 'The window is at most 30 days.' }),
    })
    .safeParse({
      [FIELD.quorum]: selectedOf(values, FIELD.quorum) ?? '',
      [FIELD.approval]: selectedOf(values, FIELD.approval) ?? '',
      [FIELD.windowDays]: textOf(values, FIELD.windowDays) || undefined,
    });
  if (!parsed.success) return { ok: false, errors: issuesToErrors(parsed.error) };
  const [qn, qd] = parsed.data[FIELD.quorum].split('/').map(Number) as [number, number];
  const [an, ad] = parsed.data[FIELD.approval].split('/').map(Number) as [number, number];
  return {
    ok: true,
    value: {
      rule: { quorumNum: qn, quorumDen: qd, approvalNum: an, approvalDen: ad },
      windowDays: parsed.data[FIELD.windowDays],
    },
  };
}
