import { describe, expect, it } from 'vitest';
import type { ChargeFlag } from '../../../electron/contract/schemas.js';
import { formatMinor } from '../../../renderer/format/money.js';
import { createI18n } from '../../../renderer/i18n/index.js';
import { flagExplanation, translateError, translateToast } from '../../../renderer/i18n/translate.js';

const en = createI18n('en').t;
const zh = createI18n('zh-CN').t;
const yuan = (minor: number) => formatMinor(minor, '156', 'en');
const explain = (flag: ChargeFlag, t = en) => flagExplanation(t, flag, yuan);

describe('flag explanations (params as electron/domain/flags.ts sends them)', () => {
  it('possible duplicate', () => {
    expect(explain({ kind: 'possible_duplicate', params: { otherTrace: '000317', otherId: 4, minutes: 3 } })).toBe(
      'Same card and amount as trace 000317, 3 min earlier — ask whether the customer was charged twice.',
    );
    expect(explain({ kind: 'possible_duplicate', params: { otherTrace: '000317', otherId: 4, minutes: 0 } })).toContain('000317 just now');
    expect(explain({ kind: 'possible_duplicate', params: { otherTrace: '000317', otherId: 4, minutes: 3 } }, zh)).toBe(
      '与 3 分钟前凭证号 000317 的交易卡号、金额相同——请询问顾客是否被重复扣款。',
    );
  });

  it('digit slip, with the till amount formatted as money', () => {
    expect(explain({ kind: 'digit_slip', params: { slip: 'times10', intendedMinor: 12800 } })).toBe(
      "Ten times the till's ¥128.00 — an extra zero was probably keyed.",
    );
    expect(explain({ kind: 'digit_slip', params: { slip: 'swap', intendedMinor: 1290 } })).toBe("Two digits swapped compared with the till's ¥12.90.");
    expect(explain({ kind: 'digit_slip', params: { slip: 'sideways', intendedMinor: 1 } })).toBe(en('flags.digit_slip.general'));
  });

  it('unusual amount: median or ceiling', () => {
    expect(explain({ kind: 'unusual_amount', params: { reason: 'median', medianMinor: 4550, multiple: 12 } })).toBe(
      '12× the usual charge here (¥45.50) — check the amount with the customer.',
    );
    expect(explain({ kind: 'unusual_amount', params: { reason: 'ceiling', ceilingMinor: 500000 } })).toBe(
      "Above this till's limit of ¥5,000.00 — check the amount with the customer.",
    );
  });

  it('re-key mismatch: more or less than the till', () => {
    expect(explain({ kind: 'rekey_mismatch', params: { rekeyedMinor: 12800, differenceMinor: 115200 } })).toBe(
      "¥1,152.00 more than the till's ¥128.00 — check before confirming.",
    );
    expect(explain({ kind: 'rekey_mismatch', params: { rekeyedMinor: 12800, differenceMinor: -800 } })).toBe(
      "¥8.00 less than the till's ¥128.00 — check before confirming.",
    );
  });

  it('falls back to the general sentence on missing or malformed params', () => {
    for (const flag of [
      { kind: 'possible_duplicate', params: {} },
      { kind: 'digit_slip', params: { slip: 'times10', intendedMinor: 12.5 } },
      { kind: 'unusual_amount', params: { reason: 'median' } },
      { kind: 'rekey_mismatch', params: { rekeyedMinor: 'lots', differenceMinor: 5 } },
    ] as ChargeFlag[]) {
      const text = explain(flag);
      expect(text).toBe(en(`flags.${flag.kind}.general`));
      expect(text).not.toContain('{{');
    }
  });
});

describe('error and notice texts', () => {
  it('translates known codes and falls back to the core message', () => {
    expect(translateError(zh, { code: 'sim.disabled', message: 'off' })).toBe('模拟器已关闭。请先开启模拟器再模拟交易。');
    expect(translateError(en, { code: 'db.corrupt', message: 'x' })).toMatch(/damaged/);
    expect(translateError(en, { code: 'printer.paper_out', message: 'Printer is out of paper' })).toBe('Printer is out of paper');
    expect(translateError(en, { code: 'charge', message: 'half a code' })).toBe('half a code');
    expect(translateError(en, { code: 'transport.bad_response', message: 'm', params: { command: 'charges.today' } })).toContain('(charges.today)');
  });

  it('notices: the code translated as a notice or an error, else named', () => {
    expect(translateToast(en, { id: 1, level: 'error', code: 'db.disk_full', params: {} })).toMatch(/disk is full/);
    expect(translateToast(zh, { id: 2, level: 'info', code: 'link.new_device', params: {} })).toBe('核心服务通知：link.new_device');
  });
});
