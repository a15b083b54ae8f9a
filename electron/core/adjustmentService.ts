import { ApiError } from '../contract/api.js';
import type { AdjustmentOutcome, AdjustmentPreview } from '../contract/commands/adjustments.js';
import type { Charge } from '../contract/schemas.js';
import { checkAdjustmentAmount, planAdjustment, responseCodeMeaning, type AdjustmentMode } from '../domain/adjustment.js';
import {
  adjustmentsForCharge,
  applyTerminalAnswer,
  getAdjustment,
  insertAdjustmentIn,
  priorAdjustments,
  type Adjustment,
  type AdjustmentReason,
} from '../ledger/adjustments.js';
import { incidentForCharge } from '../ledger/incidents.js';
import type { Ledger } from '../ledger/ledger.js';
import { expectRecharge, linkRecharge, rechargeForIncident, rechargeOfCharge, recentRecharges, type Recharge } from '../ledger/recharges.js';
import type { EventHub } from './events.js';
import type { Logger } from './logger.js';
import type { RequestResult, RequestRunner } from './requestRunner.js';

export type ReceiptOutcome = AdjustmentOutcome['receipts'][number];

/** Prints the customer and merchant copies of an approved void/refund. Never throws: a print failure never undoes money. */
export interface AdjustmentReceipts {
  print(adjustment: Adjustment, charge: Charge, actor: string): Promise<ReceiptOutcome[]>;
}

const amountField = (minor: number) => String(minor).padStart(12, '0');

/** The audit actor of links made when the correct-amount charge arrives. */
export const RECHARGE_ACTOR = 'system:recharge';

/**
 * The manager's void and refund: planned from what already happened, made durable with its host
 * request before anything is sent, and recorded only from the terminal's answer — which may come
 * directly or, after a lost answer, from QT. Never sent twice.
 */
export class AdjustmentService {
  /** SEQs whose answer an `execute` call is waiting for (it prints their receipts itself). */
  private readonly awaited = new Set<string>();

  constructor(
    private readonly ledger: Ledger,
    private readonly requests: RequestRunner,
    private readonly hub: EventHub,
    private readonly log: Logger,
    private receipts: AdjustmentReceipts | null = null,
  ) {
    requests.onResult((request, result) => {
      if (request.type === 'VD' || request.type === 'RF') return this.record(request.seq, result, 'terminal');
      return undefined;
    });
  }

  setReceipts(receipts: AdjustmentReceipts) {
    this.receipts = receipts;
  }

  preview(chargeId: number): AdjustmentPreview {
    const { charge, settled, prior } = priorAdjustments(this.ledger, chargeId);
    const plan = planAdjustment({ amountMinor: charge.amountMinor, status: charge.status, settled }, prior);
    const incident = incidentForCharge(this.ledger, chargeId);
    return {
      charge,
      mode: plan.ok ? plan.mode : null,
      why: plan.ok ? plan.why : null,
      refusal: plan.ok ? null : plan.code,
      refundedMinor: prior.refundedMinor,
      remainingMinor: plan.remainingMinor,
      minMinor: plan.ok ? plan.minMinor : 0,
      maxMinor: plan.ok ? plan.maxMinor : 0,
      adjustments: adjustmentsForCharge(this.ledger, chargeId),
      incidentId: incident?.id ?? null,
      incident: incident
        ? {
            id: incident.id,
            kind: incident.kind,
            status: incident.status,
            intendedMinor: incident.intendedMinor,
            chargedMinor: incident.chargedMinor,
            relatedChargeId: incident.relatedChargeId,
          }
        : null,
      recharge: incident ? rechargeForIncident(this.ledger, incident.id) : null,
      rechargeOf: rechargeOfCharge(this.ledger, chargeId),
    };
  }

  async execute(
    input: { chargeId: number; mode: AdjustmentMode; amountMinor: number; reason: AdjustmentReason; note: string },
    actor: string,
  ): Promise<AdjustmentOutcome> {
    const { charge, settled, prior } = priorAdjustments(this.ledger, input.chargeId);
    const plan = planAdjustment({ amountMinor: charge.amountMinor, status: charge.status, settled }, prior);
    if (!plan.ok) throw new ApiError(`adjust.${plan.code}`, `This charge cannot be voided or refunded now (${plan.code}).`);
    if (plan.mode !== input.mode) {
      throw new ApiError(`adjust.must_${plan.mode}`, `This charge must be ${plan.mode === 'void' ? 'voided (its batch is open)' : 'refunded (its batch is settled)'}.`);
    }
    const amount = checkAdjustmentAmount(plan, input.amountMinor);
    if (!amount.ok) {
      throw new ApiError(`adjust.${amount.code}`, `The amount is not possible here (${amount.code}).`, {
        maxMinor: String(plan.maxMinor),
      });
    }
    const incidentId = incidentForCharge(this.ledger, charge.id)?.id ?? null;
    const fields: Record<string, string> =
      input.mode === 'void'
        ? { TR: charge.trace, AM: amountField(input.amountMinor) }
        : { RF: charge.rrn, OD: charge.terminalTime.slice(0, 8), AM: amountField(input.amountMinor) };
    let adjustmentId = 0;
    let seq: string | null = null;
    let result: RequestResult;
    try {
      result = await this.requests.execute(input.mode === 'void' ? 'VD' : 'RF', fields, actor, charge.id, (tx, request) => {
        adjustmentId = insertAdjustmentIn(
          tx,
          { chargeId: charge.id, kind: input.mode, amountMinor: input.amountMinor, currency: charge.currency, reason: input.reason, note: input.note, incidentId },
          request,
          actor,
        );
        seq = request.seq;
        this.awaited.add(request.seq);
        // Once committed, as the request goes out: every screen learns it is on its way to the terminal.
        const id = adjustmentId;
        return () => this.announceSent(id);
      });
    } finally {
      if (seq !== null) this.awaited.delete(seq);
    }
    const adjustment = getAdjustment(this.ledger, adjustmentId);
    if (!adjustment) throw new ApiError('internal', 'The void/refund record went missing.');
    const updatedCharge = priorAdjustments(this.ledger, charge.id).charge;
    const receipts = adjustment.state === 'approved' && this.receipts ? await this.receipts.print(adjustment, updatedCharge, actor) : [];
    return {
      adjustment,
      charge: updatedCharge,
      meaning: result.state === 'answered' ? responseCodeMeaning(result.rc) : 'no_answer_yet',
      receipts,
    };
  }

  /**
   * After voiding a wrong amount: wait for the charge of the correct amount (补刷) and link it to
   * the incident when it arrives.
   */
  expectRecharge(input: { incidentId: number; amountMinor: number }, actor: string): Recharge {
    const recharge = expectRecharge(this.ledger, input, actor);
    this.log.info('adjustment.recharge_expected', { incidentId: recharge.incidentId, rechargeId: recharge.id });
    this.hub.emit({ name: 'adjustment.recharge', payload: recharge });
    return recharge;
  }

  recharges(): Recharge[] {
    return recentRecharges(this.ledger);
  }

  /** A charge arrived from the terminal: is it the correct amount a manager is waiting for? Never throws. */
  noteCharge(charge: Charge): Recharge | null {
    if (charge.status !== 'pending') return null;
    try {
      const linked = linkRecharge(this.ledger, charge, RECHARGE_ACTOR);
      if (linked) {
        this.log.info('adjustment.recharge_linked', { incidentId: linked.incidentId, chargeId: charge.id });
        this.hub.emit({ name: 'adjustment.recharge', payload: linked });
      }
      return linked;
    } catch (error) {
      this.log.error('adjustment.recharge_link_failed', { chargeId: charge.id, message: (error as Error).message });
      return null;
    }
  }

  private announceSent(adjustmentId: number) {
    try {
      const adjustment = getAdjustment(this.ledger, adjustmentId);
      if (adjustment?.state === 'sent') this.hub.emit({ name: 'adjustment.changed', payload: adjustment });
    } catch (error) {
      this.log.warn('adjustment.announce_failed', { id: adjustmentId, message: (error as Error).message });
    }
  }

  /**
   * The terminal's answer, however it arrived: recorded once (inside the request runner's
   * transaction), and pushed to every screen only after that transaction commits.
   */
  private record(seq: string, result: RequestResult, actor: string): (() => void) | undefined {
    const applied = applyTerminalAnswer(
      this.ledger,
      seq,
      result.state === 'answered' ? { state: 'answered', rc: result.rc, response: result.response } : { state: 'unknown', reason: result.reason },
      actor,
    );
    if (!applied) return undefined;
    return () => {
      this.log.info('adjustment.answer', { id: applied.adjustment.id, state: applied.adjustment.state, rc: applied.adjustment.rc });
      this.hub.emit({ name: 'adjustment.changed', payload: applied.adjustment });
      this.hub.emit({ name: 'charge.changed', payload: applied.charge });
      // An answer nobody is waiting for (a lost answer that QT found): its receipts print now. The
      // ones `execute` waits for are printed there, once.
      if (applied.adjustment.state === 'approved' && !this.awaited.has(seq) && this.receipts) {
        const receipts = this.receipts;
        void receipts.print(applied.adjustment, applied.charge, applied.adjustment.requestedBy).catch((error: unknown) => {
          this.log.error('adjustment.receipts_failed', { id: applied.adjustment.id, message: (error as Error).message });
        });
      }
    };
  }
}
