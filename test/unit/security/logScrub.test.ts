/**
 * One card-data scrubber for every log line: whatever text around it, however a card number is
 * split (single spaces, dashes, dots, underscores, slashes), glued to other digits, or wrapped in
 * track data, no log line keeps the number in a form the PAN canary scan would find. The log lines
 * are written by the real logger and read back by the real canary scanner.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../electron/core/logger.js';
import { scrubCardData } from '../../../native/link/panGuard.js';
import { canaryPan } from '../../../native/sim/canary.js';
import { scanForCanary } from '../../canary/scan.js';
import { testPan } from '../../support/testPan.js';

/** The scanner's rule: the digits in order, any one of ` -._/` (or nothing) between two of them. */
function holdsDigits(text: string, digits: string): boolean {
  return new RegExp(digits.split('').join('[ \\-._/]?')).test(text);
}

const SEPARATORS = [' ', '-', '.', '_', '/'] as const;

/** A card number of 12–19 digits: the canary's, or one from a random BIN and seed. */
const cardNumber = fc.oneof(
  fc.constant(canaryPan()),
  fc
    .record({ bin: fc.stringMatching(/^[3-6][0-9]{5}$/), seed: fc.integer({ min: 1, max: 2 ** 31 }), length: fc.integer({ min: 12, max: 19 }) })
    .map(({ bin, seed, length }) => testPan(bin, seed, length)),
);

/** The number as it may appear in a frame or a message. */
const shown = (pan: string) =>
  fc.oneof(
    fc.constant(pan),
    fc.constantFrom(...SEPARATORS).map((sep) => pan.replace(/([0-9]{4})(?=[0-9])/g, `$1${sep}`)),
    // A separator (or none) after any digit.
    fc
      .array(fc.constantFrom('', ...SEPARATORS), { minLength: pan.length - 1, maxLength: pan.length - 1 })
      .map((seps) => pan.split('').map((d, i) => d + (seps[i] ?? '')).join('')),
    fc.constant(`%B${pan}^CANARY/TEST^2512101?`),
    fc.constant(`;${pan}=25121010000?`),
    // Glued to other digits: a length prefix before, more digits after.
    fc.tuple(fc.stringMatching(/^[0-9]{0,6}$/), fc.stringMatching(/^[0-9]{0,6}$/)).map(([a, b]) => `${a}${pan}${b}`),
    // As a frame field: tag, 3-digit length, value.
    fc.constant(`PN${String(pan.length).padStart(3, '0')}${pan}EM001C`),
  );

const sample = cardNumber.chain((pan) => fc.record({ pan: fc.constant(pan), text: shown(pan), before: fc.string(), after: fc.string() }));

describe('the card-data scrubber', () => {
  it('leaves no card number in any text it scrubs', () => {
    fc.assert(
      fc.property(sample, ({ pan, text, before, after }) => {
        const out = scrubCardData(`${before}${text}${after}`);
        // Track data is removed, not just masked.
        return !holdsDigits(out, pan) && !/%B[0-9]|;[0-9]{4}/.test(out);
      }),
      { numRuns: 1000 },
    );
  }, 60_000);

  it('no line of the log file ever contains the canary digits, by the canary scanner', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cs-logscrub-'));
    try {
      fc.assert(
        fc.property(
          fc.record({ text: shown(canaryPan()), before: fc.string(), after: fc.string(), event: fc.constantFrom('link.rejected', 'request.record_failed') }),
          ({ text, before, after, event }) => {
            const runDir = mkdtempSync(path.join(dir, 'run-'));
            const log = createLogger(runDir);
            log.warn(event, { code: 'pan-unmasked', detail: `${before}${text}${after}` });
            log.info(`${before}${text}${after}`); // the session logs its messages as the event itself
            const scan = scanForCanary([runDir], canaryPan());
            expect(scan.files).toBe(1);
            expect(scan.hits).toEqual([]);
          },
        ),
        { numRuns: 200 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('masks to the last four at most and leaves ordinary log text alone', () => {
    const pan = testPan('622848', 7, 19);
    expect(scrubCardData(`card ${pan.replace(/([0-9]{4})(?=[0-9])/g, '$1.')} end`)).toBe(`card ${'*'.repeat(15)}${pan.slice(-4)} end`);
    expect(scrubCardData(`id ${pan.slice(0, 11)} ok`)).toBe(`id ${pan.slice(0, 11)} ok`);
    expect(scrubCardData('seq 000042 at 2026-11-23T14:30:05Z, 1280.00 CNY, v1.2.3')).toBe('seq 000042 at 2026-11-23T14:30:05Z, 1280.00 CNY, v1.2.3');
  });
});
