import type {
  AllMiddlewareArgs,
  BlockAction,
  SlackAction,
  SlackActionMiddlewareArgs,
  SlackEventMiddlewareArgs,
  SlackShortcut,
  SlackShortcutMiddlewareArgs,
  SlackOptionsMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';

/** What a named action handler is called with (Bolt's arguments for a button click by default). */
export type ActionArgs<A extends SlackAction = BlockAction> = SlackActionMiddlewareArgs<A> & AllMiddlewareArgs;
/** What a named modal-submission handler is called with. */
export type ViewSubmissionArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;
/** What a named event handler is called with. */
export type EventArgs<E extends string> = SlackEventMiddlewareArgs<E> & AllMiddlewareArgs;
/** What a named shortcut handler is called with. */
export type ShortcutArgs<S extends SlackShortcut = SlackShortcut> = SlackShortcutMiddlewareArgs<S> & AllMiddlewareArgs;
/** What a named external-select options handler is called with (block_suggestion). */
export type SuggestionArgs = SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs;
