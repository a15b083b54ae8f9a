import type { Ledger, LedgerTx } from '../ledger/ledger.js';
import type { TerminalManager } from './terminalManager.js';
import type { Logger } from './logger.js';

export type HostRequestType = 'VD' | 'RF' | 'SE';

/** Runs inside the transaction that creates the request: rows that must exist iff the request does. */
export type WithinRequest = (tx: LedgerTx, request: { id: number; seq: string }) => void;

export type RequestResultListener = (request: { seq: string; type: string; chargeId: number | null }, result: RequestResult) => void;

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
    const { seq } = within
      ? this.ledger.transact((tx) => {
          // Nested in this transaction (a savepoint): the request and `within`'s rows commit together.
          const created = this.ledger.createHostRequest(request, actor);
          within(tx, created);
          return created;
        })
      : this.ledger.createHostRequest(request, actor);
    const outcome = await this.terminal.send({ seq, type, fields });
    const result: RequestResult =
      outcome.kind === 'response'
        ? { seq, state: 'answered', rc: outcome.response.fields.RC ?? '', response: outcome.response.fields }
        : { seq, state: 'unknown', reason: outcome.reason };
    this.record(seq, result, actor);
    return result;
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
    for (const request of this.ledger.unresolvedHostRequests().filter((r) => r.type !== 'QT')) {
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

  private record(seq: string, result: RequestResult, actor: string) {
    const record =
      result.state === 'answered'
        ? this.ledger.resolveHostRequest(seq, { state: 'answered', rc: result.rc, response: result.response }, actor)
        : this.ledger.resolveHostRequest(seq, { state: 'unknown', reason: result.reason }, actor);
    this.onResolved(seq, result);
    for (const listener of this.listeners) {
      try {
        listener({ seq, type: record.type, chargeId: record.chargeId ?? null }, result);
      } catch (error) {
        this.log.error('request.listener_failed', { seq, message: (error as Error).message });
      }
    }
  }
}
