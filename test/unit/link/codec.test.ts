import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageFormatError, decodeMessage, encodeMessage, validateMessage } from '../../../native/link/codec.js';
import type { LinkMessage, MessageType } from '../../../native/link/types.js';
import {
  ALL_TYPES,
  EXAMPLE_DATA,
  EXAMPLE_FIELDS,
  EXAMPLE_MESSAGE,
  ascii,
  ch,
  concat,
  messageArb,
  rawData,
  utf8,
} from './fixtures.js';
import { AMEX_PAN, MASTERCARD_PAN, VISA_PAN, grouped, testPan } from '../../support/testPan.js';

const exampleEntries = Object.entries(EXAMPLE_FIELDS) as [string, string][];
const dec = (d: Uint8Array | string, ctx?: Parameters<typeof decodeMessage>[1]) =>
  decodeMessage(typeof d === 'string' ? ascii(d) : d, ctx);
const codeOf = (d: Uint8Array | string, ctx?: Parameters<typeof decodeMessage>[1]) => {
  const r = dec(d, ctx);
  return r.ok ? 'ok' : r.code;
};
const chWith = (fields: [string, string][]) => rawData('CH', '000001', fields);
const replaceField = (tag: string, value: string): [string, string][] =>
  exampleEntries.map(([t, v]) => [t, t === tag ? value : v]);

describe('worked example', () => {
  it('decodes the 189-byte DATA', () => {
    expect(EXAMPLE_DATA.length).toBe(189);
    const r = dec(EXAMPLE_DATA);
    expect(r).toEqual({ ok: true, message: EXAMPLE_MESSAGE });
    if (r.ok) expect(Object.keys(r.message.fields)).toEqual(Object.keys(EXAMPLE_FIELDS));
  });
  it('encodes back to the same bytes', () => {
    expect(String.fromCharCode(...encodeMessage(EXAMPLE_MESSAGE))).toBe(EXAMPLE_DATA);
  });
});

describe('structure -> format', () => {
  it.each([
    ['empty DATA', ''],
    ['header too short', '1CH00004'],
    ['VER 2', '2CH000042'],
    ['VER 0', '0ST000001SS004IDLE'],
    ['unknown TYPE', '1XX000001'],
    ['lowercase TYPE', '1st000001SS004IDLE'],
    ['SEQ not digits', '1ST00000ASS004IDLE'],
    ['SEQ 000000', '1ST000000SS004IDLE'],
    ['lowercase tag', '1ST000001ss004IDLE'],
    ['digit in tag', '1ST000001S1004IDLE'],
    ['LEN not digits', '1ST000001SS0x4IDLE'],
    ['LEN with a space', '1ST000001SS 04IDLE'],
    ['LEN runs past the end', '1ST000001SS005IDLE'],
    ['1 trailing byte', '1ST000001SS004IDLEP'],
    ['4 trailing bytes', '1ST000001SS004IDLEPP00'],
  ])('%s', (_n, d) => {
    const r = dec(d);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe('format');
  });

  it('a header-only message of a type without required fields is fine', () => {
    expect(dec('1SE000007')).toEqual({ ok: true, message: { type: 'SE', seq: '000007', fields: {} } });
  });

  it('a zero-length value is structurally fine', () => {
    expect(codeOf(rawData('CH', '000001', [...exampleEntries, ['TC', '']]))).toBe('ok');
  });
});

describe('unknown tags', () => {
  it('are skipped and not included in fields', () => {
    const r = dec(rawData('ST', '000003', [['ZZ', 'future'], ['SS', 'IDLE'], ['AM', '000000000100']]));
    expect(r).toEqual({ ok: true, message: { type: 'ST', seq: '000003', fields: { SS: 'IDLE' } } });
  });
  it('may carry any bytes but control bytes (DATA is text; a zero-filled short report must not pass)', () => {
    const d = concat(ascii('1ST000003XY003'), Uint8Array.of(0x80, 0xff, 0x7e), ascii('SS004BUSY'));
    expect(codeOf(d)).toBe('ok');
    for (const control of [0x00, 0x03, 0x1b, 0x7f]) {
      const bad = concat(ascii('1ST000003XY003'), Uint8Array.of(0x41, control, 0x42), ascii('SS004BUSY'));
      const r = dec(bad);
      expect(r.ok ? 'ok' : `${r.code}: ${r.detail}`).toBe('format: DATA has a control byte at offset 15');
    }
  });
});

describe('duplicate-field', () => {
  it('a repeated known tag', () => {
    expect(codeOf(rawData('ST', '000001', [['SS', 'IDLE'], ['SS', 'BUSY']]))).toBe('duplicate-field');
  });
  it('a repeated unknown tag', () => {
    expect(codeOf(rawData('ST', '000001', [['SS', 'IDLE'], ['ZZ', 'a'], ['ZZ', 'b']]))).toBe('duplicate-field');
  });
});

describe('pan-unmasked', () => {
  const cases: [string, Uint8Array][] = [
    ['full PAN in PN', chWith(replaceField('PN', VISA_PAN))],
    ['7 leading digits in PN', chWith(replaceField('PN', '4111111*****1111'))],
    ['a digit in the middle of PN', chWith(replaceField('PN', '411111***1**1111'))],
    ['PN in a type where it is unknown', rawData('ST', '000001', [['SS', 'IDLE'], ['PN', MASTERCARD_PAN]])],
    ['track 2 in CB', chWith([...exampleEntries.slice(0, -1), ['CB', `;${testPan('411111', 5, 13)}=`]])],
    ['track 1 in MN', chWith([...exampleEntries, ['MN', `%B${VISA_PAN}^X`]])],
    ['track 2 in an unknown tag', chWith([...exampleEntries, ['ZZ', `;${MASTERCARD_PAN}=2512`]])],
    ['Luhn PAN in CB', chWith([...exampleEntries.slice(0, -1), ['CB', `x${VISA_PAN}`]])],
    ['Luhn PAN in MN', chWith([...exampleEntries, ['MN', `卡号${MASTERCARD_PAN}`]])],
    ['spaced PAN in MN', chWith([...exampleEntries, ['MN', `card ${grouped(MASTERCARD_PAN, ' ')}`]])],
    ['dashed PAN in CB', chWith([...exampleEntries.slice(0, -1), ['CB', grouped(VISA_PAN, '-')]])],
    ['Luhn PAN in an unknown tag', rawData('ST', '000001', [['SS', 'IDLE'], ['XX', AMEX_PAN]])],
    ['16-digit PAN in AM (wrong length: not exempt)', chWith(replaceField('AM', VISA_PAN))],
    ['PAN in DT of the wrong length', chWith(replaceField('DT', VISA_PAN))],
    ['PAN in an RS field', rawData('RS', '000001', [['RQ', '000005'], ['RC', '00'], ['AC', VISA_PAN]])],
  ];
  it.each(cases)('%s', (_n, d) => {
    const r = dec(d);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe('pan-unmasked');
      expect(r.detail).not.toMatch(/[0-9]{4,}/);
      expect(r.detail).not.toMatch(/4111|5555|3782/);
    }
  });

  it('fixed-length all-digit fields of exactly their form are exempt (Luhn-valid DT)', () => {
    expect(codeOf(chWith(replaceField('DT', '20261123143004')))).toBe('ok');
  });
  it('zero-led AID digit runs that pass Luhn are not card numbers', () => {
    expect(codeOf(chWith([...exampleEntries, ['AI', 'A000000333010106']]))).toBe('ok');
  });
  it('the masked PN of the example and 12-digit runs pass', () => {
    expect(codeOf(chWith([...exampleEntries, ['MN', 'Tel 138001380000']]))).toBe('ok');
  });
});

describe('missing-field', () => {
  const base: Record<MessageType, [string, string][]> = {
    CH: exampleEntries.filter(([t]) => t !== 'CB'),
    RS: [['RQ', '000007'], ['RC', '00']],
    ST: [['SS', 'IDLE']],
    VD: [['TR', '000318'], ['AM', '000000128000']],
    RF: [['RF', '331822000318'], ['OD', '20261123'], ['AM', '000000012800']],
    SE: [],
    QT: [['QS', '000007']],
  };
  for (const type of ALL_TYPES) {
    it(`${type}: complete message is ok; each required field missing is reported`, () => {
      expect(codeOf(rawData(type, '000009', base[type]))).toBe('ok');
      for (let i = 0; i < base[type].length; i++) {
        const without = base[type].filter((_, j) => j !== i);
        const r = dec(rawData(type, '000009', without));
        expect(r.ok ? 'ok' : r.code).toBe('missing-field');
        if (!r.ok) expect(r.detail).toContain(base[type][i]![0]);
      }
    });
  }
});

describe('check order', () => {
  it('structure before duplicate', () => {
    expect(codeOf('1ST000001SS004IDLESS004IDLEP')).toBe('format');
  });
  it('duplicate before pan-unmasked', () => {
    expect(codeOf(chWith([...replaceField('PN', VISA_PAN), ['CB', 'a'], ['CB', 'b']]))).toBe('duplicate-field');
  });
  it('pan-unmasked before missing-field', () => {
    expect(codeOf(chWith(replaceField('PN', VISA_PAN).filter(([t]) => t !== 'AM')))).toBe('pan-unmasked');
  });
  it('missing-field before format', () => {
    expect(codeOf(chWith(replaceField('CU', 'ABC').filter(([t]) => t !== 'AM')))).toBe('missing-field');
  });
});

describe('value forms -> format', () => {
  // [tag, type that knows it, valid values, invalid values]
  const table: [string, [string, string][], string[], string[]][] = [
    ['AM', exampleEntries, ['000000000000', '999999999999'], ['12800', '0000001280000', '00000012800a', '00000012800 ']],
    ['CU', exampleEntries, ['156', '978'], ['15', '1560', 'CNY']],
    ['TR', exampleEntries, ['000001'], ['00001', 'A00001']],
    ['BT', exampleEntries, ['000000'], ['0000000']],
    ['RF', exampleEntries, ['ABCdef123456'], ['ABCdef12345', 'ABCdef12345-', 'ABCdef 12345']],
    ['AC', exampleEntries, ['83K2Q1', '000000'], ['83K2Q', '83K2Q1X', '83K-Q1']],
    ['PN', exampleEntries, ['622848******', '622848*********1234', '************'], ['622848*****', '622848**********1234', '622848-*****1234']],
    ['EM', exampleEntries, ['S', 'C', 'T', 'M', 'F'], ['X', 'c', 'CC', '']],
    ['DT', exampleEntries, ['20240229235959', '00010101000000'], ['20250229120000', '20261131120000', '20261123240000', '20261123126000', '20261123120060', '20261323120000', '20260023120000', '20261100120000', '00000101000000', '202611231430', 'A0261123143005']],
    ['TI', exampleEntries, ['ABCD1234'], ['ABCD123', 'ABCD12345', 'ABCD_123']],
    ['MI', exampleEntries, ['ABCDE1234567890'], ['ABCDE123456789', 'ABCDE12345678901']],
    ['RC', exampleEntries, ['00', 'A1'], ['0', '000', '0-']],
    ['CB', exampleEntries, ['', 'x', ' ~!"#$%&\'()*+,-.', 'UnionPay Debit'], ['12345678901234567', 'tab\there', 'é']],
    ['AI', [...exampleEntries, ['AI', '']], ['', 'A0000003330101', 'a0000000031010', '0123456789abcdef0123456789ABCDEF'], ['A000000333010G', '0123456789abcdef0123456789ABCDEF0']],
    ['TC', [...exampleEntries, ['TC', '']], ['', 'SALE', 'PreAuth', 'ABCDEFGH'], ['ABCDEFGHI', 'SALE1', 'SA LE']],
    ['MN', [...exampleEntries, ['MN', '']], ['', '老街面馆', 'Golden Dragon 金龙酒家', '一二三四五六七八九十一二三'], ['一二三四五六七八九十一二三四']],
    ['SS', [['SS', 'IDLE']], ['IDLE', 'BUSY', 'OFFLINE', 'ABCDEFGH', 'x'], ['', 'ABCDEFGHI', 'IDLE1']],
    ['PP', [['SS', 'IDLE'], ['PP', 'OK']], ['OK', 'LOW', 'OUT', 'ABCD'], ['', 'ABCDE', 'O K']],
    ['QS', [['QS', '000001']], ['000001', '999999'], ['1', '0000001']],
    ['OD', [['RF', '331822000318'], ['OD', '20261123'], ['AM', '000000012800']], ['20240229', '20261231'], ['20250229', '20261301', '20260431', '2026112', '2026-1-1']],
    ['RQ', [['RQ', '000001'], ['RC', '00']], ['000000', '123456'], ['12345']],
    ['SC', [['RQ', '000001'], ['RC', '00'], ['SC', '0000']], ['0012'], ['012', '00012']],
    ['SA', [['RQ', '000001'], ['RC', '00'], ['SA', '000000000000']], ['000000012800'], ['00000001280']],
    ['NB', [['RQ', '000001'], ['RC', '00'], ['NB', '000028']], ['000028'], ['28']],
  ];
  const typeFor = (fields: [string, string][]): string =>
    fields.some(([t]) => t === 'PN') ? 'CH' : fields.some(([t]) => t === 'SS') ? 'ST' : fields.some(([t]) => t === 'QS') ? 'QT' : fields.some(([t]) => t === 'OD') ? 'RF' : 'RS';
  for (const [tag, fields, valid, invalid] of table) {
    const type = typeFor(fields);
    const build = (v: string) =>
      rawData(type, '000001', fields.some(([t]) => t === tag) ? fields.map(([t, x]) => [t, t === tag ? v : x]) : [...fields, [tag, v]]);
    it(`${tag} valid: ${valid.map((v) => JSON.stringify(v)).join(' ')}`, () => {
      for (const v of valid) expect([v, codeOf(build(v))]).toEqual([v, 'ok']);
    });
    it(`${tag} invalid: ${invalid.map((v) => JSON.stringify(v)).join(' ')}`, () => {
      for (const v of invalid) {
        const r = dec(build(v));
        expect([v, r.ok ? 'ok' : r.code]).toEqual([v, 'format']);
        if (!r.ok && v.length > 1) expect(r.detail).not.toContain(v);
      }
    });
  }

  it('MN: invalid UTF-8 is format; exactly 40 bytes is fine; a BOM is kept', () => {
    const withMn = (mn: Uint8Array) =>
      concat(rawData('CH', '000001', exampleEntries), ascii(`MN${String(mn.length).padStart(3, '0')}`), mn);
    expect(codeOf(withMn(Uint8Array.of(0xe8, 0x80)))).toBe('format'); // truncated sequence
    expect(codeOf(withMn(Uint8Array.of(0xc0, 0xaf)))).toBe('format'); // overlong
    expect(codeOf(withMn(Uint8Array.of(0xed, 0xa0, 0x80)))).toBe('format'); // surrogate
    expect(codeOf(withMn(Uint8Array.of(0xff)))).toBe('format');
    expect(codeOf(withMn(utf8('一二三四五六七八九十一二三A')))).toBe('ok'); // 40 bytes
    const bom = dec(withMn(utf8('\uFEFF店')));
    expect(bom.ok && bom.message.fields.MN).toBe('\uFEFF店');
  });

  it('MN: control characters (NUL from a zero-filled short report, ESC, DEL, C1) are format', () => {
    const withMn = (mn: Uint8Array) =>
      concat(rawData('CH', '000001', exampleEntries), ascii(`MN${String(mn.length).padStart(3, '0')}`), mn);
    for (const bad of ['老街\u0000\u0000面馆', 'Cafe\u001b[31m', 'Tab\there', 'x\u007f', 'x\u0085', 'x\u2028y']) {
      const r = dec(withMn(utf8(bad)));
      expect([bad, r.ok ? 'ok' : r.code]).toEqual([bad, 'format']);
      // C0 and DEL are refused as bytes anywhere in DATA; C1 and U+2028 are UTF-8 sequences, refused in MN
      if (!r.ok) expect(r.detail).toMatch(/^(DATA has a control byte at offset \d+|field MN contains control characters)$/);
    }
    const c1 = dec(withMn(utf8('x\u0085')));
    expect(!c1.ok && c1.detail).toBe('field MN contains control characters');
    expect(codeOf(withMn(utf8('Café Ünïcode · 老街')))).toBe('ok');
  });

  it('a non-ASCII byte in an ASCII field is format', () => {
    const d = concat(rawData('CH', '000001', exampleEntries.slice(0, -1)), ascii('CB002'), Uint8Array.of(0xc3, 0xa9));
    expect(codeOf(d)).toBe('format');
  });

  it('format details do not echo values', () => {
    const r = dec(chWith(replaceField('MI', 'SECRETSECRET123')));
    expect(r.ok).toBe(true);
    const r2 = dec(chWith(replaceField('AM', 'SECRETSECRET')));
    expect(!r2.ok && r2.detail).not.toContain('SECRET');
  });
});

describe('RS and what it answers', () => {
  const rs = (fields: [string, string][]) => rawData('RS', '000100', fields);
  const vdResp: [string, string][] = [['RQ', '000007'], ['RC', '00'], ['TR', '000319'], ['RF', '331822000319'], ['AC', '83K2Q2'], ['DT', '20261123143105']];
  const seResp: [string, string][] = [
    ['RQ', '000008'], ['RC', '00'], ['BT', '000027'], ['SC', '0012'], ['SA', '000000153600'], ['VC', '0001'],
    ['VA', '000000128000'], ['FC', '0000'], ['FA', '000000000000'], ['NB', '000028'],
  ];
  it('without context only RQ RC are required; response fields present are validated and kept', () => {
    expect(codeOf(rs([['RQ', '000007'], ['RC', '00']]))).toBe('ok');
    const r = dec(rs(vdResp));
    expect(r.ok && r.message.fields).toEqual(Object.fromEntries(vdResp));
    expect(codeOf(rs([['RQ', '000007'], ['RC', '00'], ['TR', '31']]))).toBe('format');
  });
  it('VD / RF with RC 00 require TR RF AC DT', () => {
    for (const responseTo of ['VD', 'RF'] as const) {
      expect(codeOf(rs(vdResp), { responseTo })).toBe('ok');
      expect(codeOf(rs(vdResp.filter(([t]) => t !== 'AC')), { responseTo })).toBe('missing-field');
      expect(codeOf(rs([['RQ', '000007'], ['RC', '25']]), { responseTo })).toBe('ok');
    }
  });
  it('SE with RC 00 requires BT SC SA VC VA FC FA NB', () => {
    expect(codeOf(rs(seResp), { responseTo: 'SE' })).toBe('ok');
    expect(codeOf(rs(seResp.filter(([t]) => t !== 'NB')), { responseTo: 'SE' })).toBe('missing-field');
    expect(codeOf(rs(vdResp), { responseTo: 'SE' })).toBe('missing-field');
    expect(codeOf(rs([['RQ', '000008'], ['RC', '96']]), { responseTo: 'SE' })).toBe('ok');
  });
  it('QT: the replayed response of the original type; RC 25 when never received', () => {
    expect(codeOf(rs(seResp), { responseTo: 'QT', originalType: 'SE' })).toBe('ok');
    expect(codeOf(rs(vdResp), { responseTo: 'QT', originalType: 'SE' })).toBe('missing-field');
    expect(codeOf(rs(vdResp), { responseTo: 'QT', originalType: 'VD' })).toBe('ok');
    expect(codeOf(rs([['RQ', '000007'], ['RC', '25']]), { responseTo: 'QT', originalType: 'VD' })).toBe('ok');
    expect(codeOf(rs([['RQ', '000007'], ['RC', '00']]), { responseTo: 'QT' })).toBe('ok');
  });
});

describe('encodeMessage', () => {
  it('writes fields in insertion order', () => {
    const d = encodeMessage({ type: 'ST', seq: '000005', fields: { PP: 'LOW', SS: 'IDLE' } });
    expect(String.fromCharCode(...d)).toBe('1ST000005PP003LOWSS004IDLE');
  });
  it('LEN is the UTF-8 byte length of MN', () => {
    const d = encodeMessage(ch('000001', { MN: '老街面馆' }));
    expect(new TextDecoder().decode(d)).toContain('MN012老街面馆');
  });
  it('host types', () => {
    expect(String.fromCharCode(...encodeMessage({ type: 'VD', seq: '000007', fields: { TR: '000318', AM: '000000128000' } }))).toBe(
      '1VD000007TR006000318AM012000000128000',
    );
    expect(String.fromCharCode(...encodeMessage({ type: 'SE', seq: '999999', fields: {} }))).toBe('1SE999999');
    expect(String.fromCharCode(...encodeMessage({ type: 'QT', seq: '000010', fields: { QS: '000007' } }))).toBe(
      '1QT000010QS006000007',
    );
  });
  const throws = (m: LinkMessage, code: string) => {
    let err: unknown;
    try {
      encodeMessage(m);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MessageFormatError);
    expect((err as MessageFormatError).code).toBe(code);
    expect(validateMessage(m)?.code).toBe(code);
  };
  it('throws MessageFormatError with the decoder codes', () => {
    throws({ type: 'XX' as MessageType, seq: '000001', fields: {} }, 'format');
    throws({ type: 'SE', seq: '000000', fields: {} }, 'format');
    throws({ type: 'SE', seq: '1', fields: {} }, 'format');
    throws({ type: 'ST', seq: '000001', fields: { ss: 'IDLE' } }, 'format');
    throws({ type: 'ST', seq: '000001', fields: {} }, 'missing-field');
    throws(ch('000001', { PN: VISA_PAN }), 'pan-unmasked');
    throws(ch('000001', { AM: '12800' }), 'format');
    throws(ch('000001', { MN: '\uD800x' }), 'format');
    throws(ch('000001', { MN: 'x'.repeat(41) }), 'format');
    throws({ type: 'ST', seq: '000001', fields: { SS: 'IDLE', ZZ: 'y'.repeat(1000) } }, 'format');
    throws({ type: 'ST', seq: '000001', fields: { SS: 'IDLE', ZZ: 'y'.repeat(999), ZY: 'y'.repeat(10) } }, 'format');
    expect(validateMessage(EXAMPLE_MESSAGE)).toBeNull();
  });
  it('encodes unknown tags (a newer peer would), which the decoder then skips', () => {
    const d = encodeMessage({ type: 'ST', seq: '000001', fields: { SS: 'IDLE', ZZ: 'v2' } });
    expect(dec(d)).toEqual({ ok: true, message: { type: 'ST', seq: '000001', fields: { SS: 'IDLE' } } });
  });
  it('the largest message: DATA of exactly 1024 bytes', () => {
    const fields: Record<string, string> = { SS: 'IDLE', ZZ: 'y'.repeat(990) };
    fields.ZY = 'y'.repeat(1024 - 9 - 9 - 995 - 5);
    expect(encodeMessage({ type: 'ST', seq: '000001', fields }).length).toBe(1024);
  });
});

describe('round trip (property)', () => {
  for (const type of ALL_TYPES) {
    it(`encode -> decode is the identity for random valid ${type} messages (field order kept)`, () => {
      fc.assert(
        fc.property(messageArb(type), (m) => {
          const r = decodeMessage(encodeMessage(m));
          expect(r).toEqual({ ok: true, message: m });
          if (r.ok) expect(Object.keys(r.message.fields)).toEqual(Object.keys(m.fields));
        }),
        { numRuns: 200 },
      );
    });
  }
  it('decoding arbitrary bytes never throws', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(...ALL_TYPES), (u, t) => {
        const d = concat(ascii(`1${t}000001`), u);
        decodeMessage(d);
        decodeMessage(u);
      }),
    );
  });
});

describe('merchant ids that happen to pass Luhn', () => {
  it('are accepted: one all-digit MI in ten passes Luhn, and refusing it would stop the whole shop', () => {
    expect(codeOf(chWith(replaceField('MI', AMEX_PAN)))).toBe('ok');
  });
});
