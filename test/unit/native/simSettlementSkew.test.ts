import { afterEach, describe, expect, it } from 'vitest';
import type { RequestOutcome } from '../../../native/session/types.js';
import type { LinkMessage } from '../../../native/link/types.js';
import { parseScript } from '../../../native/sim/terminal.js';
import { startHarness, waitFor, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

function response(o: RequestOutcome): LinkMessage {
  if (o.kind !== 'response') throw new Error(`expected a response, got unknown: ${o.reason}`);
  return o.response;
}

async function chargeAndWait(hh: Harness, amountMinor: number) {
  const c = hh.sim.createCharge({ amountMinor });
  await c.delivered;
  return c;
}

describe('simulated terminal: a settlement scripted to report wrong totals', () => {
  it('skews only the next SE answer (SC/SA), settles the batch as usual, and replays the skewed answer to QT', async () => {
    h = await startHarness();
    await chargeAndWait(h, 12800);
    await chargeAndWait(h, 5000);
    h.sim.inject({ kind: 'skew-next-settlement', saleCountDelta: 1, saleAmountDelta: 12800 });
    const seq = h.seq();
    const se = response(await h.session.send({ seq, type: 'SE', fields: {} }));
    expect(se.fields).toMatchObject({ RC: '00', BT: '000001', SC: '0003', SA: '000000030600', VC: '0000', VA: '000000000000', NB: '000002' });
    // The stored answer (what QT replays) is the skewed one: the terminal's story does not change.
    const qt = response(await h.session.send({ seq: h.seq(), type: 'QT', fields: { QS: seq } }));
    expect(qt.fields).toMatchObject({ RQ: seq, SC: '0003', SA: '000000030600' });

    // The next settlement is honest again.
    await chargeAndWait(h, 700);
    const next = response(await h.session.send({ seq: h.seq(), type: 'SE', fields: {} }));
    expect(next.fields).toMatchObject({ RC: '00', BT: '000002', SC: '0001', SA: '000000000700' });
  });

  it('clamps at zero and refuses non-integer deltas; the script language has the step', async () => {
    h = await startHarness();
    await chargeAndWait(h, 100);
    h.sim.inject({ kind: 'skew-next-settlement', saleCountDelta: -5, saleAmountDelta: -1000 });
    const se = response(await h.session.send({ seq: h.seq(), type: 'SE', fields: {} }));
    expect(se.fields).toMatchObject({ SC: '0000', SA: '000000000000' });
    expect(() => h!.sim.inject({ kind: 'skew-next-settlement', saleCountDelta: 0.5, saleAmountDelta: 0 })).toThrow(RangeError);
    expect(parseScript('skew-next-settlement -1 12800')).toEqual([
      { do: 'fault', fault: { kind: 'skew-next-settlement', saleCountDelta: -1, saleAmountDelta: 12800 } },
    ]);
    expect(() => parseScript('skew-next-settlement 1')).toThrow(/line 1/);
    await waitFor(() => h!.sim.executed.length === 1);
  });
});
