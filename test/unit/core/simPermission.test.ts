/**
 * Switching the simulated terminal on or off replaces the terminal link (a real terminal is
 * disconnected): only a signed-in manager may do it; a cashier's screen is refused and nothing changes.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createInProcessApi } from '../../../electron/core/inProcessApi.js';
import { silentLogger } from '../../../electron/core/logger.js';
import { startCore, type RunningCore } from '../../../electron/core/startCore.js';

let running: RunningCore | null = null;
afterEach(async () => {
  await running?.close();
  running = null;
});

async function boot() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cs-simperm-'));
  running = await startCore({ dataDir, log: silentLogger, backend: 'simulator', simStatusIntervalMs: 0, durability: 'demo', backups: { enabled: false } });
  const office = createInProcessApi(running.api, 'office');
  await office.invoke('auth.setupOwner', { ownerName: 'Wang', ownerPin: '482916', managerName: 'Li', managerPin: '739105' });
  return { core: running, office, till: createInProcessApi(running.api, 'till') };
}

const simulatorAudit = (core: RunningCore) =>
  core.ledger.auditRows(1, 10_000).filter((r) => r.action.startsWith('terminal.simulator_')).map((r) => `${r.actor} ${r.action}`);

describe('sim.setEnabled', () => {
  it.each([false, true])('is refused to a cashier (enabled: %s): the link is untouched and nothing is audited', async (enabled) => {
    const { core, till } = await boot();
    const simulator = core.terminal.simulator;
    expect(simulator).not.toBeNull();
    await expect(till.invoke('sim.setEnabled', { enabled })).rejects.toMatchObject({ code: 'auth.required' });
    expect(core.terminal.simulator).toBe(simulator); // the same terminal, never restarted
    expect((await till.invoke('status.get', {})).simulator).toBe(true);
    expect(simulatorAudit(core)).toEqual([]);
  });

  it('is allowed to a signed-in manager, and audited under their name', async () => {
    const { core, till } = await boot();
    const users = (await till.invoke('auth.status', {})).users;
    const manager = users.find((u) => u.role === 'manager')!;
    await till.invoke('auth.signIn', { userId: manager.id, pin: '739105' });
    const status = await till.invoke('sim.setEnabled', { enabled: true });
    expect(status.simulator).toBe(true);
    expect(simulatorAudit(core)).toEqual(['manager:Li terminal.simulator_on']);
  });
});
