/**
 * API abuse over Electron IPC: the real main-process handler (electron mocked, as in
 * test/unit/shell/main.test.ts) over a REAL core with the simulated terminal in a temp data
 * folder. Values over IPC are structured clones, not JSON: NaN, Infinity, BigInt and Dates can
 * arrive too. Every abusive call is refused with a clear code, nothing is recorded, and the
 * handler keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ledgerPath } from '../../../electron/core/paths.js';
import { MANAGER, MANAGER_CALLS, OWNER, OWNER_CALLS, WEAK_PINS, dbFingerprint, malformedCalls, prototypeIsClean, type AbuseCall } from './apiAbuse.js';

type Handler = (...args: any[]) => any;
let ipcHandler: Handler | undefined;
const appHandlers = new Map<string, Handler>();
const WINDOW_ID = 3;

vi.mock('electron', () => {
  class BrowserWindow {
    static getFocusedWindow() {
      return null;
    }
    static getAllWindows() {
      return [];
    }
    webContents = { id: WINDOW_ID, send: () => undefined };
    once() {}
    on() {}
    async loadURL() {}
    isMinimized() {
      return false;
    }
    restore() {}
    focus() {}
  }
  return {
    app: {
      requestSingleInstanceLock: () => true,
      quit: () => undefined,
      exit: () => undefined,
      on: (name: string, handler: Handler) => appHandlers.set(name, handler),
      whenReady: async () => undefined,
      getPath: () => os.tmpdir(),
    },
    BrowserWindow,
    ipcMain: { handle: (_channel: string, handler: Handler) => (ipcHandler = handler) },
    net: { fetch: async () => new Response('') },
    protocol: { registerSchemesAsPrivileged: () => undefined, handle: () => undefined },
    session: {
      defaultSession: {
        setPermissionRequestHandler: () => undefined,
        setPermissionCheckHandler: () => undefined,
        webRequest: { onHeadersReceived: () => undefined },
      },
    },
    dialog: { showErrorBox: () => undefined, showOpenDialog: async () => ({ canceled: true, filePaths: [] }) },
  };
});

let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'cs-ipcabuse-'));
  process.env.COUNTERSIGN_DATA_DIR = dataDir;
  process.env.COUNTERSIGN_BACKEND = 'simulator';
  process.env.COUNTERSIGN_SIM_STATUS_MS = '0';
  await import('../../../electron/shell/main.js');
  await vi.waitFor(() => expect(ipcHandler).toBeDefined(), { timeout: 15_000 });
}, 30_000);
afterAll(async () => {
  await appHandlers.get('window-all-closed')?.();
  delete process.env.COUNTERSIGN_DATA_DIR;
  delete process.env.COUNTERSIGN_BACKEND;
  delete process.env.COUNTERSIGN_SIM_STATUS_MS;
});

const trusted = { sender: { id: WINDOW_ID }, senderFrame: { url: 'app://countersign/index.html' } };

/** One call through the real IPC handler: the result, or the error shape it threw. */
async function invoke(name: unknown, input: unknown): Promise<{ result?: any; error?: { code: string; message: string; params?: Record<string, string> } }> {
  try {
    return { result: await ipcHandler!(trusted, name, input) };
  } catch (error) {
    return { error: JSON.parse((error as Error).message) };
  }
}

const fingerprint = () => dbFingerprint(ledgerPath(dataDir));
const settle = () => new Promise((r) => setTimeout(r, 50));

async function expectRefused(calls: AbuseCall[]) {
  for (const c of calls) {
    const reply = await invoke(c.name, c.input);
    expect([c.what, reply.error?.code ?? 'accepted']).toEqual([c.what, c.code]);
    expect(reply.error!.message.length, `${c.what}: the error does not echo a huge input`).toBeLessThan(2000);
  }
}

describe('Electron IPC abuse (real core)', () => {
  it('malformed, oversized, wrongly typed, polluted and non-JSON values: refused by schema, nothing recorded', async () => {
    expect((await invoke('status.get', {})).result).toMatchObject({ simulator: true });
    const before = fingerprint();
    await expectRefused(malformedCalls({ jsonSafe: false, hugeLength: 4 * 1024 * 1024 }));
    // far deeper than JSON could carry in 64 KiB
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    await expectRefused([{ what: '100,000 levels deep', name: 'charges.confirm', input: deep, code: 'validation.failed' }]);
    // what structured clone carries and JSON does not: Maps, Sets, typed arrays, Errors
    await expectRefused([
      { what: 'a Map for an object', name: 'charges.confirm', input: new Map([['chargeId', 1]]), code: 'validation.failed' },
      { what: 'a Set for an object', name: 'status.get', input: new Set([1]), code: 'validation.failed' },
      { what: 'bytes for a string', name: 'adjust.find', input: { query: new Uint8Array(8) }, code: 'validation.failed' },
      { what: 'an Error for an object', name: 'settings.counter.update', input: new Error('x'), code: 'validation.failed' },
    ]);
    expect(prototypeIsClean()).toBe(true);
    await settle();
    expect(fingerprint()).toEqual(before);
    expect((await invoke('status.get', {})).result).toMatchObject({ simulator: true });
  });

  it('roles: a cashier gets auth.required, a manager calling owner commands auth.forbidden; weak PINs auth.weak_pin; nothing recorded', async () => {
    let before = fingerprint();
    await expectRefused([...MANAGER_CALLS, ...OWNER_CALLS]);
    for (const { pin, rule } of WEAK_PINS) {
      const reply = await invoke('auth.setupOwner', { ownerName: OWNER.name, ownerPin: pin, managerName: MANAGER.name, managerPin: MANAGER.pin });
      expect([pin, reply.error?.code, reply.error?.params?.rule]).toEqual([pin, 'auth.weak_pin', rule]);
      expect(reply.error!.message).not.toContain(pin);
    }
    expect(fingerprint()).toEqual(before);

    // set the shop up (signs the owner in on this window), then sign out: the cashier again
    expect((await invoke('auth.setupOwner', { ownerName: OWNER.name, ownerPin: OWNER.pin, managerName: MANAGER.name, managerPin: MANAGER.pin })).error).toBeUndefined();
    expect((await invoke('auth.signOut', {})).error).toBeUndefined();
    await settle();
    before = fingerprint();
    await expectRefused([...MANAGER_CALLS, ...OWNER_CALLS]);
    await settle();
    expect(fingerprint()).toEqual(before);

    // the manager signed in on this window may not create users
    const status = (await invoke('auth.status', {})).result as { users: { id: number; role: string }[] };
    const managerId = status.users.find((u) => u.role === 'manager')!.id;
    expect((await invoke('auth.signIn', { userId: managerId, pin: MANAGER.pin })).error).toBeUndefined();
    await settle();
    before = fingerprint();
    await expectRefused(OWNER_CALLS.map((c) => ({ ...c, code: 'auth.forbidden' })));
    expect(fingerprint()).toEqual(before);
    // a manager command with valid input now passes the permission check (and fails on the data)
    const preview = await invoke('adjust.preview', { chargeId: 424242 });
    expect(preview.error?.code).not.toMatch(/^auth\./);
  });
});
