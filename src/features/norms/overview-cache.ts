import type { Cop } from '../../db/schema';

/**
 * Rendered `/cop norms` answers by CoP, each kept only for the `overview_version` it was read
 * at. Every write that changes what the overview shows (norms, proposals, votes, members, the
 * rule) bumps that version in its own transaction, whichever instance made it, and each request
 * reads the version with the CoP (the router's rights lookup): a hit is the CoP's overview as it
 * stands. The data is read after the version, so an entry is never older than its version says.
 */
export class OverviewCache<T> {
  private readonly entries = new Map<string, { version: string; value: T }>();

  constructor(private readonly maxEntries = 1_000) {}

  /** The answer for this CoP at its current version and this `variant` (e.g. what the viewer may do). */
  async get(cop: Cop, variant: string, build: () => Promise<{ value: T; keep: boolean }>): Promise<T> {
    const key = `${cop.id}:${variant}`;
    const version = String(cop.overview_version);
    const known = this.entries.get(key);
    if (known?.version === version) return known.value;
    const { value, keep } = await build();
    if (keep) {
      if (!this.entries.has(key) && this.entries.size >= this.maxEntries) {
        this.entries.delete(this.entries.keys().next().value!);
      }
      this.entries.set(key, { version, value });
    }
    return value;
  }
}
