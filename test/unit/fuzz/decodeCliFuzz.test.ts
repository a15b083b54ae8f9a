/**
 * `countersign decode` fed garbage: the real CLI (built with the project's own build script into a
 * private folder, run through bin/countersign.mjs) gets random lines (not hex, odd digit counts,
 * control characters, invalid UTF-8, CRLF, valid reports and mutated ones, lines of megabytes). It
 * must never crash: exit 0, nothing on stderr, every stdout line one JSON event, a bad line named
 * by its number and never echoed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { createRng, type SimRng } from '../../../native/sim/rng.js';
import { encodeMessage } from '../../../native/link/codec.js';
import { encodeFrame } from '../../../native/link/framing.js';
import { bytesToReports } from '../../../native/link/reassembly.js';
import { ch, hex } from '../link/fixtures.js';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const dist = `.dist-decodefuzz-${process.pid}`;
const SEED = process.env.COUNTERSIGN_FUZZ_SEED ? Number(process.env.COUNTERSIGN_FUZZ_SEED) : 0xdec0de;
/** Marks garbage lines: it must never come back on stdout (bad lines are not echoed). */
const MARKER = 'QzxMARKq';

beforeAll(() => {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), 'node'], {
    cwd: root,
    env: { ...process.env, COUNTERSIGN_DIST: dist },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`build failed: ${r.stderr}`);
}, 120_000);
afterAll(() => rmSync(path.join(root, dist), { recursive: true, force: true }));

function runDecode(input: Buffer): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [path.join(root, 'bin', 'countersign.mjs'), 'decode'], {
      cwd: root,
      env: { ...process.env, COUNTERSIGN_DIST: dist },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ms: performance.now() - t0 }),
    );
    child.stdin.on('error', () => undefined); // the child may be gone already: its exit code tells
    child.stdin.end(input);
  });
}

const HEXCHARS = '0123456789abcdefABCDEF';

function garbageLine(rng: SimRng, validReports: string[]): string | Buffer {
  const kind = rng.int(0, 11);
  const hexOf = (n: number) => Array.from({ length: n }, () => HEXCHARS[rng.int(0, 21)]).join('');
  switch (kind) {
    case 0: // not hex at all
      return `${MARKER}${Array.from({ length: rng.int(0, 80) }, () => String.fromCharCode(rng.int(0x20, 0x7e))).join('')}`;
    case 1: // odd number of hex digits
      return hexOf(rng.int(0, 70) * 2 + 1);
    case 2: // random bytes as hex: any report, valid or not
      return hexOf(rng.int(0, 140) * 2);
    case 3: // a real report
      return rng.pick(validReports);
    case 4: {
      // a real report with one hex digit changed, or with spaces and upper case
      const r = rng.pick(validReports).split('');
      const i = rng.int(0, r.length - 1);
      r[i] = HEXCHARS[rng.int(0, 21)]!;
      return rng.next() < 0.5 ? r.join('') : r.join('').toUpperCase().replace(/(..)/g, '$1 ');
    }
    case 5: // control characters, tabs, CR, NUL
      return `${hexOf(4)}\t${MARKER}\u0000\r\u001b[2J${hexOf(3)}`;
    case 6: // invalid UTF-8 bytes in the middle of hex
      return Buffer.concat([Buffer.from(hexOf(6)), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(MARKER)]);
    case 7: // unicode: full-width digits, Chinese, emoji
      return `０１２３${MARKER}老街面馆😀${hexOf(2)}`;
    case 8: // only whitespace / empty
      return rng.pick(['', ' ', '\t\t', '   \r']);
    case 9: // hex with a 0x prefix or separators
      return `0x${hexOf(8)}:${hexOf(4)}-${MARKER}`;
    case 10: // a long but sane line: many reports glued together (an oversized report)
      return validReports.slice(0, rng.int(2, 8)).join('');
    default: // hex digits that are almost right: g-z letters
      return `${hexOf(10)}g${hexOf(9)}`;
  }
}

describe('countersign decode with garbage input', () => {
  const validReports = (() => {
    const out: string[] = [];
    for (let i = 1; i <= 40; i++) out.push(...bytesToReports(encodeFrame(encodeMessage(ch(String(i).padStart(6, '0'), { TR: String(i).padStart(6, '0') })))).map(hex));
    return out;
  })();

  it('20,000 random lines: exit 0, no stderr, one JSON event a line, bad lines named by number and never echoed', async () => {
    const rng = createRng(SEED);
    const parts: Buffer[] = [];
    let lines = 0;
    for (let i = 0; i < 20_000; i++) {
      const l = garbageLine(rng, validReports);
      parts.push(typeof l === 'string' ? Buffer.from(l) : l, Buffer.from(rng.next() < 0.1 ? '\r\n' : '\n'));
      lines++;
    }
    const r = await runDecode(Buffer.concat(parts));
    console.log(`decode CLI fuzz: seed=${SEED} lines=${lines} exit=${r.code} events=${r.stdout.split('\n').length - 1} time=${r.ms.toFixed(0)}ms`);
    expect(r.signal).toBeNull();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    checkOutput(r.stdout, lines);
  }, 120_000);

  it('huge lines (megabytes of hex, of non-hex, of odd length) and no final newline: exit 0', async () => {
    const rng = createRng(SEED ^ 0xbeef);
    const bigHex = Buffer.alloc(8 * 1024 * 1024, 'ab');
    const bigText = Buffer.alloc(4 * 1024 * 1024, `${MARKER} `);
    const bigOdd = Buffer.concat([Buffer.alloc(2 * 1024 * 1024, '0f'), Buffer.from('1')]);
    const input = Buffer.concat([
      Buffer.from(validReports.slice(0, 4).join('\n') + '\n'),
      bigHex,
      Buffer.from('\n'),
      bigText,
      Buffer.from('\n'),
      bigOdd,
      Buffer.from('\n'),
      Buffer.from(garbageLine(rng, validReports)),
      Buffer.from('\n' + validReports.slice(4, 8).join('\n')), // no newline at the very end
    ]);
    const r = await runDecode(input);
    console.log(`decode CLI huge lines: ${(input.length / 1e6).toFixed(1)} MB exit=${r.code} time=${r.ms.toFixed(0)}ms`);
    expect(r.signal).toBeNull();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const events = checkOutput(r.stdout, 8);
    // the oversized lines are bad reports; the frame around them is still judged
    expect(events.filter((e) => e.event === 'error' && e.code === 'report').length).toBeGreaterThanOrEqual(3);
    expect(r.stdout).toContain('line 6: characters that are not hex digits');
    expect(r.stdout).toContain('line 7: an odd number of hex digits');
  }, 120_000);
});

type Event = { event: string; code?: string; detail?: string; hex?: string };

function checkOutput(stdout: string, maxLine: number): Event[] {
  expect(stdout.endsWith('\n') || stdout === '').toBe(true);
  expect(stdout).not.toContain(MARKER);
  const events: Event[] = [];
  for (const line of stdout.split('\n').slice(0, -1)) {
    const e = JSON.parse(line) as Event;
    expect(['send', 'message', 'error']).toContain(e.event);
    if (e.event === 'error') {
      expect(['lrc', 'length', 'etx', 'report', 'format', 'missing-field', 'duplicate-field', 'pan-unmasked']).toContain(e.code);
      const m = /^line (\d+): /.exec(e.detail ?? '');
      if (m) expect(Number(m[1])).toBeGreaterThanOrEqual(1);
      if (m && maxLine < 100) expect(Number(m[1])).toBeLessThanOrEqual(maxLine + 4);
    }
    events.push(e);
  }
  return events;
}
