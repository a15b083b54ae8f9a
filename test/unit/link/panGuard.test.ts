import { describe, expect, it } from 'vitest';
import {
  checkMaskedPan,
  findTrackData,
  guardMessage,
  hasPanLikeRun,
  luhnValid,
  maskForLog,
} from '../../../native/link/panGuard.js';

const TEST_PANS = ['4111111111111111', '5555555555554444', '378282246310005'];

describe('luhn', () => {
  it.each(TEST_PANS)('test PAN %s passes Luhn', (p) => expect(luhnValid(p)).toBe(true));
  it('a changed digit fails', () => {
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('898310058120001')).toBe(false);
  });
});

describe('checkMaskedPan (PN rule)', () => {
  it.each(['622848******1234', '411111******1111', '************', '622848*********1234', '378282*****0005', '622848**1234', '62****'])(
    'accepts %s',
    (pn) => expect(checkMaskedPan(pn)).toBeNull(),
  );
  it.each([
    ['full PAN', '4111111111111111'],
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
    ['track 1', 'xx%B4111111111111111^DOE/JOHN^2512101'],
    ['track 2', 'AB;4111111111111111=25121010000000'],
    ['track 2, 12 digits', ';123456789012='],
  ])('finds %s', (_n, t) => expect(findTrackData(t)).not.toBeNull());
  it.each(['%B^', '%Bx1^', ';12345678901=', '; 4111111111111111=', 'plain text'])('no track data in %j', (t) =>
    expect(findTrackData(t)).toBeNull(),
  );
  it('PAN-like runs', () => {
    for (const p of TEST_PANS) {
      expect(hasPanLikeRun(p)).toBe(true);
      expect(hasPanLikeRun(`brand ${p} x`)).toBe(true);
      expect(hasPanLikeRun(`A${p}`)).toBe(true);
      expect(hasPanLikeRun(`00${p}`)).toBe(true); // leading zeros do not hide a PAN
    }
    expect(hasPanLikeRun('4111111111111112')).toBe(false); // not Luhn
    expect(hasPanLikeRun('411111111111')).toBe(false); // 12 digits
    expect(hasPanLikeRun('41111111111111110000')).toBe(false); // 20-digit run is not PAN-shaped
    // single spaces or dashes between digits continue the run: a spaced PAN is still a PAN
    expect(hasPanLikeRun('4111 1111 1111 1111')).toBe(true);
    expect(hasPanLikeRun('shop 4111-1111-1111-1111 x')).toBe(true);
    expect(hasPanLikeRun('3782 822463 10005')).toBe(true);
    expect(hasPanLikeRun('4111 1111 1111 1112')).toBe(false); // not Luhn
    expect(hasPanLikeRun('4111  1111 1111 1111')).toBe(false); // two spaces end a run: 4 + 12 digits
    expect(hasPanLikeRun('Tel 138 0013 8000')).toBe(false); // 11 digits
    // EMV AIDs whose zero-led digit run passes Luhn are not card numbers
    expect(hasPanLikeRun('A000000333010106')).toBe(false);
    expect(hasPanLikeRun('A0000000101030')).toBe(false);
  });
  it('guardMessage uses exemptions only for exempt fields', () => {
    const text = 'DT20261123143005CB4111111111111111';
    expect(guardMessage(text, [{ tag: 'DT', start: 2, end: 16, exempt: true }])).toBeNull();
    expect(guardMessage(text, [{ tag: 'CB', start: 18, end: 34, exempt: false }])).toMatch(/CB/);
  });
});

describe('maskForLog', () => {
  it('masks any run of 12+ digits, keeping only the last 4', () => {
    expect(maskForLog('pan 4111111111111111 end')).toBe('pan ************1111 end');
    expect(maskForLog('123456789012')).toBe('********9012');
    expect(maskForLog('12345678901')).toBe('12345678901');
    expect(maskForLog('4111 1111 1111 1111')).toBe('************1111');
    expect(maskForLog('4111-1111-1111-1111')).toBe('************1111');
  });
  it('removes track data entirely', () => {
    const out = maskForLog('a %B4111111111111111^DOE/JOHN^2512101123? b ;4111111111111111=2512101? c');
    expect(out).not.toMatch(/4111/);
    expect(out).not.toMatch(/DOE/);
    expect(out).toContain('a ');
    expect(out).toContain(' c');
  });
  it('leaves ordinary text alone', () => {
    expect(maskForLog('seq 000042 at 2026-11-23T14:30:05Z')).toBe('seq 000042 at 2026-11-23T14:30:05Z');
  });
});
