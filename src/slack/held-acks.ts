import type { App } from '@slack/bolt';
import type { AppLogger } from '../logger';

/** Refuses a delivery (HTTP 500, or no Socket Mode ack) so that Slack delivers it again. */
export class DeliveryRefused extends Error {
  constructor(reason: string) {
    super(`event refused so that Slack delivers it again: ${reason}`);
    this.name = 'DeliveryRefused';
  }
}

/**
 * The acknowledgement of one event delivery, held until its handlers say their work is stored.
 * Settles once: acked when every handler acked (or finished without needing to), refused when
 * one failed first or the time ran out.
 */
export class HeldAck {
  readonly outcome: Promise<'acked' | DeliveryRefused>;
  private decide!: (outcome: 'acked' | DeliveryRefused) => void;
  private decided = false;
  private waitingFor = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(timeoutMs: number) {
    this.outcome = new Promise((resolve) => (this.decide = resolve));
    this.timer = setTimeout(() => this.refuse(`not stored within ${timeoutMs} ms`), timeoutMs);
    this.timer.unref();
  }

  /** One more handler whose ack is needed; returns its ack. */
  expect(): () => Promise<void> {
    this.waitingFor += 1;
    let acked = false;
    return async () => {
      if (acked) return;
      acked = true;
      this.waitingFor -= 1;
      if (this.waitingFor === 0) this.settle('acked');
    };
  }

  refuse(reason: string): void {
    this.settle(new DeliveryRefused(reason));
  }

  private settle(outcome: 'acked' | DeliveryRefused): void {
    if (this.decided) return;
    this.decided = true;
    clearTimeout(this.timer);
    this.decide(outcome);
  }
}

// Bolt hands each listener the very body object the receiver parsed: the key to its held ack.
const held = new WeakMap<object, HeldAck>();

/** The held ack of the delivery whose body this is, if its acknowledgement is held. */
export function heldAckOf(body: unknown): HeldAck | undefined {
  return typeof body === 'object' && body !== null ? held.get(body) : undefined;
}

/**
 * Holds Slack's acknowledgement of the events `holds` picks until their handlers ack (see
 * SlackRoutes.eventWithAck), for both receivers: Bolt acknowledges every event before any
 * listener runs, so the ack it calls is swallowed here and the receiver's own is called when the
 * handlers ack. In HTTP mode that is the 200 (or, with processBeforeResponse, the stored one);
 * in Socket Mode the envelope's ack. A refusal throws, which the receiver answers with a 500
 * (HTTP) or leaves unacknowledged (Socket Mode): Slack delivers the event again either way.
 * `timeoutMs` stays under Slack's 3 seconds, so a slow write is refused rather than timed out.
 */
export function holdEventAcks(app: App, holds: (body: unknown) => boolean, timeoutMs: number, logger: AppLogger): void {
  const processEvent = app.processEvent.bind(app);
  app.processEvent = async (event) => {
    if (!holds(event.body)) return processEvent(event);
    const hold = new HeldAck(timeoutMs);
    held.set(event.body, hold);
    const processing = processEvent({ ...event, ack: async () => undefined });
    // Handlers that finished without a word had nothing to store; one that threw refused already.
    void processing.then(
      () => hold.expect()(),
      () => hold.refuse('the event could not be processed'),
    );
    const outcome = await hold.outcome;
    if (outcome instanceof DeliveryRefused) {
      const eventId = (event.body as { event_id?: unknown }).event_id;
      logger.warn(`event ${String(eventId)}: ${outcome.message}`);
      throw outcome;
    }
    await event.ack();
    await processing;
  };
}
