import { withDeadline } from '../../src/deadline';

describe('withDeadline', () => {
  const late = () => new Error('too late');

  it('gives the work its answer when it comes first, and leaves no timer behind', async () => {
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    await expect(withDeadline(Promise.resolve(42), 60_000, late)).resolves.toBe(42);
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout')).toHaveLength(timersBefore);
  });

  it("passes the work's own failure through", async () => {
    await expect(withDeadline(Promise.reject(new Error('refused')), 60_000, late)).rejects.toThrow('refused');
  });

  it('fails with the late error when the work never answers', async () => {
    const never = new Promise<number>(() => undefined);
    await expect(withDeadline(never, 20, late)).rejects.toThrow('too late');
  });
});
