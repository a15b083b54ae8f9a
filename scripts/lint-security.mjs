// `npm run lint:security`: Electronegativity (@doyensec/electronegativity) over the app's source.
//
// Fails when a HIGH or MEDIUM finding is not in build/electronegativity-accepted.json (each entry
// says why it is accepted), when an accepted entry no longer matches anything (the list must stay
// true), or when a source file cannot be parsed (its findings would silently vanish).
//
// Offline by design: the check that downloads Electron's release list
// (AVAILABLE_SECURITY_FIXES_GLOBAL_CHECK) is skipped, and the Electron version is the installed
// one. (The tool still tries to fetch updated translations once, with a 1 s timeout.)
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(path.join(root, 'package.json'));
const SOURCES = ['electron', 'renderer', 'native', 'build', 'package.json'];
const ACCEPTED_FILE = path.join(root, 'build', 'electronegativity-accepted.json');
const EXCLUDED_CHECKS = ['availablesecurityfixesglobalcheck'];

const accepted = JSON.parse(readFileSync(ACCEPTED_FILE, 'utf8')).accepted;
const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;

// Scan a copy of the source only: no build output, no node_modules, nothing another build left.
const scanDir = mkdtempSync(path.join(os.tmpdir(), 'countersign-electronegativity-'));
for (const entry of SOURCES) cpSync(path.join(root, entry), path.join(scanDir, entry), { recursive: true });

const started = Date.now();
let result;
try {
  const run = require('@doyensec/electronegativity');
  result = await (run.default ?? run)(
    { input: scanDir, isRelative: true, excludeFromScan: EXCLUDED_CHECKS, electronVersionOverride: electronVersion },
    false,
  );
} finally {
  rmSync(scanDir, { recursive: true, force: true });
}

const sev = (i) => i.severity.name;
const norm = (s) => String(s ?? '').replace(/\s+/g, ' ').trim();
const keyOf = (i) => `${i.id} ${i.file} ${norm(i.sample)}`;
const acceptedKeys = new Map(accepted.map((a) => [`${a.id} ${a.file} ${norm(a.sample)}`, a]));

const bySeverity = {};
for (const i of result.issues) bySeverity[sev(i)] = (bySeverity[sev(i)] ?? 0) + 1;
const serious = result.issues.filter((i) => sev(i) === 'HIGH' || sev(i) === 'MEDIUM');
const unexplained = serious.filter((i) => !acceptedKeys.has(keyOf(i)));
const found = new Set(serious.map(keyOf));
const stale = accepted.filter((a) => !found.has(`${a.id} ${a.file} ${norm(a.sample)}`));
const parseErrors = result.errors.filter((e) => !e.tolerable);

console.log(
  `electronegativity ${require('@doyensec/electronegativity/package.json').version}: ${result.atomicChecks} atomic + ${result.globalChecks} global checks, ` +
    `Electron ${electronVersion}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
console.log(`findings by severity: ${Object.entries(bySeverity).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
for (const i of result.issues) {
  const a = acceptedKeys.get(keyOf(i));
  const tag = sev(i) === 'HIGH' || sev(i) === 'MEDIUM' ? (a ? 'accepted' : 'NEW') : 'info';
  console.log(`  [${tag}] ${sev(i)} ${i.id} ${i.file}:${i.location.line}${a ? ` (${a.reason.split(':')[0].toLowerCase()})` : ''}`);
}

let failed = false;
if (parseErrors.length) {
  failed = true;
  for (const e of parseErrors) console.error(`lint:security: could not parse ${e.file}: ${e.message}`);
}
if (unexplained.length) {
  failed = true;
  console.error(`lint:security: ${unexplained.length} HIGH/MEDIUM finding(s) not explained in build/electronegativity-accepted.json:`);
  for (const i of unexplained) console.error(`  ${i.id} (${sev(i)}) ${i.file}:${i.location.line}: ${norm(i.sample)}\n    ${i.description}`);
  console.error('Fix them, or add an entry {id, file, sample, severity, reason} saying why the finding does not apply.');
}
if (stale.length) {
  failed = true;
  console.error(`lint:security: accepted entries that match no finding any more (remove them):`);
  for (const a of stale) console.error(`  ${a.id} ${a.file}: ${a.sample}`);
}
if (failed) process.exit(1);
console.log(`lint:security: ok (${serious.length} HIGH/MEDIUM, all explained; 0 new)`);
