import type { Clock } from '../../clock';
import type { Db } from '../../db/database';
import { withRetry } from '../../db/retry';
import type { Cop, Norm, Proposal, ProposalKind, Stance } from '../../db/schema';
import type { AppLogger } from '../../logger';
import type { Community } from '../types';
import * as repo from './repository';
import type { Conn } from './repository';
import * as votesRepo from './votes-repository';
import { applyReviewOutcome, membersForRule } from './reviews-outcome';
import { decide, ruleOf, type Tally, type VoteRule } from './rules';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

export interface ProposalInput {
  kind: ProposalKind;
  normId: number | null;
  title: string;
  body: string;
  rationale: string;
}

/** What a proposal's message and listings show. */
export interface ProposalSnapshot {
  proposal: Proposal;
  tally: Tally;
  members: number;
  /** The norm a change or retirement is about, and its number while it is adopted. */
  norm?: Norm;
  normNumber?: number;
}

export interface NumberedNorm {
  number: number;
  norm: Norm;
}

export interface Decision {
  proposal: Proposal;
  /** Set when this call closed it (adopted or declined); undefined when it stays open or was closed before. */
  closed?: 'adopted' | 'declined';
  /** The norm that came of it (new, changed or retired). */
  norm?: Norm;
}

/** A proposal settled: what its message and any announcement show (one tally), and whether this call closed it. */
export interface Settled {
  snapshot: ProposalSnapshot;
  closed?: 'adopted' | 'declined';
  /** The proposal's message_version when the tally was read: what its message shows once updated. */
  version?: number;
}

/** Norms: proposals, votes, outcomes. Rules and transactions; no Slack here. */
export class NormsService {
  private readonly decidedListeners: Array<(decision: Decision) => Promise<void>> = [];

  constructor(
    private readonly db: Db,
    private readonly community: Community,
    private readonly clock: Clock,
    private readonly logger: AppLogger,
  ) {}

  async numberedNorms(copId: number): Promise<NumberedNorm[]> {
    const norms = await repo.listAdoptedNorms(this.db, copId);
    return norms.map((norm, i) => ({ number: i + 1, norm }));
  }

  /** Stores a proposal not yet posted; `attachMessage` or `discardDraft` follows. */
  createDraft(cop: Cop, input: ProposalInput, proposedBy: string): Promise<Proposal> {
    const now = this.clock.now();
    return repo.insertProposal(this.db, {
      cop_id: cop.id,
      kind: input.kind,
      norm_id: input.kind === 'new' ? null : input.normId,
      title: input.title,
      body: input.body,
      rationale: input.rationale,
      proposed_by: proposedBy,
      created_at: now,
      closes_at: new Date(now.getTime() + cop.window_hours * HOUR),
      quorum_num: cop.quorum_num,
      quorum_den: cop.quorum_den,
      approval_num: cop.approval_num,
      approval_den: cop.approval_den,
      channel_id: cop.channel_id,
    });
  }

  attachMessage(proposalId: number, ts: string): Promise<void> {
    return repo.setMessageTs(this.db, proposalId, ts);
  }

  discardDraft(proposalId: number): Promise<void> {
    return repo.deleteProposal(this.db, proposalId);
  }

  findProposal(proposalId: number): Promise<Proposal | undefined> {
    return repo.findProposal(this.db, proposalId);
  }

  /** Awaited after a proposal (or review) closed, e.g. to keep the charter current. Must not reject. */
  onDecided(listener: (decision: Decision) => Promise<void>): void {
    this.decidedListeners.push(listener);
  }

  async snapshot(proposal: Proposal): Promise<ProposalSnapshot> {
    const { tally, members } = await votesRepo.tallyAndMembers(this.db, proposal);
    return this.withNorm({ proposal, tally, members: membersForRule(proposal, members) });
  }

  /** Adds the norm a change or retirement is about, and its number while adopted. */
  private async withNorm(snapshot: ProposalSnapshot, numbered?: NumberedNorm[]): Promise<ProposalSnapshot> {
    const { proposal } = snapshot;
    if (proposal.norm_id === null) return snapshot;
    const norms = numbered ?? (await this.numberedNorms(proposal.cop_id));
    const adopted = norms.find((n) => n.norm.id === proposal.norm_id);
    const norm = adopted?.norm ?? (await repo.findNorm(this.db, proposal.norm_id));
    return { ...snapshot, norm, normNumber: adopted?.number };
  }

  /**
   * Reads a proposal and its tally once, decides it if the rule allows (adopted as soon as it is
   * met, declined past its window), and returns the snapshot its message and any announcement
   * show. Runs after the votes' transactions committed, so the last of concurrent votes sees them
   * all; the conditional close lets only one caller (of any instance) close it.
   */
  async settle(proposalId: number): Promise<Settled | undefined> {
    const read = await votesRepo.proposalWithTally(this.db, proposalId);
    if (!read) return undefined;
    const { tally } = read;
    // A review's rule counts the members it opened with; others count them live.
    const members = membersForRule(read.proposal, read.members);
    let decision: Decision = { proposal: read.proposal };
    if (read.proposal.status === 'open') {
      const outcome = decide(tally, members, ruleOf(read.proposal), this.clock.now(), read.proposal.closes_at);
      if (outcome !== 'open') {
        decision = await withRetry(() => this.close(read.proposal, outcome, members), {
          logger: this.logger,
          what: `closing proposal ${proposalId} as ${outcome}`,
        });
        if (decision.closed) await Promise.all(this.decidedListeners.map((listener) => listener(decision)));
      }
    }
    const snapshot = await this.withNorm({ proposal: decision.proposal, tally, members });
    // What the message will show: the tally as read, and the decision if this settle closed it
    // (its status change bumped the version once; any other bump was a vote the tally missed).
    const asRead = read.proposal.message_version;
    const asClosed = decision.proposal.message_version;
    const version = decision.closed && asClosed === asRead + 1 ? asClosed : asRead;
    return { snapshot, closed: decision.closed, version };
  }

  /** Its message was updated with the tally read at `version`. */
  messageShown(proposalId: number, version: number): Promise<void> {
    return repo.markMessageShown(this.db, proposalId, version);
  }

  /** Whether this caller posts the proposal's outcome reply: the first to ask, of any instance. */
  claimOutcomeReply(proposalId: number): Promise<boolean> {
    return repo.claimOutcomeReply(this.db, proposalId, this.clock.now());
  }

  /** Proposals whose message lags its votes or status (open, or decided in the last day). */
  laggingMessages(limit = 50): Promise<number[]> {
    return repo.listLaggingMessages(this.db, new Date(this.clock.now().getTime() - DAY), limit);
  }

  private close(proposal: Proposal, outcome: 'adopted' | 'declined', members: number): Promise<Decision> {
    const now = this.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const closed = await repo.closeProposal(trx, proposal.id, outcome, now, members);
      if (!closed) return { proposal: (await repo.findProposal(trx, proposal.id)) ?? proposal };
      if (closed.kind === 'review') return applyReviewOutcome(trx, closed, outcome, now, this.logger);
      if (outcome === 'declined') return { proposal: closed, closed: 'declined' };
      let norm: Norm | undefined;
      if (closed.kind === 'new') norm = await repo.insertNorm(trx, closed, now);
      else if (closed.kind === 'change') norm = await repo.changeNorm(trx, closed.norm_id!, closed.title, closed.body);
      else norm = await repo.retireNorm(trx, closed.norm_id!, now);
      if (!norm) {
        // The norm was retired by another proposal meanwhile: nothing left to change.
        const declined = await repo.setStatus(trx, closed.id, 'declined');
        return { proposal: declined, closed: 'declined' };
      }
      if (closed.kind !== 'retire') await repo.addRevision(trx, norm, closed.id, now);
      this.logger.info(`proposal ${closed.id} adopted (${closed.kind}); norm ${norm.id}`);
      return { proposal: closed, closed: 'adopted', norm };
    });
  }

  /** Every open proposal, decided if it can be: the deadline check, and a safety net after failures. */
  async decideDue(): Promise<Settled[]> {
    const decided: Settled[] = [];
    for (const open of await repo.listOpenProposals(this.db)) {
      const settled = await this.settle(open.id);
      if (settled?.closed) decided.push(settled);
    }
    const orphans = await repo.deleteUnposted(this.db, new Date(this.clock.now().getTime() - HOUR / 6));
    if (orphans) this.logger.info(`removed ${orphans} proposal(s) whose message was never posted`);
    return decided;
  }

  /**
   * Queues one private nudge per member who has not voted, once per proposal, when it is within
   * `beforeMs` of closing (or within half its window, for windows shorter than twice that, so a
   * one-day proposal does not nudge at once). Returns how many DMs were queued.
   */
  async nudgeNonVoters(
    now: Date,
    beforeMs: number,
    enqueue: (trx: Conn, proposal: Proposal, userIds: string[]) => Promise<number>,
  ): Promise<number> {
    let queued = 0;
    for (const proposal of await repo.listDueForNudge(this.db, now, new Date(now.getTime() + beforeMs))) {
      const window = proposal.closes_at.getTime() - proposal.created_at.getTime();
      if (proposal.closes_at.getTime() - now.getTime() > Math.min(beforeMs, window / 2)) continue;
      queued += await this.db.transaction().execute(async (trx) => {
        if (!(await repo.claimNudge(trx, proposal.id, now))) return 0;
        const voters = new Set(await votesRepo.listVoters(trx, proposal.id));
        const members = await this.community.memberIds(proposal.cop_id, trx);
        return enqueue(
          trx,
          proposal,
          members.filter((id) => !voters.has(id)),
        );
      });
    }
    return queued;
  }

  /** The CoP's open proposals with the viewer's own stance on each. */
  async openProposals(copId: number, viewerId?: string) {
    const open = await votesRepo.openProposalsWithTallies(this.db, copId);
    const numbered = open.some((o) => o.proposal.norm_id !== null) ? await this.numberedNorms(copId) : [];
    const snapshots = await Promise.all(
      open.map((o) => this.withNorm({ ...o, members: membersForRule(o.proposal, o.members) }, numbered)),
    );
    const stances = viewerId
      ? await votesRepo.stancesOf(
          this.db,
          viewerId,
          open.map((o) => o.proposal.id),
        )
      : new Map<number, Stance>();
    return { snapshots, stances };
  }

  isMember(copId: number, userId: string): Promise<boolean> {
    return this.community.isMember(copId, userId);
  }

  /** Changes the CoP's rule for proposals opened from now on; only a coordinator may. */
  async changeRule(copId: number, userId: string, rule: VoteRule, windowDays: number): Promise<boolean> {
    if (!(await this.community.isCoordinator(copId, userId))) return false;
    await repo.updateRule(this.db, copId, rule, windowDays * 24);
    this.logger.info(`vote rule of cop ${copId} changed by a coordinator`);
    return true;
  }
}
