/**
 * Print jobs (schema v4): one row per receipt copy, written before anything is sent to a printer.
 * Built on the ledger's public seam: each change is one transaction with one audit row —
 * `print.queued` when a job is recorded, `print.done` when a printer took it, `print.failed` when
 * it did not (the job stays in the queue for a reprint). The receipt data is kept as printed, with
 * the masked card only (checked again here).
 */
import { ReceiptBody, ReceiptCopy, type PrintErrorShape, type PrintJob, type PrintJobState, type ReceiptData, type ReceiptLocale } from '../contract/commands/printing.js';
import { checkMaskedPan } from '../domain/pan.js';
import { checkActor } from './auditStore.js';
import { LedgerError } from './errors.js';
import type { Ledger } from './ledger.js';

interface PrintJobRow {
  id: number;
  receipt: string;
  kind: PrintJob['kind'];
  reprint: number;
  copy: PrintJob['copy'];
  locale: ReceiptLocale;
  charge_id: number | null;
  printer_id: string;
  state: PrintJobState;
  attempts: number;
  last_error: string | null;
  output: string | null;
  created_at: string;
  printed_at: string | null;
  actor: string;
}

const COLUMNS = 'id, receipt, kind, reprint, copy, locale, charge_id, printer_id, state, attempts, last_error, output, created_at, printed_at, actor';

function parseReceipt(row: PrintJobRow): ReceiptData {
  const { copy, ...raw } = JSON.parse(row.receipt) as Record<string, unknown>;
  return { ...ReceiptBody.parse(raw), copy: ReceiptCopy.parse(copy) };
}

function rowToJob(row: PrintJobRow): PrintJob {
  const receipt = JSON.parse(row.receipt) as Partial<ReceiptData>;
  return {
    id: row.id,
    kind: row.kind,
    reprint: row.reprint === 1,
    copy: row.copy,
    locale: row.locale,
    printerId: row.printer_id,
    state: row.state,
    attempts: row.attempts,
    lastError: row.last_error ? (JSON.parse(row.last_error) as PrintErrorShape) : null,
    chargeId: row.charge_id,
    trace: receipt.transaction?.trace ?? null,
    amountMinor: typeof receipt.amountMinor === 'number' ? receipt.amountMinor : 0,
    currency: typeof receipt.currency === 'string' ? receipt.currency : '',
    output: row.output,
    createdAt: row.created_at,
    printedAt: row.printed_at,
    actor: row.actor,
  };
}

export interface NewPrintJob {
  receipt: ReceiptData;
  locale: ReceiptLocale;
  printerId: string;
}

export class PrintJobStore {
  constructor(private readonly ledger: Ledger) {}

  /** Records a job (state queued). Audit `print.queued`. */
  enqueue(job: NewPrintJob, actor: string): PrintJob {
    checkActor(actor);
    const { copy: rawCopy, ...rawBody } = job.receipt;
    const parsed = ReceiptBody.safeParse(rawBody);
    if (!parsed.success) {
      throw new LedgerError('print.receipt_invalid', `the receipt is incomplete: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
    }
    const body = parsed.data;
    const copy = ReceiptCopy.parse(rawCopy);
    if (body.card && !checkMaskedPan(body.card.panMasked).ok) {
      throw new LedgerError('charge.pan_unmasked', 'refused a receipt whose card number is not masked');
    }
    const receipt: ReceiptData = { ...body, copy };
    return this.ledger.transact((tx) => {
      const row = tx.db
        .prepare<unknown[], PrintJobRow>(
          `INSERT INTO print_jobs (receipt, kind, reprint, copy, locale, charge_id, printer_id, state, created_at, actor)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?) RETURNING ${COLUMNS}`,
        )
        .get(JSON.stringify(receipt), receipt.kind, receipt.reprint ? 1 : 0, copy, job.locale, receipt.chargeId, job.printerId, tx.at, actor)!;
      tx.audit(actor, 'print.queued', 'print_job', String(row.id), {
        jobId: row.id,
        kind: receipt.kind,
        reprint: receipt.reprint,
        copy,
        printerId: job.printerId,
        chargeId: receipt.chargeId,
        trace: receipt.transaction?.trace ?? null,
      });
      return rowToJob(row);
    });
  }

  private requireOpen(db: Parameters<Parameters<Ledger['transact']>[0]>[0]['db'], id: number): PrintJobRow {
    const row = db.prepare<[number], PrintJobRow>(`SELECT ${COLUMNS} FROM print_jobs WHERE id = ?`).get(id);
    if (!row) throw new LedgerError('print.job_not_found', `no print job ${id}`, { jobId: String(id) });
    if (row.state === 'printed') throw new LedgerError('print.already_printed', `print job ${id} was already printed`, { jobId: String(id) });
    return row;
  }

  /** The printer took the job. Audit `print.done`. */
  markPrinted(id: number, actor: string, done: { printerId: string; output: string | null }): PrintJob {
    checkActor(actor);
    return this.ledger.transact((tx) => {
      const before = this.requireOpen(tx.db, id);
      const row = tx.db
        .prepare<unknown[], PrintJobRow>(
          `UPDATE print_jobs SET state = 'printed', attempts = attempts + 1, printer_id = ?, output = ?, printed_at = ?
           WHERE id = ? RETURNING ${COLUMNS}`,
        )
        .get(done.printerId, done.output, tx.at, id)!;
      tx.audit(actor, 'print.done', 'print_job', String(id), {
        jobId: id,
        printerId: done.printerId,
        attempts: row.attempts,
        ...(before.printer_id !== done.printerId ? { fromPrinterId: before.printer_id } : {}),
        output: done.output,
      });
      return rowToJob(row);
    });
  }

  /** The printer did not take it: it stays in the queue. Audit `print.failed`. */
  markFailed(id: number, actor: string, failed: { printerId: string; error: PrintErrorShape }): PrintJob {
    checkActor(actor);
    const error: PrintErrorShape = {
      code: failed.error.code.slice(0, 100),
      message: failed.error.message.slice(0, 1000),
      params: Object.fromEntries(Object.entries(failed.error.params).map(([k, v]) => [k.slice(0, 50), String(v).slice(0, 300)])),
    };
    return this.ledger.transact((tx) => {
      this.requireOpen(tx.db, id);
      const row = tx.db
        .prepare<unknown[], PrintJobRow>(
          `UPDATE print_jobs SET state = 'failed', attempts = attempts + 1, printer_id = ?, last_error = ?
           WHERE id = ? RETURNING ${COLUMNS}`,
        )
        .get(failed.printerId, JSON.stringify(error), id)!;
      tx.audit(actor, 'print.failed', 'print_job', String(id), {
        jobId: id,
        printerId: failed.printerId,
        attempts: row.attempts,
        code: error.code,
      });
      return rowToJob(row);
    });
  }

  get(id: number): { job: PrintJob; receipt: ReceiptData } | null {
    return this.ledger.query((db) => {
      const row = db.prepare<[number], PrintJobRow>(`SELECT ${COLUMNS} FROM print_jobs WHERE id = ?`).get(id);
      return row ? { job: rowToJob(row), receipt: parseReceipt(row) } : null;
    });
  }

  /** Newest first. */
  list(filter: { states?: PrintJobState[]; limit?: number } = {}): PrintJob[] {
    const limit = Math.min(Math.max(filter.limit ?? 100, 1), 500);
    const states = filter.states?.length ? [...new Set(filter.states)] : null;
    return this.ledger.query((db) => {
      const where = states ? `WHERE state IN (${states.map(() => '?').join(', ')})` : '';
      return db
        .prepare<unknown[], PrintJobRow>(`SELECT ${COLUMNS} FROM print_jobs ${where} ORDER BY id DESC LIMIT ?`)
        .all(...(states ?? []), limit)
        .map(rowToJob);
    });
  }
}
