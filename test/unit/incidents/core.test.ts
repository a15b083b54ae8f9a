/**
 * The incident log through the core (startCore, the contract's dispatcher, the simulated terminal):
 * who may take which step, the void on the terminal, evidence copied into the data folder, the
 * export started from a screen and its events.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiEvent, CountersignApi } from '../../../electron/contract/api.js';
import { createInProcessApi } from '../../../electron/core/inProcessApi.js';
import { silentLogger } from '../../../electron/core/logger.js';
import { startCore, type RunningCore } from '../../../electron/core/startCore.js';
import { verifyExport } from '../../../electron/export/manifest.js';

let core: RunningCore | null = null;
afterEach(async () => {
  await core?.close();
  core = null;
});

async function boot(dialogs: { choose(kind: 'folder' | 'file'): Promise<string | null> } | null = null) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cs-incidents-core-'));
  core = await startCore({
    dataDir,
    log: silentLogger,
    backend: 'simulator',
    simStatusIntervalMs: 0,
    sessionTuning: { responseTimeoutMs: 300, ackTimeoutMs: 150, pollIntervalMs: 50 },
    dialogs,
  });
  const events: ApiEvent[] = [];
  core.api.subscribe((e) => events.push(e));
  return { core, dataDir, events, manager: createInProcessApi(core.api, 'manager-desk'), cashier: createInProcessApi(core.api, 'counter') };
}

async function signInOwner(api: CountersignApi) {
  await api.invoke('auth.setupOwner', { ownerName: 'Wang', ownerPin: '482916', managerName: 'Li', managerPin: '739105' });
}

/** A charge through the simulated terminal, flagged by the cashier: its incident. */
async function flaggedIncident(running: RunningCore, cashier: CountersignApi, amountMinor: number, intendedMinor: number) {
  const sim = running.terminal.simulator!;
  const made = sim.createCharge({ amountMinor });
  await made.delivered;
  const charge = running.ledger.history({ limit: 1000 }).find((c) => c.trace === made.trace)!;
  return (await cashier.invoke('charges.flag', { chargeId: charge.id, intendedMinor, cause: 'operator_error' })).incident;
}

describe('incident steps through the core', () => {
  it('the cashier takes the steps anyone may; manager steps need a manager; the void runs on the terminal and is linked', async () => {
    const { core: running, manager, cashier, events } = await boot();
    await signInOwner(manager);
    const incident = await flaggedIncident(running, cashier, 128000, 12800);
    await cashier.invoke('incidents.step', { id: incident.id, action: 'start_verification' });
    await cashier.invoke('incidents.step', { id: incident.id, action: 'propose_resolution', resolution: 'void', amountMinor: 128000, note: 'void the slip' });
    await cashier.invoke('incidents.step', { id: incident.id, action: 'submit_for_review' });
    await expect(cashier.invoke('incidents.step', { id: incident.id, action: 'approve' })).rejects.toMatchObject({ code: 'auth.required' });
    await expect(cashier.invoke('incidents.step', { id: incident.id, action: 'reject', reason: 'x' })).rejects.toMatchObject({ code: 'auth.required' });
    const approved = await manager.invoke('incidents.step', { id: incident.id, action: 'approve' });
    expect(approved.status).toBe('approved');
    expect(approved.steps.map((s) => [s.action, s.managerOnly])).toEqual([
      ['execute', true],
      ['mark_unreachable', true],
    ]);
    // The state machine refuses an illegal step with its code, through the contract.
    await expect(manager.invoke('incidents.step', { id: incident.id, action: 'close', rootCause: 'x', prevention: 'none' })).rejects.toMatchObject({
      code: 'incident.not_allowed_from_status',
      params: { status: 'approved' },
    });
    // A step's input is checked at the boundary: a reason is required, amounts are integers.
    await expect(manager.invoke('incidents.step', { id: incident.id, action: 'reject', reason: '  ' })).rejects.toMatchObject({ code: 'validation.failed' });
    await expect(manager.invoke('incidents.step', { id: incident.id, action: 'execute', method: 'transfer', amountMinor: 1.5 })).rejects.toMatchObject({
      code: 'validation.failed',
    });

    const executed = await manager.invoke('incidents.step', { id: incident.id, action: 'execute', method: 'terminal' });
    expect(executed).toMatchObject({ status: 'executed', returnedMinor: 128000, resolution: 'void' });
    expect(executed.adjustments).toEqual([expect.objectContaining({ kind: 'void', state: 'approved', amountMinor: 128000, incidentId: incident.id, requestedBy: 'owner:Wang' })]);
    expect(executed.events.at(-1)).toMatchObject({ action: 'execute', actor: 'owner:Wang', data: { method: 'adjustment', adjustmentKind: 'void' } });
    expect(running.terminal.simulator!.executed.filter((e) => e.type === 'VD')).toHaveLength(1);
    // The incident the cashier's flag opened was pushed to the list too.
    expect(events.filter((e) => e.name === 'incident.changed').map((e) => (e.payload as { status: string }).status)).toEqual([
      'open',
      'verifying',
      'resolution_proposed',
      'manager_review',
      'approved',
      'executed',
    ]);
    // The cashier sees the contact masked, the manager in full.
    await cashier.invoke('incidents.setContact', { id: incident.id, channel: 'phone', value: '13812345678' });
    expect((await cashier.invoke('incidents.get', { id: incident.id })).contact).toBeNull();
    expect((await cashier.invoke('incidents.get', { id: incident.id })).contactMasked).toBe('138****5678');
    expect((await manager.invoke('incidents.get', { id: incident.id })).contact).toEqual({ name: null, channel: 'phone', value: '13812345678' });
    expect(await manager.invoke('audit.verify', {})).toMatchObject({ ok: true });
  });

  it('evidence: a real file is copied into evidence/<incident>/<sha256>.<ext>; bad paths are refused with specific errors', async () => {
    const { core: running, dataDir, manager, cashier } = await boot();
    await signInOwner(manager);
    const incident = await flaggedIncident(running, cashier, 5000, 0);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cs-evidence-src-'));
    const file = path.join(dir, '小票 photo.PNG');
    const bytes = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.alloc(300_000, 7)]);
    writeFileSync(file, bytes);
    const sha = createHash('sha256').update(bytes).digest('hex');

    await expect(cashier.invoke('incidents.addEvidence', { id: incident.id, path: file })).rejects.toMatchObject({ code: 'auth.required' });
    const d = await manager.invoke('incidents.addEvidence', { id: incident.id, path: file, note: 'the till slip' });
    expect(d.evidence).toEqual([expect.objectContaining({ sha256: sha, sizeBytes: bytes.length, originalName: '小票 photo.PNG', ext: 'png', storedPath: `evidence/${incident.id}/${sha}.png` })]);
    const stored = path.join(dataDir, 'evidence', String(incident.id), `${sha}.png`);
    expect(readFileSync(stored).equals(bytes)).toBe(true);
    expect(readdirSync(path.dirname(stored))).toEqual([`${sha}.png`]);
    // The same file again: refused, and the stored copy stays.
    await expect(manager.invoke('incidents.addEvidence', { id: incident.id, path: file })).rejects.toMatchObject({ code: 'incident.evidence_duplicate' });
    expect(existsSync(stored)).toBe(true);

    const codeOf = async (p: string) => (await manager.invoke('incidents.addEvidence', { id: incident.id, path: p }).catch((e: { code: string }) => e)) as { code: string };
    expect((await codeOf('relative/receipt.jpg')).code).toBe('incident.evidence_path');
    expect((await codeOf(path.join(dir, 'missing.jpg'))).code).toBe('incident.evidence_missing');
    expect((await codeOf(dir)).code).toBe('incident.evidence_not_file');
    writeFileSync(path.join(dir, 'empty.jpg'), '');
    expect((await codeOf(path.join(dir, 'empty.jpg'))).code).toBe('incident.evidence_empty');
    writeFileSync(path.join(dir, 'script.sh'), 'echo hi');
    expect((await codeOf(path.join(dir, 'script.sh'))).code).toBe('incident.evidence_type');
    symlinkSync(file, path.join(dir, 'link.png'));
    expect((await codeOf(path.join(dir, 'link.png'))).code).toBe('incident.evidence_not_file');
    writeFileSync(path.join(dir, 'huge.pdf'), Buffer.alloc(25 * 1024 * 1024 + 1));
    expect((await codeOf(path.join(dir, 'huge.pdf'))).code).toBe('incident.evidence_too_large');
    // Nothing half-copied stays behind.
    expect(readdirSync(path.dirname(stored))).toEqual([`${sha}.png`]);
  });
});

describe('the export through the core', () => {
  it('files.choose: the native dialog in the desktop shell, `supported: false` in the browser host', async () => {
    const chosen: string[] = [];
    const { manager } = await boot({
      choose: async (kind) => {
        chosen.push(kind);
        return '/home/shop/exports';
      },
    });
    await signInOwner(manager);
    expect(await manager.invoke('files.choose', { kind: 'folder' })).toEqual({ supported: true, path: '/home/shop/exports' });
    expect(chosen).toEqual(['folder']);
    await core!.close();
    core = null;
    const host = await boot(null);
    await signInOwner(host.manager);
    expect(await host.manager.invoke('files.choose', { kind: 'folder' })).toEqual({ supported: false, path: null });
  });

  it('a manager starts it; progress and the end are pushed; the folder is ours, inside the chosen one; it is audited', async () => {
    const { core: running, manager, cashier, events } = await boot();
    await signInOwner(manager);
    await flaggedIncident(running, cashier, 128000, 12800);
    await flaggedIncident(running, cashier, 5600, 0);
    const folder = mkdtempSync(path.join(os.tmpdir(), 'cs-export-core-'));
    const today = new Date();
    const day = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
    await expect(cashier.invoke('export.start', { from: day, to: day, format: 'all', folder, locale: 'zh-CN' })).rejects.toMatchObject({ code: 'auth.required' });
    await expect(manager.invoke('export.start', { from: day, to: day, format: 'all', folder: 'exports', locale: 'en' })).rejects.toMatchObject({ code: 'export.invalid_folder' });
    await expect(manager.invoke('export.start', { from: day, to: day, format: 'all', folder: path.join(folder, 'nope'), locale: 'en' })).rejects.toMatchObject({
      code: 'export.folder_missing',
    });
    const { exportId } = await manager.invoke('export.start', { from: day, to: day, format: 'all', folder, locale: 'zh-CN' });
    await expect(manager.invoke('export.start', { from: day, to: day, format: 'csv', folder, locale: 'en' })).rejects.toMatchObject({ code: 'export.busy' });
    for (let i = 0; i < 400 && !events.some((e) => e.name === 'export.finished'); i++) await new Promise((r) => setTimeout(r, 25));
    const finished = events.find((e) => e.name === 'export.finished')!.payload as { state: string; folder: string; files: { name: string }[]; incidents: number };
    expect(finished).toMatchObject({ exportId, state: 'done', incidents: 2 });
    expect(path.dirname(finished.folder)).toBe(folder);
    expect(path.basename(finished.folder)).toMatch(/^countersign-incidents-\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}-\d{8}T\d{9}Z$/);
    expect(finished.files.map((f) => f.name)).toEqual(['incident-events.csv', 'incidents.csv', 'incidents.json', 'incidents.pdf', 'manifest.json']);
    expect(events.filter((e) => e.name === 'export.progress').length).toBeGreaterThan(0);
    expect(await verifyExport(finished.folder)).toMatchObject({ ok: true, files: 4 });
    expect(await manager.invoke('export.status', {})).toMatchObject({ running: null, last: { exportId, state: 'done' } });
    const audited = running.ledger.auditRows(1, 1000).find((r) => r.action === 'incidents.exported')!;
    expect(audited).toMatchObject({ actor: 'owner:Wang', data: { from: day, to: day, incidents: 2, folder: finished.folder } });
  });
});
