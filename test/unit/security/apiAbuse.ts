/**
 * API abuse shared by the IPC and the WebSocket tests: malformed, oversized and out-of-role calls
 * with the error code each must get, and a fingerprint of the whole database to prove that nothing
 * was recorded.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';

export interface AbuseCall {
  what: string;
  name: unknown;
  input: unknown;
  code: string;
}

/** A JSON object with an own `__proto__` / `constructor` key, as JSON.parse makes it. */
const polluted = (json: string): unknown => JSON.parse(json);

function nested(depth: number, leaf: unknown, array = false): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = array ? [v] : { a: v };
  return v;
}

const validExecute = { chargeId: 1, mode: 'void', amountMinor: 12800, reason: 'other', note: 'test' };

/**
 * Calls that must be refused before any handler acts (unknown command or schema), whatever the
 * caller's role. `jsonSafe: false` ones only make sense where values are not JSON (IPC).
 */
export function malformedCalls(options: { jsonSafe: boolean; hugeLength: number }): AbuseCall[] {
  const huge = 'x'.repeat(options.hugeLength);
  const calls: AbuseCall[] = [
    // unknown commands
    { what: 'unknown command', name: 'charges.delete', input: {}, code: 'api.unknown_command' },
    { what: 'empty name', name: '', input: {}, code: 'api.unknown_command' },
    { what: 'name with a trailing space', name: 'status.get ', input: {}, code: 'api.unknown_command' },
    { what: 'name __proto__', name: '__proto__', input: {}, code: 'api.unknown_command' },
    { what: 'name constructor', name: 'constructor', input: {}, code: 'api.unknown_command' },
    { what: 'name toString', name: 'toString', input: {}, code: 'api.unknown_command' },
    { what: 'name hasOwnProperty', name: 'hasOwnProperty', input: {}, code: 'api.unknown_command' },
    { what: 'numeric name', name: 42, input: {}, code: 'api.unknown_command' },
    { what: 'null name', name: null, input: {}, code: 'api.unknown_command' },
    { what: 'object name', name: { toString: 'status.get' }, input: {}, code: 'api.unknown_command' },
    { what: 'array name', name: ['status.get'], input: {}, code: 'api.unknown_command' },
    { what: 'a huge name', name: huge, input: {}, code: 'api.unknown_command' },
    // wrong types
    { what: 'chargeId as a string', name: 'charges.confirm', input: { chargeId: '1' }, code: 'validation.failed' },
    { what: 'chargeId as a float', name: 'charges.confirm', input: { chargeId: 1.5 }, code: 'validation.failed' },
    { what: 'chargeId negative', name: 'charges.confirm', input: { chargeId: -1 }, code: 'validation.failed' },
    { what: 'chargeId null', name: 'charges.confirm', input: { chargeId: null }, code: 'validation.failed' },
    { what: 'input a string', name: 'charges.confirm', input: 'chargeId=1', code: 'validation.failed' },
    { what: 'input an array', name: 'status.get', input: [], code: 'validation.failed' },
    { what: 'input a number', name: 'charges.queue', input: 7, code: 'validation.failed' },
    { what: 'enum out of range', name: 'adjust.execute', input: { ...validExecute, mode: 'steal' }, code: 'validation.failed' },
    { what: 'boolean as a string', name: 'settings.counter.update', input: { blindRekey: 'true' }, code: 'validation.failed' },
    // extra fields
    { what: 'extra field', name: 'charges.confirm', input: { chargeId: 1, confirmedBy: 'owner' }, code: 'validation.failed' },
    { what: 'extra field on a no-input command', name: 'status.get', input: { verbose: true }, code: 'validation.failed' },
    { what: 'role smuggled into sign-in', name: 'auth.signIn', input: { userId: 1, pin: '482915', role: 'owner' }, code: 'validation.failed' },
    { what: 'actor smuggled into a void', name: 'adjust.execute', input: { ...validExecute, actor: 'owner' }, code: 'validation.failed' },
    // prototype pollution keys (own keys, as JSON.parse makes them)
    { what: '__proto__ key', name: 'charges.confirm', input: polluted('{"chargeId":1,"__proto__":{"isAdmin":true}}'), code: 'validation.failed' },
    { what: 'constructor.prototype key', name: 'settings.counter.update', input: polluted('{"blindRekey":true,"constructor":{"prototype":{"isAdmin":true}}}'), code: 'validation.failed' },
    { what: '__proto__ only', name: 'status.get', input: polluted('{"__proto__":{"polluted":"yes"}}'), code: 'validation.failed' },
    { what: '__proto__ in a nested printer', name: 'printers.save', input: polluted('{"printer":{"kind":"pdf","name":"P","__proto__":{"isAdmin":true}}}'), code: 'validation.failed' },
    // huge strings
    { what: 'a huge search', name: 'adjust.find', input: { query: huge }, code: 'validation.failed' },
    { what: 'a huge user name', name: 'auth.createUser', input: { name: huge, role: 'cashier', pin: '495038' }, code: 'validation.failed' },
    { what: 'a huge note', name: 'charges.flag', input: { chargeId: 1, intendedMinor: 0, cause: 'duplicate', note: huge }, code: 'validation.failed' },
    { what: 'a huge script', name: 'sim.script', input: { script: huge }, code: 'validation.failed' },
    { what: 'a huge PIN', name: 'auth.signIn', input: { userId: 1, pin: huge }, code: 'validation.failed' },
    // deeply nested
    { what: 'deeply nested object', name: 'charges.confirm', input: nested(1500, 1), code: 'validation.failed' },
    { what: 'deeply nested array', name: 'status.get', input: nested(1500, 1, true), code: 'validation.failed' },
    { what: 'deeply nested value of a known field', name: 'adjust.find', input: { query: nested(1500, 'x') }, code: 'validation.failed' },
    // money: floats, negatives, garbage
    { what: 'float amount', name: 'sim.charge', input: { amountMinor: 128.5 }, code: 'validation.failed' },
    { what: 'float re-key', name: 'charges.confirm', input: { chargeId: 1, rekeyedMinor: 12800.01 }, code: 'validation.failed' },
    { what: 'float ceiling', name: 'settings.counter.update', input: { ceilingMinor: 1000.5 }, code: 'validation.failed' },
    { what: 'negative amount', name: 'sim.charge', input: { amountMinor: -5 }, code: 'validation.failed' },
    { what: 'negative intended amount', name: 'charges.flag', input: { chargeId: 1, intendedMinor: -1, cause: 'duplicate' }, code: 'validation.failed' },
    { what: 'negative void', name: 'adjust.execute', input: { ...validExecute, amountMinor: -12800 }, code: 'validation.failed' },
    { what: 'zero void', name: 'adjust.execute', input: { ...validExecute, amountMinor: 0 }, code: 'validation.failed' },
    { what: 'amount as a string', name: 'sim.charge', input: { amountMinor: '12800' }, code: 'validation.failed' },
    { what: 'amount 1e300', name: 'sim.charge', input: { amountMinor: 1e300 }, code: 'validation.failed' },
    { what: 'amount above 999999999999', name: 'adjust.execute', input: { ...validExecute, amountMinor: 1_000_000_000_000 }, code: 'validation.failed' },
    { what: 'amount beyond safe integers', name: 'charges.rekey', input: { chargeId: 1, rekeyedMinor: 2 ** 53 + 2 }, code: 'validation.failed' },
    { what: 'amount as an object', name: 'charges.rekey', input: { chargeId: 1, rekeyedMinor: { valueOf: 1 } }, code: 'validation.failed' },
    // card data where a masked PAN belongs
    { what: 'full PAN to the simulator', name: 'sim.charge', input: { amountMinor: 100, panMasked: ['4111', '1111', '1111', '1111'].join('') }, code: 'validation.failed' },
    // PINs of the wrong form (schema level: type and size)
    { what: 'PIN as a number', name: 'auth.signIn', input: { userId: 1, pin: 482915 }, code: 'validation.failed' },
    { what: 'empty PIN', name: 'auth.signIn', input: { userId: 1, pin: '' }, code: 'validation.failed' },
    { what: 'userId as a string', name: 'auth.signIn', input: { userId: '1', pin: '482915' }, code: 'validation.failed' },
    { what: 'setup PIN as a number', name: 'auth.setupOwner', input: { ownerName: 'A', ownerPin: 482915, managerName: 'B', managerPin: '735102' }, code: 'validation.failed' },
    { what: 'setup PIN of 65 digits', name: 'auth.setupOwner', input: { ownerName: 'A', ownerPin: '4'.repeat(65), managerName: 'B', managerPin: '735102' }, code: 'validation.failed' },
  ];
  if (!options.jsonSafe) {
    calls.push(
      { what: 'NaN amount', name: 'sim.charge', input: { amountMinor: Number.NaN }, code: 'validation.failed' },
      { what: 'Infinity amount', name: 'charges.rekey', input: { chargeId: 1, rekeyedMinor: Number.POSITIVE_INFINITY }, code: 'validation.failed' },
      { what: 'BigInt amount', name: 'charges.rekey', input: { chargeId: 1, rekeyedMinor: 12800n }, code: 'validation.failed' },
      { what: 'a Date for a string', name: 'adjust.find', input: { query: new Date(0) }, code: 'validation.failed' },
    );
  }
  return calls;
}

/** PINs that break a PIN rule: refused by the core (auth.weak_pin) before anything is stored. */
export const WEAK_PINS: { pin: string; rule: string }[] = [
  { pin: '48291', rule: 'too_short' },
  { pin: '4829150372615', rule: 'too_long' },
  { pin: '111111', rule: 'all_same' },
  { pin: '123456', rule: 'sequence' },
  { pin: '654321', rule: 'sequence' },
  { pin: '48291a', rule: 'not_digits' },
  { pin: '４８２９１５', rule: 'not_digits' }, // full-width digits
  { pin: '4829 15', rule: 'not_digits' },
  { pin: '4829\u000015', rule: 'not_digits' },
];

/** Manager / owner commands with VALID input: refused by permission for whoever may not use them. */
export const MANAGER_CALLS: AbuseCall[] = [
  { what: 'void preview', name: 'adjust.preview', input: { chargeId: 1 }, code: 'auth.required' },
  { what: 'void', name: 'adjust.execute', input: validExecute, code: 'auth.required' },
  { what: 'counter settings', name: 'settings.counter.update', input: { blindRekey: true }, code: 'auth.required' },
  { what: 'settle', name: 'batch.settle', input: {}, code: 'auth.required' },
  { what: 'printer settings', name: 'printers.configure', input: { receiptLocale: 'en' }, code: 'auth.required' },
  { what: 'remove a printer', name: 'printers.remove', input: { printerId: 'pdf' }, code: 'auth.required' },
  { what: 'export', name: 'export.start', input: { from: '2026-01-01', to: '2026-01-31', format: 'csv', folder: '/tmp' }, code: 'auth.required' },
  { what: 'file chooser', name: 'files.choose', input: { kind: 'folder' }, code: 'auth.required' },
];
export const OWNER_CALLS: AbuseCall[] = [
  { what: 'create a manager', name: 'auth.createUser', input: { name: 'Mallory', role: 'manager', pin: '495038' }, code: 'auth.required' },
  { what: 'create a cashier', name: 'auth.createUser', input: { name: 'Mallory', role: 'cashier', pin: '495038' }, code: 'auth.required' },
];

export const OWNER = { name: 'Lin Wei', pin: '482915' };
export const MANAGER = { name: 'Zhang Min', pin: '735102' };

/** Every row of every table, hashed: equal fingerprints = nothing was recorded. */
export function dbFingerprint(file: string): { hash: string; auditRows: number } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((t) => t.name);
    const h = createHash('sha256');
    for (const t of tables) {
      h.update(`${t}\n`);
      for (const row of db.prepare(`SELECT * FROM "${t.replace(/"/g, '""')}"`).all()) h.update(JSON.stringify(row, (_k, v) => (Buffer.isBuffer(v) ? v.toString('hex') : v)) + '\n');
    }
    const auditRows = tables.includes('audit_log') ? (db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n : -1;
    return { hash: h.digest('hex'), auditRows };
  } finally {
    db.close();
  }
}

/** Nothing on Object.prototype that was not there before (no pollution). */
export function prototypeIsClean(): boolean {
  const probe = {} as Record<string, unknown>;
  return probe.isAdmin === undefined && probe.polluted === undefined && Object.keys(Object.prototype).length === 0;
}
