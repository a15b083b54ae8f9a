/**
 * The PAN canary: with COUNTERSIGN_PAN_CANARY=1 the simulated terminal also offers card data the
 * host must refuse (`pan-unmasked`): CH frames whose PN is an unmasked test card number, and CH
 * frames with track-data-like text or the spaced card number in MN / CB. A scan after the e2e
 * suite (scripts/pan-canary.mjs) then proves those digits were stored, logged, exported and
 * printed nowhere.
 *
 * The canary card number is Visa's published test PAN (../shared/spec/device-notes.md). It is put
 * together at run time so that no full card number sits in the source.
 */

export const PAN_CANARY_ENV = 'COUNTERSIGN_PAN_CANARY';

/** Whether the canary is switched on for this process. */
export function panCanaryFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[PAN_CANARY_ENV] === '1';
}

/** The canary card number (16 digits, Luhn-valid test PAN), made from parts. */
export function canaryPan(): string {
  return '4' + '1'.repeat(15);
}

export const CANARY_VARIANTS = ['pn', 'track1-mn', 'track2-mn', 'spaced-mn', 'dashed-cb', 'luhn-cb'] as const;
export type CanaryVariant = (typeof CANARY_VARIANTS)[number];

/** The CH fields every canary frame carries besides its card data (valid in every other way). */
export interface CanaryBase {
  seq: string;
  terminalId: string;
  merchantId: string;
  currency: string;
  batch: string;
  /** YYYYMMDDhhmmss */
  dateTime: string;
}

/**
 * DATA of a CH carrying the canary card number, built by hand: the encoder would (rightly) refuse
 * it. TR 999999 keeps it apart from every real trace.
 */
export function canaryChargeData(variant: CanaryVariant, base: CanaryBase): Uint8Array {
  const pan = canaryPan();
  const grouped = (sep: string) => pan.replace(/(\d{4})(?=\d)/g, `$1${sep}`);
  const fields: [string, string][] = [
    ['AM', '000000000100'],
    ['CU', base.currency],
    ['TR', '999999'],
    ['BT', base.batch],
    ['RF', '999999999999'],
    ['AC', 'CANARY'],
    ['PN', variant === 'pn' ? pan : `${pan.slice(0, 6)}******${pan.slice(-4)}`],
    ['EM', 'S'],
    ['DT', base.dateTime],
    ['TI', base.terminalId],
    ['MI', base.merchantId],
    ['RC', '00'],
  ];
  if (variant === 'track1-mn') fields.push(['MN', `%B${pan}^CANARY/TEST^2512101`]);
  if (variant === 'track2-mn') fields.push(['MN', `;${pan}=25121010000`]);
  if (variant === 'spaced-mn') fields.push(['MN', `card ${grouped(' ')}`]);
  if (variant === 'dashed-cb') fields.push(['CB', grouped('-')]);
  if (variant === 'luhn-cb') fields.push(['CB', pan]);
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [enc.encode(`1CH${base.seq}`)];
  for (const [tag, value] of fields) {
    const v = enc.encode(value);
    parts.push(enc.encode(`${tag}${String(v.length).padStart(3, '0')}`), v);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
