/**
 * Manager mode and the incident screens: what the dashboard and the export panel fetch by
 * themselves must not keep a manager signed in; what a person does on the incident screen does.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PASSIVE_COMMANDS } from '../../../electron/contract/commands/auth.js';
import { createInProcessApi } from '../../../electron/core/inProcessApi.js';
import type { Logger } from '../../../electron/core/logger.js';
import { startCore, type RunningCore } from '../../../electron/core/startCore.js';

const START = Date.parse('2026-03-10T02:00:00.000Z');
const IDLE_MS = 60_000;
const quiet: Logger = { info() {}, warn() {}, error() {} };

let running: RunningCore | null = null;
afterEach(async () => {
  await running?.close();
  running = null;
});

async function signedInManager() {
  let now = START;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cs-passive-'));
  const core = await startCore({ dataDir, log: quiet, backend: 'simulator', simStatusIntervalMs: 0, clock: () => new Date(now), durability: 'demo', managerIdleMs: IDLE_MS });
  running = core;
  const office = createInProcessApi(core.api, 'office');
  await office.invoke('auth.setupOwner', { ownerName: 'Lin Wei', ownerPin: '482915', managerName: 'Zhang Min', managerPin: '735102' });
  const till = createInProcessApi(core.api, 'till');
  const managerId = (await till.invoke('auth.status', {})).users.find((u) => u.name === 'Zhang Min')!.id;
  await till.invoke('auth.signIn', { userId: managerId, pin: '735102' });
  return { till, advance: (ms: number) => (now += ms) };
}

describe('incident screens and manager mode', () => {
  it('the dashboard and the export status are passive; listing or opening incidents is not', () => {
    expect(PASSIVE_COMMANDS.has('incidents.dashboard')).toBe(true);
    expect(PASSIVE_COMMANDS.has('export.status')).toBe(true);
    expect(PASSIVE_COMMANDS.has('incidents.approvalPolicy')).toBe(true);
    expect(PASSIVE_COMMANDS.has('incidents.setSelfApproval')).toBe(false);
    for (const active of ['incidents.list', 'incidents.get', 'incidents.step', 'export.start', 'export.cancel']) expect(PASSIVE_COMMANDS.has(active), active).toBe(false);
  });

  it('a dashboard left open re-reading itself does not keep the manager signed in', async () => {
    const { till, advance } = await signedInManager();
    // The screen re-reads every 10 s (far more often than a real shop's incidents change).
    for (let elapsed = 10_000; elapsed < IDLE_MS; elapsed += 10_000) {
      advance(10_000);
      await till.invoke('incidents.dashboard', { weeks: 8 });
      await till.invoke('export.status', {});
      await till.invoke('incidents.approvalPolicy', {});
      expect((await till.invoke('auth.status', {})).session, `after ${elapsed} ms`).not.toBeNull();
    }
    advance(10_000);
    await till.invoke('incidents.dashboard', { weeks: 8 });
    expect((await till.invoke('auth.status', {})).session).toBeNull();
  });

  it('a manager working through the incident list stays signed in', async () => {
    const { till, advance } = await signedInManager();
    for (let i = 0; i < 4; i++) {
      advance(50_000);
      await till.invoke('incidents.list', { limit: 50 });
    }
    expect((await till.invoke('auth.status', {})).session).not.toBeNull();
  });
});
