import { describe, expect, it } from 'vitest';
import {
  checkMaskedPan,
  findTrackData,
  guardMessage,
  hasPanLikeRun,
  luhnValid,
  maskForLog,
} from '../../../native/link/panGuard.js';
import { AMEX_PAN, MASTERCARD_PAN, VISA_PAN, breakLuhn, grouped } from '../../support/testPan.js';

const TEST_PANS = [VISA_PAN, MASTERCARD_PAN, AMEX_PAN];

describe('luhn', () => {
  it.each(TEST_PANS)('test PAN %s passes Luhn', (p) => expect(luhnValid(p)).toBe(true));
  it('a changed digit fails', () => {
    expect(luhnValid(breakLuhn(VISA_PAN))).toBe(false);
    expect(luhnValid('898310058120001')).toBe(false);
  });
});

describe('checkMaskedPan (PN rule)', () => {
  it.each(['622848******1234', '411111******1111', '************', '622848*********1234', '378282*****0005', '622848**1234', '62****'])(
    'accepts %s',
    (pn) => expect(checkMaskedPan(pn)).toBeNull(),
  );
  it.each([
    ['full PAN', VISA_PAN],
    ['11 digits visible', '4111111****11111'],
    ['19 long, 7 trailing digits', '622848******1234567'],
    ['digit in the middle', '622848***5**1234'],
    ['a misplaced digit with only 10 visible', '62284****5**1234'],
    ['7th digit visible with only 10 visible', '6228481******234'],
    ['first 7 visible', '6228481*****1234'],
    ['last 5 visible', '622848*****51234'],
    ['12-digit, 12 visible', '123456789012'],
  ])('rejects %s', (_n, pn) => {
    const d = checkMaskedPan(pn);
    expect(d).not.toBeNull();
    expect(d).not.toMatch(/[0-9]{2,}/);
  });
});

describe('track data and PAN-like runs', () => {
  it.each([
    ['track 1', `xx%B${VISA_PAN}^DOE/JOHN^2512101`],
    ['track 2', `AB;${VISA_PAN}=25121010000000`],
    ['track 2, 12 digits', ';123456789012='],
  ])('finds %s', (_n, t) => expect(findTrackData(t)).not.toBeNull());
  it.each(['%B^', '%Bx1^', ';12345678901=', `; ${VISA_PAN}=`, 'plain text'])('no track data in %j', (t) =>
    expect(findTrackData(t)).toBeNull(),
  );
  it('PAN-like runs', () => {
    for (const p of TEST_PANS) {
      expect(hasPanLikeRun(p)).toBe(true);
      expect(hasPanLikeRun(`brand ${p} x`)).toBe(true);
      expect(hasPanLikeRun(`A${p}`)).toBe(true);
      expect(hasPanLikeRun(`00${p}`)).toBe(true); // leading zeros do not hide a PAN
    }
    expect(hasPanLikeRun(breakLuhn(VISA_PAN))).toBe(false); // not Luhn
    expect(hasPanLikeRun(VISA_PAN.slice(0, 12))).toBe(false); // 12 digits
    expect(hasPanLikeRun(`${VISA_PAN}0000`)).toBe(false); // 20-digit run is not PAN-shaped
    // single spaces or dashes between digits continue the run: a spaced PAN is still a PAN
    expect(hasPanLikeRun(grouped(VISA_PAN, ' '))).toBe(true);
    expect(hasPanLikeRun(`shop ${grouped(VISA_PAN, '-')} x`)).toBe(true);
    expect(hasPanLikeRun(`${AMEX_PAN.slice(0, 4)} ${AMEX_PAN.slice(4, 10)} ${AMEX_PAN.slice(10)}`)).toBe(true);
    expect(hasPanLikeRun(grouped(breakLuhn(VISA_PAN), ' '))).toBe(false); // not Luhn
    expect(hasPanLikeRun(`${VISA_PAN.slice(0, 4)}  ${grouped(VISA_PAN.slice(4), ' ')}`)).toBe(false); // two spaces end a run: 4 + 12 digits
    expect(hasPanLikeRun('Tel 138 0013 8000')).toBe(false); // 11 digits
    // EMV AIDs whose zero-led digit run passes Luhn are not card numbers
    expect(hasPanLikeRun('A000000333010106')).toBe(false);
    expect(hasPanLikeRun('A0000000101030')).toBe(false);
  });
  it('guardMessage uses exemptions only for exempt fields', () => {
    const text = `DT20261123143005CB${VISA_PAN}`;
    expect(guardMessage(text, [{ tag: 'DT', start: 2, end: 16, exempt: true }])).toBeNull();
    expect(guardMessage(text, [{ tag: 'CB', start: 18, end: 34, exempt: false }])).toMatch(/CB/);
  });
});

describe('maskForLog', () => {
  it('masks any run of 12+ digits, keeping only the last 4', () => {
    expect(maskForLog(`pan ${VISA_PAN} end`)).toBe(`pan ************${VISA_PAN.slice(-4)} end`);
    expect(maskForLog('123456789012')).toBe('********9012');
    expect(maskForLog('12345678901')).toBe('12345678901');
    expect(maskForLog(grouped(VISA_PAN, ' '))).toBe(`************${VISA_PAN.slice(-4)}`);
    expect(maskForLog(grouped(VISA_PAN, '-'))).toBe(`************${VISA_PAN.slice(-4)}`);
  });
  it('removes track data entirely', () => {
    const out = maskForLog(`a %B${VISA_PAN}^DOE/JOHN^2512101123? b ;${VISA_PAN}=2512101? c`);
    expect(out).not.toMatch(/4111/);
    expect(out).not.toMatch(/DOE/);
    expect(out).toContain('a ');
    expect(out).toContain(' c');
  });
  it('leaves ordinary text alone', () => {
    expect(maskForLog('seq 000042 at 2026-11-23T14:30:05Z')).toBe('seq 000042 at 2026-11-23T14:30:05Z');
  });
});
