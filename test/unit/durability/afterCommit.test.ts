/**
 * What the screens are told follows what the ledger committed: the void/refund events of an answer
 * are pushed only after its transaction commits, and a transaction that rolls back pushes nothing.
 */
import { describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../../electron/contract/api.js';
import { connectionForTests } from '../../../electron/ledger/ledger.js';
import { coreOverSocket, waitFor, type CoreHarness } from './helpers.js';

async function pendingCharge(h: CoreHarness, amountMinor: number) {
  const c = h.daemon.sim.createCharge({ amountMinor });
  await c.delivered;
  const charge = (await h.api.invoke('charges.queue', {})).find((x) => x.trace === c.trace);
  if (!charge) throw new Error('the charge did not reach the queue');
  return charge;
}

interface Seen {
  event: ApiEvent;
  inTransaction: boolean;
}

/** Every event with whether the ledger's connection was inside a transaction when it was pushed. */
function watch(h: CoreHarness): Seen[] {
  const db = connectionForTests(h.core.ledger);
  const seen: Seen[] = [];
  h.core.api.subscribe((event) => seen.push({ event, inTransaction: db.inTransaction }));
  return seen;
}

const adjustmentStates = (seen: Seen[]) =>
  seen.flatMap((s) => (s.event.name === 'adjustment.changed' ? [s.event.payload.state] : []));

describe('events after commit', () => {
  it('a void: "sent" and "approved" reach the screens after their transactions commit, never from inside one', async () => {
    const h = await coreOverSocket();
    const charge = await pendingCharge(h, 6_100);
    const seen = watch(h);
    const out = await h.api.invoke('adjust.execute', { chargeId: charge.id, mode: 'void', amountMinor: 6_100, reason: 'wrong_amount', note: 'after commit' });
    expect(out.adjustment.state).toBe('approved');
    expect(adjustmentStates(seen)).toEqual(['sent', 'approved']);
    const charges = seen.filter((s) => s.event.name === 'charge.changed');
    expect(charges.map((s) => (s.event.name === 'charge.changed' ? s.event.payload.status : null))).toEqual(['voided']);
    expect(seen.filter((s) => s.inTransaction).map((s) => s.event.name)).toEqual([]);
  });

  it('an answer whose transaction rolls back pushes nothing; the QT that applies it later pushes it once', async () => {
    const h = await coreOverSocket({ daemon: { statusIntervalMs: 100 } });
    const charge = await pendingCharge(h, 3_300);
    const seen = watch(h);
    let failures = 1;
    // Registered after the void/refund service: it runs after that service applied the answer, in
    // the same transaction, and fails once — everything in that transaction rolls back.
    h.core.requests.onResult(() => {
      if (failures-- > 0) throw new Error('simulated failure while applying the answer');
    });
    await expect(
      h.api.invoke('adjust.execute', { chargeId: charge.id, mode: 'void', amountMinor: 3_300, reason: 'wrong_amount', note: 'rolled back' }),
    ).rejects.toThrow();
    expect(h.core.ledger.getCharge(charge.id)?.status).toBe('pending');
    expect(adjustmentStates(seen)).toEqual(['sent']);
    expect(seen.some((s) => s.event.name === 'charge.changed')).toBe(false);

    await waitFor(() => h.core.ledger.getCharge(charge.id)?.status === 'voided', 'the void applied through QT');
    await waitFor(() => adjustmentStates(seen).length === 2, 'the approval pushed');
    expect(adjustmentStates(seen)).toEqual(['sent', 'approved']);
    expect(seen.filter((s) => s.event.name === 'charge.changed')).toHaveLength(1);
    expect(seen.filter((s) => s.inTransaction).map((s) => s.event.name)).toEqual([]);
  });
});
