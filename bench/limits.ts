/**
 * The physical limits of this machine, measured in the same run as everything they are compared
 * with: one fsync of a small write in the data folder (the floor under every durable commit), a
 * sequential write (the floor under an export), a bare Node.js process start (the floor under the
 * host's start), and the 1 ms full-speed USB HID polling interval (a constant of the bus). The
 * animation frame is measured in Chromium (see browser.ts).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { summarize, type Figure } from './figures.js';

/** Full-speed USB: the host polls an interrupt endpoint at most once per frame (1 ms). */
export const HID_INTERVAL_MS = 1;
/** One input report per poll: 64 bytes, 63 of them data (CP2110). */
export const HID_REPORTS_PER_SECOND = 1000;

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

/** One fsync after a small append, `runs` times. */
export function measureFsync(dir: string, runs = 300): number[] {
  const file = path.join(dir, `fsync-probe-${process.pid}`);
  const fd = openSync(file, 'w');
  const times: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      writeSync(fd, `probe ${i} ${'x'.repeat(100)}\n`);
      const t0 = nowMs();
      fsyncSync(fd);
      times.push(nowMs() - t0);
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  return times;
}

/** MB/s (10^6 bytes) of a sequential write of `mb` MB in 1 MB chunks, fsynced at the end. */
export function measureSequentialWrite(dir: string, mb = 128): number {
  const file = path.join(dir, `write-probe-${process.pid}`);
  const chunk = Buffer.alloc(1_000_000, 0x5a);
  const fd = openSync(file, 'w');
  try {
    const t0 = nowMs();
    for (let i = 0; i < mb; i++) writeSync(fd, chunk);
    fsyncSync(fd);
    return mb / ((nowMs() - t0) / 1000);
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
}

/** Wall time of `node -e ''` (spawn to exit), `runs` times. */
export function measureNodeStart(runs = 7): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = nowMs();
    const r = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`node -e '' exited with ${r.status}`);
    times.push(nowMs() - t0);
  }
  return times;
}

export function limitFigures(dataDir: string): Figure[] {
  const fsync = summarize(measureFsync(dataDir));
  const write = [measureSequentialWrite(dataDir), measureSequentialWrite(dataDir), measureSequentialWrite(dataDir)].sort((a, b) => a - b)[1]!;
  const node = summarize(measureNodeStart());
  return [
    { id: 'limit.fsync.p50', name: 'limit: fsync of a small write, p50', value: fsync.p50, unit: 'ms', note: `${fsync.n} fsyncs in the bench's data folder (under ${path.dirname(path.dirname(dataDir))}, where every part keeps its ledgers)` },
    { id: 'limit.fsync.p99', name: 'limit: fsync of a small write, p99', value: fsync.p99, unit: 'ms' },
    { id: 'limit.hid', name: 'limit: full-speed USB HID polling interval', value: HID_INTERVAL_MS, unit: 'ms', note: 'a constant of the bus: one 64-byte report per 1 ms frame' },
    { id: 'limit.write', name: 'limit: sequential write + fsync (median of 3 × 128 MB)', value: write, unit: 'MB/s' },
    { id: 'limit.node', name: 'limit: bare Node.js process start (node -e "", median of 7)', value: node.p50, unit: 'ms' },
  ];
}
