import { AfterAckQueue } from '../../src/slack/after-ack';

/** A job the test finishes by hand. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('AfterAckQueue: the work after acks, a few jobs at a time', () => {
  it('runs at most `concurrency` jobs at once, the rest in arrival order', async () => {
    const queue = new AfterAckQueue({ concurrency: 2, leaseMs: 60_000, maxWaiting: 100 });
    const gates = [gate(), gate(), gate(), gate()];
    const started: number[] = [];
    const done = gates.map((g, i) =>
      queue.run(async () => {
        started.push(i);
        await g.opened;
        return i;
      }),
    );
    await turn();
    expect(started).toEqual([0, 1]);
    expect(queue.pending).toBe(2);

    gates[1]!.open();
    await turn();
    expect(started).toEqual([0, 1, 2]);
    expect(queue.pending).toBe(1);

    gates[0]!.open();
    gates[2]!.open();
    gates[3]!.open();
    await expect(Promise.all(done)).resolves.toEqual([0, 1, 2, 3]);
    expect(started).toEqual([0, 1, 2, 3]);
    expect(queue.pending).toBe(0);
  });

  it('is full once `maxWaiting` jobs wait, and still lets every admitted job run', async () => {
    const queue = new AfterAckQueue({ concurrency: 1, leaseMs: 60_000, maxWaiting: 2 });
    const gates = [gate(), gate(), gate(), gate()];
    const done = gates.slice(0, 3).map((g, i) => queue.run(async () => (await g.opened, i)));
    await turn();
    expect(queue.pending).toBe(2);
    expect(queue.full).toBe(true);
    // Admitted while full (a modal's submission): it waits, it is not dropped.
    const forced = queue.run(async () => (await gates[3]!.opened, 3));
    expect(queue.pending).toBe(3);
    for (const g of gates) g.open();
    await expect(Promise.all([...done, forced])).resolves.toEqual([0, 1, 2, 3]);
    expect(queue.full).toBe(false);
  });

  it('gives the slot back when a job fails, and passes the failure on', async () => {
    const queue = new AfterAckQueue({ concurrency: 1, leaseMs: 60_000, maxWaiting: 100 });
    const failing = queue.run(async () => {
      throw new Error('database down');
    });
    const next = queue.run(async () => 'ran');
    await expect(failing).rejects.toThrow('database down');
    await expect(next).resolves.toBe('ran');
  });

  it('takes a slot back from a job that holds it past its lease, and the job runs on', async () => {
    jest.useFakeTimers();
    try {
      const queue = new AfterAckQueue({ concurrency: 1, leaseMs: 2_000, maxWaiting: 100 });
      const slow = gate();
      let slowFinished = false;
      const first = queue.run(async () => {
        await slow.opened;
        slowFinished = true;
      });
      let secondRan = false;
      const second = queue.run(async () => {
        secondRan = true;
      });
      await Promise.resolve();
      expect(secondRan).toBe(false);

      await jest.advanceTimersByTimeAsync(1_999);
      expect(secondRan).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      await second;
      expect(secondRan).toBe(true);
      expect(slowFinished).toBe(false);

      slow.open();
      await first;
      expect(slowFinished).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });

  it('counts a slot once however often it is released (lease end, then the job end)', async () => {
    jest.useFakeTimers();
    try {
      const queue = new AfterAckQueue({ concurrency: 1, leaseMs: 10, maxWaiting: 100 });
      const release = await queue.acquire();
      await jest.advanceTimersByTimeAsync(10); // the lease ends: the slot is free
      release(); // the job ends: nothing more to give back
      release();
      const a = await queue.acquire();
      let bGot = false;
      const b = queue.acquire().then((r) => {
        bGot = true;
        return r;
      });
      await Promise.resolve();
      // Only one slot exists: a double release would have let b in.
      expect(bGot).toBe(false);
      a();
      (await b)();
      expect(bGot).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
});
