/**
 * The incident log in the core: the workflow's steps (a void/refund on the terminal when the
 * approved resolution is executed there), evidence files copied into the data folder with their
 * SHA-256, and the `incident.changed` event after every change.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import { ApiError } from '../contract/api.js';
import type { AdjustmentReason } from '../ledger/adjustments.js';
import type { IncidentDetail, IncidentSummary, StepInput } from '../contract/commands/incidents.js';
import { EVIDENCE_EXTENSIONS } from '../contract/commands/incidents.js';
import { stepsFrom } from '../domain/incidentWorkflow.js';
import {
  applyIncidentStep,
  evidenceStoredPath,
  getIncidentDetail,
  getIncidentRow,
  incidentSummary,
  recordEvidence,
  type IncidentFullRow,
  type StepData,
} from '../ledger/incidentCases.js';
import { incidentForCharge } from '../ledger/incidents.js';
import type { Ledger } from '../ledger/ledger.js';
import type { AdjustmentService } from './adjustmentService.js';
import type { EventHub } from './events.js';
import type { Logger } from './logger.js';

/** Largest evidence file accepted (photos of receipts, PDFs of bank statements). */
export const MAX_EVIDENCE_BYTES = 25 * 1024 * 1024;

function reasonFor(r: IncidentFullRow): AdjustmentReason {
  if (r.cause === 'suspected_fraud') return 'suspected_fraud';
  if (r.kind === 'duplicate_charge') return 'duplicate';
  if (r.kind === 'wrong_amount' || r.kind === 'over_charge') return 'wrong_amount';
  return 'other';
}

/** Checks a path a person typed or picked: absolute, a regular file (not a link, folder or device), not empty, not too large. */
export async function checkEvidencePath(file: string): Promise<{ size: number; originalName: string; ext: (typeof EVIDENCE_EXTENSIONS)[number] }> {
  if (typeof file !== 'string' || file.includes('\0') || !path.isAbsolute(file)) {
    throw new ApiError('incident.evidence_path', 'Give the full path of the file (an absolute path, e.g. /home/shop/receipt.jpg).', { path: String(file).slice(0, 300) });
  }
  let stat;
  try {
    stat = await fsp.lstat(file);
  } catch {
    throw new ApiError('incident.evidence_missing', `There is no file at ${file}.`, { path: file });
  }
  if (!stat.isFile()) throw new ApiError('incident.evidence_not_file', `${file} is not a regular file (a folder, link or device).`, { path: file });
  if (stat.size === 0) throw new ApiError('incident.evidence_empty', `${file} is empty.`, { path: file });
  if (stat.size > MAX_EVIDENCE_BYTES) {
    throw new ApiError('incident.evidence_too_large', `${file} is larger than ${MAX_EVIDENCE_BYTES / 1024 / 1024} MB.`, { path: file, maxMb: String(MAX_EVIDENCE_BYTES / 1024 / 1024) });
  }
  const originalName = path.basename(file);
  // eslint-disable-next-line no-control-regex
  if (originalName.length > 255 || /[\u0000-\u001f\u007f]/.test(originalName)) {
    throw new ApiError('incident.evidence_name', 'The file name is too long or has control characters.', { path: file });
  }
  const ext = path.extname(originalName).slice(1).toLowerCase();
  if (!(EVIDENCE_EXTENSIONS as readonly string[]).includes(ext)) {
    throw new ApiError('incident.evidence_type', `Only these files can be attached: ${EVIDENCE_EXTENSIONS.join(', ')}.`, { path: file, types: EVIDENCE_EXTENSIONS.join(', ') });
  }
  return { size: stat.size, originalName, ext: ext as (typeof EVIDENCE_EXTENSIONS)[number] };
}

export class IncidentService {
  constructor(
    private readonly ledger: Ledger,
    private readonly hub: EventHub,
    private readonly log: Logger,
    private readonly adjustments: AdjustmentService | null,
    private readonly dataDir: string,
  ) {
    // Incidents opened elsewhere (a charge flagged at the counter, a settlement that did not match)
    // reach the incident list as they happen.
    hub.subscribe((event) => {
      try {
        if (event.name === 'charge.changed' && event.payload.status === 'flagged') {
          const incident = incidentForCharge(this.ledger, event.payload.id);
          if (incident) this.changed(incidentSummary(this.ledger, incident.id));
        } else if (event.name === 'batch.settled' && event.payload.incidentId !== null) {
          this.changed(incidentSummary(this.ledger, event.payload.incidentId));
        }
      } catch (error) {
        this.log.warn('incident.push_failed', { message: (error as Error).message });
      }
    });
  }

  detail(id: number, revealContact: boolean): IncidentDetail {
    return getIncidentDetail(this.ledger, id, { revealContact });
  }

  changed(summary: IncidentSummary): void {
    this.hub.emit({ name: 'incident.changed', payload: summary });
  }

  /** One step; `execute` with method `terminal` voids/refunds the incident's charge on the terminal first. */
  async step(input: StepInput, actor: string): Promise<IncidentSummary> {
    const { id, ...rest } = input;
    let data = rest as StepData;
    if (data.action === 'execute' && data.method === 'terminal') data = await this.executeOnTerminal(id, data, actor);
    const summary = applyIncidentStep(this.ledger, id, data, actor);
    this.log.info('incident.step', { id, action: input.action, status: summary.status });
    this.changed(summary);
    return summary;
  }

  private async executeOnTerminal(id: number, step: Extract<StepData, { action: 'execute' }>, actor: string): Promise<StepData> {
    const r = getIncidentRow(this.ledger, id);
    if (!stepsFrom(r.status).includes('execute')) {
      throw new ApiError('incident.not_allowed_from_status', `Incident #${id} is ${r.status}: it must be approved before the money is returned.`, {
        id: String(id),
        status: r.status,
        action: 'execute',
        allowed: 'approved',
      });
    }
    if (r.charge_id === null || !this.adjustments) {
      throw new ApiError('incident.no_charge', `Incident #${id} names no charge to void or refund: record an off-terminal transfer instead.`, { id: String(id) });
    }
    const preview = this.adjustments.preview(r.charge_id);
    if (!preview.mode) {
      throw new ApiError(`adjust.${preview.refusal ?? 'not_adjustable'}`, `The charge cannot be voided or refunded now (${preview.refusal ?? 'not adjustable'}).`);
    }
    const amountMinor = preview.mode === 'void' ? preview.maxMinor : Math.min(step.amountMinor ?? r.proposal_minor ?? preview.maxMinor, preview.maxMinor);
    const note = `incident #${id}${step.note ? `: ${step.note}` : r.proposal_note ? `: ${r.proposal_note}` : ''}`.slice(0, 500);
    const outcome = await this.adjustments.execute({ chargeId: r.charge_id, mode: preview.mode, amountMinor, reason: reasonFor(r), note }, actor);
    if (outcome.adjustment.state !== 'approved') {
      throw new ApiError(
        'incident.terminal_not_approved',
        `The terminal did not approve the ${preview.mode} (${outcome.meaning}); the incident stays approved. When the answer is known, record it from the void/refund.`,
        { id: String(id), state: outcome.adjustment.state, meaning: outcome.meaning, adjustmentId: String(outcome.adjustment.id) },
      );
    }
    return { action: 'execute', method: 'adjustment', adjustmentId: outcome.adjustment.id, ...(step.note ? { note: step.note } : {}) };
  }

  /**
   * Copies the file into `<dataDir>/evidence/<incident>/<sha256>.<ext>` (hashing as it copies, so
   * the hash is of the bytes stored), then records it; a failed record removes the copy it made.
   */
  async addEvidence(id: number, file: string, note: string | undefined, actor: string): Promise<IncidentSummary> {
    getIncidentRow(this.ledger, id); // exists?
    const meta = await checkEvidencePath(file);
    const dir = path.join(this.dataDir, 'evidence', String(id));
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    const temp = path.join(dir, `.incoming-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    try {
      const out = await fsp.open(temp, 'wx', 0o600);
      try {
        for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 })) {
          const buf = chunk as Buffer;
          size += buf.length;
          if (size > MAX_EVIDENCE_BYTES) throw new ApiError('incident.evidence_too_large', `${file} grew larger than ${MAX_EVIDENCE_BYTES / 1024 / 1024} MB while it was copied.`, { path: file, maxMb: String(MAX_EVIDENCE_BYTES / 1024 / 1024) });
          hash.update(buf);
          await out.write(buf);
        }
        await out.sync();
      } finally {
        await out.close();
      }
    } catch (error) {
      await fsp.rm(temp, { force: true });
      if (error instanceof ApiError) throw error;
      throw new ApiError('incident.evidence_copy_failed', `Copying ${file} failed: ${(error as Error).message}`, { path: file });
    }
    const sha256 = hash.digest('hex');
    const final = path.join(this.dataDir, evidenceStoredPath(id, sha256, meta.ext));
    const existed = await fsp.stat(final).then(() => true, () => false);
    if (existed) await fsp.rm(temp, { force: true });
    else await fsp.rename(temp, final);
    try {
      const summary = recordEvidence(this.ledger, id, { sha256, sizeBytes: size, originalName: meta.originalName, ext: meta.ext, ...(note ? { note } : {}) }, actor);
      this.changed(summary);
      return summary;
    } catch (error) {
      if (!existed) await fsp.rm(final, { force: true });
      throw error;
    }
  }
}
