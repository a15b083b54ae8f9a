/**
 * Bad input at the device link: at least 1,000,000 mutated input reports through the host receive
 * pipeline (see linkFuzzer.ts for the mutations and the invariants). Seeded and reproducible:
 *
 *   COUNTERSIGN_FUZZ_SEED=1234 COUNTERSIGN_FUZZ_REPORTS=5000000 npx vitest run test/unit/fuzz/linkFuzz.test.ts
 *
 * A failure prints the seed, the case, the broken invariant and the (shrunk) failing input as hex
 * reports, one a line: `countersign decode` replays it.
 */
import { describe, expect, it } from 'vitest';
import { runLinkFuzz } from './linkFuzzer.js';

const DEFAULT_SEED = 0xc0ffee;
const seed = process.env.COUNTERSIGN_FUZZ_SEED ? Number(process.env.COUNTERSIGN_FUZZ_SEED) : DEFAULT_SEED;
const target = process.env.COUNTERSIGN_FUZZ_REPORTS ? Number(process.env.COUNTERSIGN_FUZZ_REPORTS) : 1_000_000;

describe('link fuzz', () => {
  it('small run: every mutation kind and every invariant is exercised', () => {
    const { stats, failure } = runLinkFuzz({ seed: seed ^ 0x5a5a, reports: 100_000 });
    expect(failure).toBeNull();
    for (const kind of ['flip', 'insert', 'delete', 'len', 'truncate-frame', 'raw-noise', 'dup', 'id-zero', 'id-feature', 'id-count', 'drop', 'truncate-report', 'oversize', 'noise-report', 'merge', 'split', 'empty-report', 'truncate-input']) {
      expect(stats.mutations[kind], kind).toBeGreaterThan(0);
    }
    expect(Object.keys(stats.mutations).filter((k) => k.startsWith('poison-')).length).toBe(10);
    for (const code of ['lrc', 'length', 'etx', 'report', 'format', 'pan-unmasked']) expect(stats.errors[code], code).toBeGreaterThan(0);
    expect(stats.messages).toBeGreaterThan(stats.frames / 2);
  });

  it('the checker catches a decoder that invents or alters a message (it can fail)', async () => {
    // A case whose input holds one valid CH, checked against a "framed" list that has a different
    // message: the checker must report a wrong message. Proves the invariant is not vacuous.
    const { checkCase } = await import('./linkFuzzer.js');
    const { encodeMessage } = await import('../../../native/link/codec.js');
    const { encodeFrame } = await import('../../../native/link/framing.js');
    const { bytesToReports } = await import('../../../native/link/reassembly.js');
    const { ch } = await import('../link/fixtures.js');
    const sent = encodeFrame(encodeMessage(ch('000001')));
    const other = encodeFrame(encodeMessage(ch('000001', { AM: '000000012800' })));
    const canonical = (fields: Record<string, string>) => `CH|000001${Object.entries(fields).map(([t, v]) => `\u0000${t}=${v}`).join('')}`;
    const framedOther = [{ frame: other, canonical: canonical(ch('000001', { AM: '000000012800' }).fields), identity: 'x' }];
    expect(checkCase({ reports: bytesToReports(sent), framed: framedOther, pans: [] })?.check).toBe('no-wrong-message');
    // and a poison frame that came out as a message would be caught the same way
    expect(checkCase({ reports: bytesToReports(sent), framed: [{ frame: sent, canonical: null, identity: '' }], pans: [] })?.check).toBe('no-wrong-message');
    // the honest pairing passes
    const framedSent = [{ frame: sent, canonical: canonical(ch('000001').fields), identity: 'x' }];
    expect(checkCase({ reports: bytesToReports(sent), framed: framedSent, pans: [], pristine: true })).toBeNull();
  });

  it(`at least ${target.toLocaleString('en')} mutated reports: no crash, no hang, no wrong message, no card data`, () => {
    const { stats, failure } = runLinkFuzz({ seed, reports: target });
    const rate = Math.round(stats.reports / stats.seconds);
    console.log(
      `link fuzz: seed=${stats.seed} (0x${stats.seed.toString(16)}) reports=${stats.reports} cases=${stats.cases} frames=${stats.frames} ` +
        `damage=${stats.damageEvents} poison=${stats.poisonFrames} must-deliver=${stats.mustDeliver} pristine-cases=${stats.pristineCases} messages=${stats.messages} pan-unmasked=${stats.panUnmasked} ` +
        `errors=${JSON.stringify(stats.errors)} slowest-case=${stats.slowestCaseMs.toFixed(1)}ms time=${stats.seconds.toFixed(1)}s (${rate} reports/s)`,
    );
    if (failure) {
      console.log(
        `link fuzz FAILED: seed=${stats.seed} case=${failure.caseIndex} check=${failure.check}\n${failure.detail}\n` +
          `failing input (${failure.reportsHex.length} reports, hex, one a line; replay with \`countersign decode\`):\n${failure.reportsHex.join('\n')}`,
      );
    }
    expect(failure, failure ? `seed ${stats.seed}: ${failure.check}: ${failure.detail}` : '').toBeNull();
    expect(stats.reports).toBeGreaterThanOrEqual(target);
    expect(stats.poisonFrames).toBeGreaterThan(0);
    expect(stats.panUnmasked).toBeGreaterThan(0);
    expect(stats.pristineCases).toBeGreaterThan(0);
  }, 240_000);

  it('the limit, shown: one report repeated across a frame boundary forms a well-formed chimera (found by the fuzzer)', async () => {
    // Report = tail of RS "…RQ006…306 RC002 13" + ETX LRC, then the head of the next RS. Sent twice
    // (a duplicated HID report), the second copy completes the next RS with the first one's tail,
    // and the XOR happens to match: RS 001226 answering RQ 428306, framed by nobody.
    const { checkCase } = await import('./linkFuzzer.js');
    const { unhex } = await import('../link/fixtures.js');
    const report = unhex('2033303652433030323133030c0200273152533030313232365251303036343238');
    let chimeras = 0;
    expect(checkCase({ reports: [report, report], framed: [], pans: [] }, undefined, () => chimeras++)).toBeNull();
    expect(chimeras).toBe(1);
    // counted in straddle mode, a failure otherwise
    expect(checkCase({ reports: [report, report], framed: [], pans: [] })?.check).toBe('no-wrong-message');
  });

  it('damage across a frame boundary: the limit of the 8-bit LRC, measured (every other invariant still holds)', () => {
    const reports = Math.max(250_000, Math.round(target / 4));
    const { stats, failure } = runLinkFuzz({ seed: seed ^ 0x57add1e, reports, straddle: true });
    console.log(
      `link fuzz (straddling damage): seed=${stats.seed} reports=${stats.reports} straddling-events=${stats.straddlingEvents} ` +
        `lrc-collisions=${stats.lrcCollisions} messages=${stats.messages} time=${stats.seconds.toFixed(1)}s`,
    );
    if (failure) console.log(`FAILED check=${failure.check}\n${failure.detail}\n${failure.reportsHex.join('\n')}`);
    expect(failure, failure ? `${failure.check}: ${failure.detail}` : '').toBeNull();
    expect(stats.straddlingEvents).toBeGreaterThan(500);
    // A chimera needs the lengths to line up AND the 1-in-256 LRC: far rarer than the events.
    expect(stats.lrcCollisions).toBeLessThan(stats.straddlingEvents / 256);
  }, 240_000);
});
