import type { Ledger, LedgerTx } from '../ledger/ledger.js';
import type { TerminalManager } from './terminalManager.js';
import type { Logger } from './logger.js';

export type HostRequestType = 'VD' | 'RF' | 'SE';

/**
 * What must happen only once a transaction has committed (pushing events to the screens, printing):
 * returned by the code that runs inside it, run after COMMIT, dropped on ROLLBACK.
 */
export type AfterCommit = () => void;

/**
 * Runs inside the transaction that creates the request: rows that must exist iff the request does.
 * May return what to do once that transaction has committed (before anything is sent).
 */
export type WithinRequest = (tx: LedgerTx, request: { id: number; seq: string }) => void | AfterCommit;

/**
 * Runs inside the transaction that records the answer; may return what to do once it has committed
 * (a listener must never emit events from inside: a rollback would leave the screens told a lie).
 */
export type RequestResultListener = (
  request: { seq: string; type: string; chargeId: number | null },
  result: RequestResult,
) => void | AfterCommit;

export type RequestResult =
  | { seq: string; state: 'answered'; rc: string; response: Record<string, string> }
  | { seq: string; state: 'unknown'; reason: string };

/**
 * Every request to the terminal is written to the ledger (with its SEQ) before a byte is sent, and
 * updated only by the terminal's answer. An answer that never came is asked about with QT — never
 * by sending the void or refund again.
 */
export class RequestRunner {
  private resolving: Promise<void> | null = null;
  private readonly listeners = new Set<RequestResultListener>();

  constructor(
    private readonly ledger: Ledger,
    private readonly terminal: TerminalManager,
    private readonly log: Logger,
    private readonly onResolved: (seq: string, result: RequestResult) => void = () => {},
  ) {}

  /** Every answer (or loss) of a request, whether it came directly or through QT. */
  onResult(listener: RequestResultListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async execute(
    type: HostRequestType,
    fields: Record<string, string>,
    actor: string,
    chargeId?: number,
    within?: WithinRequest,
  ): Promise<RequestResult> {
    const request = { type, fields, ...(chargeId ? { chargeId } : {}) };
    const { created, afterCommit } = within
      ? this.ledger.transact((tx) => {
          // Nested in this transaction (a savepoint): the request and `within`'s rows commit together.
          const made = this.ledger.createHostRequest(request, actor);
          return { created: made, afterCommit: within(tx, made) ?? null };
        })
      : { created: this.ledger.createHostRequest(request, actor), afterCommit: null };
    const { seq } = created;
    if (afterCommit) this.runAfterCommit([afterCommit], seq);
    const outcome = await this.terminal.send({ seq, type, fields });
    const result: RequestResult =
      outcome.kind === 'response'
        ? { seq, state: 'answered', rc: outcome.response.fields.RC ?? '', response: outcome.response.fields }
        : { seq, state: 'unknown', reason: outcome.reason };
    this.record(seq, result, actor);
    return result;
  }

  /** Whether any request (other than a query) waits for its lost answer to be asked about. */
  hasUnknown(): boolean {
    return this.ledger.unresolvedHostRequests().some((r) => r.type !== 'QT' && r.state === 'unknown');
  }

  /** Asks the terminal about every request whose answer was lost (timeout, unplug, crash). */
  resolveUnknown(actor = 'system'): Promise<void> {
    this.resolving ??= this.resolveAll(actor).finally(() => {
      this.resolving = null;
    });
    return this.resolving;
  }

  private async resolveAll(actor: string): Promise<void> {
    // A query whose own answer was lost needs no query of its own: the original is asked about again.
    // A request still 'pending' is in flight in this process (a restart turns those into 'unknown'):
    // its answer may yet come, and asking now could hear "never received" before the terminal has it.
    for (const request of this.ledger.unresolvedHostRequests().filter((r) => r.type !== 'QT' && r.state === 'unknown')) {
      const { seq: querySeq } = this.ledger.createHostRequest({ type: 'QT', fields: { QS: request.seq } }, actor);
      const outcome = await this.terminal.send({ seq: querySeq, type: 'QT', fields: { QS: request.seq } });
      if (outcome.kind !== 'response') {
        this.ledger.resolveHostRequest(querySeq, { state: 'unknown', reason: outcome.reason }, actor);
        this.log.warn('request.query_unanswered', { seq: request.seq, reason: outcome.reason });
        return; // the link is down again; the next reconnect asks again
      }
      const fields = outcome.response.fields;
      this.ledger.resolveHostRequest(querySeq, { state: 'answered', rc: fields.RC ?? '', response: fields }, actor);
      this.record(request.seq, { seq: request.seq, state: 'answered', rc: fields.RC ?? '', response: fields }, actor);
      this.log.info('request.resolved_by_query', { seq: request.seq, rc: fields.RC });
    }
  }

  /**
   * The answer (or its loss) and what it means to the listeners (a void approved, a charge voided)
   * are ONE transaction: a crash between them must not leave an answered request whose void is
   * still "sent". A listener that cannot apply the answer rolls it all back; the request is then
   * marked unknown (when even that can be written) so that QT asks the terminal again.
   */
  private record(seq: string, result: RequestResult, actor: string) {
    let effects: AfterCommit[];
    try {
      effects = this.ledger.transact(() => {
        const record =
          result.state === 'answered'
            ? this.ledger.resolveHostRequest(seq, { state: 'answered', rc: result.rc, response: result.response }, actor)
            : this.ledger.resolveHostRequest(seq, { state: 'unknown', reason: result.reason }, actor);
        const after: AfterCommit[] = [];
        for (const listener of this.listeners) {
          const effect = listener({ seq, type: record.type, chargeId: record.chargeId ?? null }, result);
          if (effect) after.push(effect);
        }
        return after;
      });
    } catch (error) {
      this.log.error('request.record_failed', { seq, state: result.state, message: (error as Error).message });
      if (result.state === 'answered') {
        try {
          this.ledger.resolveHostRequest(seq, { state: 'unknown', reason: 'the answer arrived but could not be recorded; it is asked again' }, actor);
        } catch (inner) {
          this.log.error('request.mark_unknown_failed', { seq, message: (inner as Error).message });
        }
      }
      throw error;
    }
    this.runAfterCommit(effects, seq);
    this.onResolved(seq, result);
  }

  /** Committed already: a failing effect is logged and never undoes (or blocks) the others. */
  private runAfterCommit(effects: AfterCommit[], seq: string) {
    for (const effect of effects) {
      try {
        effect();
      } catch (error) {
        this.log.error('request.after_commit_failed', { seq, message: (error as Error).message });
      }
    }
  }
}
