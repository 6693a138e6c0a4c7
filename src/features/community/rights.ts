import type { Db } from '../../db/database';
import { withDeadline } from '../../deadline';
import type { CopRights } from '../types';
import { findCopsWithRights, type RightsQuestion } from './repository';

/** Under Slack's 3 s: a command whose rights cannot be read by then is told to try again. */
const READ_TIMEOUT_MS = 2_500;

interface Waiting {
  readonly question: RightsQuestion;
  resolve(answer: CopRights | undefined): void;
  reject(error: unknown): void;
}

/**
 * Every `/cop` command asks who the user is in the channel's CoP. Asked one by one, a burst of
 * commands costs a round trip each, and the round trips were most of the bot's time per answer.
 * Here the questions asked in one turn of the event loop, and those asked while a read is out,
 * go together in the next read: one statement for all of them. Each question is answered by a
 * read that began after it was asked, so no answer is older than its question.
 */
export class RightsReader {
  private waiting: Waiting[] = [];
  private reading = false;
  private scheduled = false;

  constructor(
    private readonly db: Db,
    private readonly options: { maxBatch?: number; timeoutMs?: number } = {},
  ) {}

  rightsOf(teamId: string, channelId: string, userId: string): Promise<CopRights | undefined> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ question: { teamId, channelId, userId }, resolve, reject });
      this.schedule();
    });
  }

  /** Reads once the requests that arrived together have all asked (setImmediate: after I/O). */
  private schedule(): void {
    if (this.reading || this.scheduled || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.read();
    });
  }

  /**
   * One read at a time, but never stuck behind one: a read that has not answered within
   * `timeoutMs` (a connection hung in a network partition, say) fails its questions as the
   * database being away, and the next read goes out on another connection.
   */
  private read(): void {
    this.reading = true;
    const batch = this.waiting.splice(0, this.options.maxBatch ?? 500);
    const timeoutMs = this.options.timeoutMs ?? READ_TIMEOUT_MS;
    const questions = batch.map((w) => w.question);
    void withDeadline(findCopsWithRights(this.db, questions), timeoutMs, () => new RightsReadTimeout(timeoutMs))
      .then(
        (answers) => batch.forEach((w, i) => w.resolve(answers[i])),
        (error: unknown) => batch.forEach((w) => w.reject(error)),
      )
      .finally(() => {
        this.reading = false;
        this.schedule();
      });
  }
}

/** A read of rights that did not answer in time; `ETIMEDOUT`, so it reads as the database being away. */
export class RightsReadTimeout extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(ms: number) {
    super(`reading the callers' rights took over ${ms} ms`);
    this.name = 'RightsReadTimeout';
  }
}
