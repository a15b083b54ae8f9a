/**
 * No card number sits in the test or bench sources: they build theirs at run time
 * (test/support/testPan.ts), so a repository PAN scanner — and this check before a commit — finds
 * nothing to flag. Dates, ids, hex dumps and EMV AIDs are not card numbers and pass.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { luhnValid } from '../../../native/link/panGuard.js';
import { testPan } from '../../support/testPan.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SOURCE = /\.(?:[cm]?[jt]sx?|json)$/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) return [];
    return statSync(full).isDirectory() ? files(full) : SOURCE.test(name) ? [full] : [];
  });
}

/** Issuer prefixes: 3 (Amex, JCB, Diners), 4 (Visa), 5 (Mastercard), 6 (UnionPay, Discover), 2221–2720 (Mastercard). */
const issuer = (digits: string) => /^[3-6]/.test(digits) || (Number(digits.slice(0, 4)) >= 2221 && Number(digits.slice(0, 4)) <= 2720);

/** Card-like literals in `text`: maximal 13–19-digit runs (not inside hex), issuer prefix, Luhn-valid. */
function cardLikeLiterals(text: string): { line: number; digits: string }[] {
  const found: { line: number; digits: string }[] = [];
  for (const m of text.matchAll(/[0-9]+/g)) {
    const digits = m[0];
    if (digits.length < 13 || digits.length > 19) continue;
    const before = text[m.index - 1] ?? '';
    const after = text[m.index + digits.length] ?? '';
    if (/[a-fA-F]/.test(before) || /[a-fA-F]/.test(after)) continue; // hex text, an AID
    if (!issuer(digits) || !luhnValid(digits)) continue;
    found.push({ line: text.slice(0, m.index).split('\n').length, digits: `${digits.slice(0, 6)}…${digits.slice(-4)}` });
  }
  return found;
}

describe('card numbers in the sources', () => {
  it('the check sees one (so a clean result means something)', () => {
    const pan = testPan('411111', 42);
    expect(cardLikeLiterals(`const pan = '${pan}';\nconst ts = '20261123143005';`)).toEqual([{ line: 1, digits: `411111…${pan.slice(-4)}` }]);
    expect(cardLikeLiterals(`unhex('3f${pan}ab'); AI A000000333010106; DT 20261123140000`)).toEqual([]);
  });

  it('test/ and bench/ hold none', () => {
    const hits = ['test', 'bench'].flatMap((dir) =>
      files(path.join(root, dir)).flatMap((file) => cardLikeLiterals(readFileSync(file, 'utf8')).map((h) => `${path.relative(root, file)}:${h.line} ${h.digits}`)),
    );
    expect(hits).toEqual([]);
  });
});
