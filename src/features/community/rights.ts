import type { Db } from '../../db/database';
import type { CopRights } from '../types';
import { findCopsWithRights, type RightsQuestion } from './repository';

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
    private readonly maxBatch = 500,
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

  private read(): void {
    this.reading = true;
    const batch = this.waiting.splice(0, this.maxBatch);
    void findCopsWithRights(
      this.db,
      batch.map((w) => w.question),
    )
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
