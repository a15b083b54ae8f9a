/**
 * API abuse over the browser host's WebSocket: a real host over a real core (simulated terminal)
 * in a temp data folder. Every malformed, oversized or out-of-role call gets a clear error code,
 * nothing is recorded (every row of every table is unchanged), and the host keeps serving. The
 * host listens on 127.0.0.1 only and refuses a wrong token, another origin and a foreign Host.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { startBrowserHost, isLoopbackAddress, type BrowserHost } from '../../../electron/host/browserHost.js';
import { startCore, type RunningCore } from '../../../electron/core/startCore.js';
import { createLogger } from '../../../electron/core/logger.js';
import { ledgerPath } from '../../../electron/core/paths.js';
import { MANAGER, MANAGER_CALLS, OWNER, OWNER_CALLS, WEAK_PINS, dbFingerprint, malformedCalls, prototypeIsClean, type AbuseCall } from './apiAbuse.js';

let dataDir: string;
let core: RunningCore;
let host: BrowserHost;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'cs-wsabuse-'));
  const rendererDir = mkdtempSync(path.join(os.tmpdir(), 'cs-wsabuse-r-'));
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Countersign</title>');
  const log = createLogger(dataDir);
  core = await startCore({ dataDir, log, backend: 'simulator', simStatusIntervalMs: 0 });
  host = await startBrowserHost({ core: core.api, rendererDir, port: 0, log });
});
afterAll(async () => {
  await host?.close();
  await core?.close();
});

const origin = () => `http://127.0.0.1:${host.port}`;
const cookie = () => `countersign_session=${host.token}`;

interface Client {
  ws: WebSocket;
  call(method: unknown, params: unknown): Promise<{ result?: unknown; error?: { code: string; message: string; params: Record<string, string> } }>;
  raw(data: string | Buffer, binary?: boolean): Promise<{ id: unknown; error?: { code: string; message: string } }>;
  closed: Promise<{ code: number; reason: string }>;
}

function open(headers: Record<string, string> = { Origin: origin(), Cookie: cookie() }, url = `ws://127.0.0.1:${host.port}/api`): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, maxPayload: 1 << 20 });
    const waiting = new Map<number, (v: never) => void>();
    const rawWaiters: ((v: never) => void)[] = [];
    let nextId = 1;
    const closed = new Promise<{ code: number; reason: string }>((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString() })));
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { id?: unknown; event?: string };
      if (m.event) return; // pushed events
      const w = typeof m.id === 'number' ? waiting.get(m.id) : undefined;
      if (w) {
        waiting.delete(m.id as number);
        w(m as never);
      } else rawWaiters.shift()?.(m as never);
    });
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
    ws.once('error', reject);
    ws.once('open', () =>
      resolve({
        ws,
        closed,
        call: (method, params) =>
          new Promise((r) => {
            const id = nextId++;
            waiting.set(id, r as never);
            ws.send(JSON.stringify({ id, method, params }));
          }),
        raw: (data, binary = false) =>
          new Promise((r) => {
            rawWaiters.push(r as never);
            ws.send(data, { binary });
          }),
      }),
    );
  });
}

const fingerprint = () => dbFingerprint(ledgerPath(dataDir));
const settle = () => new Promise((r) => setTimeout(r, 50)); // audited sign-outs are written a microtask later

async function expectRefused(client: Client, calls: AbuseCall[]) {
  for (const c of calls) {
    const reply = await client.call(c.name, c.input);
    expect([c.what, reply.error?.code ?? 'accepted']).toEqual([c.what, c.code]);
    expect(reply.error!.message.length, c.what).toBeGreaterThan(0);
    expect(reply.error!.message.length, `${c.what}: the error does not echo a huge input`).toBeLessThan(2000);
  }
}

describe('browser host WebSocket abuse (real core)', () => {
  it('malformed, oversized, wrongly typed and polluted commands: refused by schema, nothing recorded', async () => {
    const client = await open();
    const before = fingerprint();
    // huge strings just under the 64 KiB message limit (above it, maxPayload closes the socket: below)
    await expectRefused(client, malformedCalls({ jsonSafe: true, hugeLength: 60 * 1024 }));
    expect(prototypeIsClean()).toBe(true);
    await settle();
    expect(fingerprint()).toEqual(before);
    // the same socket still serves
    expect((await client.call('status.get', {})).result).toMatchObject({ simulator: true });
    client.ws.close();
  });

  it('messages that are not commands: bad JSON, binary, no id, arrays, deep nesting: api.bad_message', async () => {
    const client = await open();
    const before = fingerprint();
    const bad: [string | Buffer, boolean][] = [
      ['not json', false],
      ['{"id":1,"method":"status.get"', false],
      ['[1,2,3]', false],
      ['null', false],
      ['"status.get"', false],
      [JSON.stringify({ method: 'status.get', params: {} }), false],
      [JSON.stringify({ id: '1', method: 'status.get', params: {} }), false],
      [JSON.stringify({ id: 1.5, method: 'status.get', params: {} }), false],
      [JSON.stringify({ id: 2 ** 60, method: 'status.get', params: {} }), false],
      [`{"id":${'['.repeat(20_000)}${']'.repeat(20_000)}}`, false],
      [Buffer.from(JSON.stringify({ id: 1, method: 'status.get', params: {} })), true],
      [Buffer.from([0xff, 0xfe, 0x00, 0x01]), true],
    ];
    for (const [data, binary] of bad) {
      const reply = await client.raw(data, binary);
      expect([String(data).slice(0, 40), reply.error?.code]).toEqual([String(data).slice(0, 40), 'api.bad_message']);
      expect(reply.id).toBeNull();
    }
    // deep nesting inside valid JSON within 64 KiB: parsed, then refused by the schema
    const deep = `{"id":9,"method":"charges.confirm","params":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
    expect(deep.length).toBeLessThan(64 * 1024);
    const reply = await client.raw(deep);
    expect(reply).toMatchObject({ id: 9, error: { code: 'validation.failed' } });
    expect(fingerprint()).toEqual(before);
    expect((await client.call('status.get', {})).result).toBeDefined();
    client.ws.close();
  });

  it('a message above 64 KiB is refused by maxPayload (1009): that socket closes, the host keeps serving', async () => {
    const client = await open();
    const before = fingerprint();
    client.ws.send(JSON.stringify({ id: 1, method: 'adjust.find', params: { query: 'x'.repeat(65 * 1024) } }));
    const closed = await client.closed;
    expect(closed.code).toBe(1009);
    expect(fingerprint()).toEqual(before);
    const again = await open();
    expect((await again.call('status.get', {})).result).toMatchObject({ simulator: true });
    // exactly 64 KiB still reaches the schema (and is refused there); one byte more closes the socket
    const exactly = (bytes: number) => {
      const empty = JSON.stringify({ id: 5, method: 'adjust.find', params: { query: '' } });
      return JSON.stringify({ id: 5, method: 'adjust.find', params: { query: 'y'.repeat(bytes - empty.length) } });
    };
    expect(exactly(64 * 1024).length).toBe(64 * 1024);
    expect(await again.raw(exactly(64 * 1024))).toMatchObject({ id: 5, error: { code: 'validation.failed' } });
    again.ws.send(exactly(64 * 1024 + 1));
    expect((await again.closed).code).toBe(1009);
    expect(fingerprint()).toEqual(before);
    const third = await open();
    expect((await third.call('status.get', {})).result).toMatchObject({ simulator: true });
    third.ws.close();
  });

  it('a cashier calling manager and owner commands: auth.required; a manager calling owner commands: auth.forbidden; nothing recorded', async () => {
    const cashier = await open();
    let before = fingerprint();
    await expectRefused(cashier, [...MANAGER_CALLS, ...OWNER_CALLS]);
    expect(fingerprint()).toEqual(before);

    // PINs of the wrong form are refused by the PIN rules before anything is stored
    for (const { pin, rule } of WEAK_PINS) {
      for (const which of ['ownerPin', 'managerPin'] as const) {
        const input = { ownerName: OWNER.name, ownerPin: OWNER.pin, managerName: MANAGER.name, managerPin: MANAGER.pin, [which]: pin };
        const reply = await cashier.call('auth.setupOwner', input);
        expect([pin, which, reply.error?.code, reply.error?.params.rule]).toEqual([pin, which, 'auth.weak_pin', rule]);
        expect(reply.error!.message).not.toContain(pin);
      }
    }
    expect(fingerprint()).toEqual(before);

    // the real setup (a state change), on another socket: the owner is signed in there only
    const ownerSocket = await open();
    const setup = await ownerSocket.call('auth.setupOwner', { ownerName: OWNER.name, ownerPin: OWNER.pin, managerName: MANAGER.name, managerPin: MANAGER.pin });
    expect(setup.error).toBeUndefined();
    await settle();

    before = fingerprint();
    await expectRefused(cashier, [...MANAGER_CALLS, ...OWNER_CALLS]);
    // a second setup is not a way in
    const again = await cashier.call('auth.setupOwner', { ownerName: 'Mallory', ownerPin: '495038', managerName: 'Eve', managerPin: '730215' });
    expect(again.error?.code).toMatch(/^auth\./);
    await settle();
    expect(fingerprint()).toEqual(before);

    // a manager (signed in on the cashier's socket) may not do the owner's part
    const users = (await cashier.call('auth.status', {})).result as { users: { id: number; role: string }[] };
    const managerId = users.users.find((u) => u.role === 'manager')!.id;
    expect((await cashier.call('auth.signIn', { userId: managerId, pin: MANAGER.pin })).error).toBeUndefined();
    await settle();
    before = fingerprint();
    await expectRefused(
      cashier,
      OWNER_CALLS.map((c) => ({ ...c, code: 'auth.forbidden' })),
    );
    expect(fingerprint()).toEqual(before);
    // and the owner's socket can (the refusals above were about the role, not the input)
    expect((await ownerSocket.call('auth.createUser', { name: 'Wang Fang', role: 'cashier', pin: '582047' })).error).toBeUndefined();
    cashier.ws.close();
    ownerSocket.ws.close();
  });

  it('a wrong PIN of the right form is refused and audited by design, without the PIN', async () => {
    const client = await open();
    const users = (await client.call('auth.status', {})).result as { users: { id: number; role: string }[] };
    const ownerId = users.users.find((u) => u.role === 'owner')!.id;
    const before = fingerprint();
    const reply = await client.call('auth.signIn', { userId: ownerId, pin: '902736' });
    expect(reply.error?.code).toBe('auth.wrong_pin');
    await settle();
    const after = fingerprint();
    expect(after.auditRows).toBe(before.auditRows + 1);
    const db = readFileSync(ledgerPath(dataDir));
    expect(db.includes(Buffer.from('902736'))).toBe(false);
    client.ws.close();
  });

  it('nothing the abuse sent reached the logs: no PIN, no full PAN, no megabyte strings', () => {
    const logs = readdirSync(path.join(dataDir, 'logs')).map((f) => readFileSync(path.join(dataDir, 'logs', f), 'utf8')).join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of ['902736', '495038', ['4111', '1111', '1111', '1111'].join('')]) expect(logs).not.toContain(secret);
    expect(logs).not.toMatch(/x{1000}/);
  });
});

describe('browser host: who may connect', () => {
  it('listens on 127.0.0.1 only: not on any other address of this machine', async () => {
    expect(host.address).toBe('127.0.0.1');
    const others = Object.values(os.networkInterfaces())
      .flat()
      .filter((a): a is os.NetworkInterfaceInfo => !!a && !a.internal && a.family === 'IPv4')
      .map((a) => a.address);
    for (const address of others) {
      const outcome = await new Promise<string>((resolve) => {
        const s = connect({ host: address, port: host.port });
        s.once('connect', () => {
          s.destroy();
          resolve('connected');
        });
        s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      expect([address, outcome]).toEqual([address, 'ECONNREFUSED']);
    }
    console.log(`browser host bind check: 127.0.0.1 only; refused on ${others.length ? others.join(', ') : '(no other IPv4 address here)'}`);
  });

  it('refuses a wrong or missing token, another origin, a foreign Host, the wrong path', async () => {
    const good = { Origin: origin(), Cookie: cookie() };
    const refusals: [Record<string, string>, string, RegExp][] = [
      [{ Origin: origin() }, `ws://127.0.0.1:${host.port}/api`, /401/],
      [{ Origin: origin(), Cookie: 'countersign_session=' + 'A'.repeat(host.token.length) }, `ws://127.0.0.1:${host.port}/api`, /401/],
      [{ Origin: origin(), Cookie: `countersign_session=${host.token}x` }, `ws://127.0.0.1:${host.port}/api`, /401/],
      [{ Cookie: cookie() }, `ws://127.0.0.1:${host.port}/api`, /403/],
      [{ Origin: 'http://evil.example', Cookie: cookie() }, `ws://127.0.0.1:${host.port}/api`, /403/],
      [{ Origin: 'null', Cookie: cookie() }, `ws://127.0.0.1:${host.port}/api`, /403/],
      [{ Origin: `http://127.0.0.1:${host.port + 1}`, Cookie: cookie() }, `ws://127.0.0.1:${host.port}/api`, /403/],
      [{ Origin: `https://127.0.0.1:${host.port}`, Cookie: cookie() }, `ws://127.0.0.1:${host.port}/api`, /403/],
      [{ Origin: `http://localhost.evil.example:${host.port}`, Cookie: cookie() }, `ws://127.0.0.1:${host.port}/api`, /403/],
      [{ ...good, Host: 'evil.example' }, `ws://127.0.0.1:${host.port}/api`, /403/],
      [{ ...good, Host: `evil.example:${host.port}` }, `ws://127.0.0.1:${host.port}/api`, /403/],
      [{ ...good, Host: '127.0.0.1' }, `ws://127.0.0.1:${host.port}/api`, /403/],
      [good, `ws://127.0.0.1:${host.port}/other`, /404/],
    ];
    for (const [headers, url, status] of refusals) {
      await expect(open(headers, url), JSON.stringify(headers)).rejects.toThrow(status);
    }
    // and the right ones still open
    const ok = await open(good);
    expect((await ok.call('status.get', {})).result).toBeDefined();
    ok.ws.close();
    const viaLocalhost = await open({ Origin: `http://localhost:${host.port}`, Cookie: cookie(), Host: `localhost:${host.port}` });
    viaLocalhost.ws.close();
  });

  it('knows what loopback is', () => {
    for (const a of ['127.0.0.1', '127.0.0.2', '127.255.255.254', '::1', '::ffff:127.0.0.1']) expect([a, isLoopbackAddress(a)]).toEqual([a, true]);
    for (const a of [undefined, '', '0.0.0.0', '::', '10.0.0.2', '192.168.1.5', '128.0.0.1', '::ffff:10.0.0.1', '::ffff:127.evil', '127.0.0.1.nip.io', 'localhost', '1127.0.0.1']) {
      expect([a, isLoopbackAddress(a)]).toEqual([a, false]);
    }
  });
});
