import { DeliveryRefused, HeldAck } from '../../src/slack/held-acks';

describe('HeldAck: an event delivery acknowledged once its handlers stored their work', () => {
  it('acks when every handler acked, not before', async () => {
    const hold = new HeldAck(1_000);
    const [first, second] = [hold.expect(), hold.expect()];
    let settled: unknown;
    void hold.outcome.then((o) => (settled = o));
    await first();
    await first(); // a second call of one handler's ack counts once
    await Promise.resolve();
    expect(settled).toBeUndefined();
    await second();
    expect(await hold.outcome).toBe('acked');
  });

  it('is refused when a handler fails before acking, and an ack after that changes nothing', async () => {
    const hold = new HeldAck(1_000);
    const ack = hold.expect();
    hold.refuse('the write failed');
    await ack();
    const outcome = await hold.outcome;
    expect(outcome).toBeInstanceOf(DeliveryRefused);
    expect((outcome as DeliveryRefused).message).toContain('the write failed');
  });

  it('a refusal after the ack changes nothing: Slack already has its 2xx', async () => {
    const hold = new HeldAck(1_000);
    await hold.expect()();
    hold.refuse('a later step failed');
    expect(await hold.outcome).toBe('acked');
  });

  it('is refused when nothing acks in time', async () => {
    const hold = new HeldAck(20);
    hold.expect();
    const outcome = await hold.outcome;
    expect(outcome).toBeInstanceOf(DeliveryRefused);
    expect((outcome as DeliveryRefused).message).toContain('not stored within 20 ms');
  });
});
