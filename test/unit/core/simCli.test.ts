/**
 * `countersign sim on|off` against a running host: a manager's action, so the CLI signs a manager in
 * on its connection first — the name from --user / COUNTERSIGN_MANAGER, the PIN only from
 * COUNTERSIGN_MANAGER_PIN or a prompt, never from the command line.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createInProcessApi } from '../../../electron/core/inProcessApi.js';
import { silentLogger } from '../../../electron/core/logger.js';
import { HOST_FILE } from '../../../electron/core/paths.js';
import { startCore, type RunningCore } from '../../../electron/core/startCore.js';
import { startBrowserHost, type BrowserHost } from '../../../electron/host/browserHost.js';
import { MANAGER_NAME_ENV, MANAGER_PIN_ENV, runSim } from '../../../electron/host/commands/sim.js';

let core: RunningCore | null = null;
let host: BrowserHost | null = null;
afterEach(async () => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  await host?.close();
  await core?.close();
  host = null;
  core = null;
});

async function running() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cs-simcli-'));
  core = await startCore({ dataDir, log: silentLogger, backend: 'simulator', simStatusIntervalMs: 0, durability: 'demo', backups: { enabled: false } });
  await createInProcessApi(core.api, 'setup').invoke('auth.setupOwner', { ownerName: 'Wang', ownerPin: '482916', managerName: 'Li', managerPin: '739105' });
  const rendererDir = mkdtempSync(path.join(os.tmpdir(), 'cs-simcli-r-'));
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Countersign</title>');
  host = await startBrowserHost({ core: core.api, rendererDir, port: 0, log: { info() {}, warn() {} } });
  writeFileSync(path.join(dataDir, HOST_FILE), JSON.stringify({ port: host.port, token: host.token, pid: process.pid }));
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  return { dataDir, core };
}

const simulatorAudit = (c: RunningCore) =>
  c.ledger.auditRows(1, 10_000).filter((r) => r.action.startsWith('terminal.simulator_')).map((r) => `${r.actor} ${r.action}`);

describe('countersign sim on|off', () => {
  it('refuses a PIN on the command line before connecting to anything', async () => {
    const { dataDir, core: c } = await running();
    await expect(runSim(['off', '--data', dataDir, '--user', 'Li', '--pin', '739105'])).rejects.toThrow(/never taken on the command line/);
    await expect(runSim(['off', '--data', dataDir, '--pin=739105'])).rejects.toThrow(/never taken on the command line/);
    expect(simulatorAudit(c)).toEqual([]);
  });

  it('without a PIN and no terminal to prompt on, it says how to give one; nothing changes', async () => {
    const { dataDir, core: c } = await running();
    vi.stubEnv(MANAGER_PIN_ENV, undefined);
    await expect(runSim(['on', '--data', dataDir, '--user', 'Li'])).rejects.toThrow(new RegExp(MANAGER_PIN_ENV));
    expect(simulatorAudit(c)).toEqual([]);
  });

  it('a wrong PIN or a cashier name is refused; the manager from the environment switches it, audited by name', async () => {
    const { dataDir, core: c } = await running();
    vi.stubEnv(MANAGER_NAME_ENV, 'Li');
    vi.stubEnv(MANAGER_PIN_ENV, '000000');
    await expect(runSim(['on', '--data', dataDir])).rejects.toThrow();
    await expect(runSim(['on', '--data', dataDir, '--user', 'Nobody'])).rejects.toThrow(/not a manager here/);
    expect(simulatorAudit(c)).toEqual([]);
    vi.stubEnv(MANAGER_PIN_ENV, '739105');
    await expect(runSim(['on', '--data', dataDir])).resolves.toBe(0);
    expect(simulatorAudit(c)).toEqual(['manager:Li terminal.simulator_on']);
    expect(c.terminal.simulator).not.toBeNull();
  });
});
