import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { ApiError, type ApiEvent } from '../../../electron/contract/api.js';
import { startBrowserHost, isLoopbackAddress, type BrowserHost } from '../../../electron/host/browserHost.js';
import { EVENT_BURST } from '../../../electron/core/eventBatcher.js';
import type { CoreApi } from '../../../electron/core/types.js';

const calls: { name: unknown; input: unknown; transport: string }[] = [];
const listeners = new Set<(event: ApiEvent) => void>();
const emit = (event: ApiEvent) => listeners.forEach((l) => l(event));
const pushed = (n: number): ApiEvent => ({ name: 'notice', payload: { level: 'info', code: `n${n}`, params: {} } });
const core: CoreApi = {
  async dispatch(name, input, ctx) {
    calls.push({ name, input, transport: ctx.transport });
    if (name === 'boom') throw new ApiError('validation.failed', 'bad input');
    if (name === 'emit') emit(pushed(-1));
    return { echoed: input };
  },
  subscribe: (listener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

let host: BrowserHost;
const silent = { info() {}, warn() {} };

beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cs-host-'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Countersign</title>');
  writeFileSync(path.join(os.tmpdir(), 'cs-secret.txt'), 'secret');
  host = await startBrowserHost({ core, rendererDir: dir, port: 0, log: silent });
});
afterAll(async () => host.close());

function get(pathname: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path: pathname, headers: { Host: `127.0.0.1:${host.port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const cookie = () => `countersign_session=${host.token}`;

function openSocket(headers: Record<string, string>) {
  return new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

describe('browser host', () => {
  it('listens on loopback only and prints a URL carrying the token', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${host.token}`);
    expect(host.token.length).toBeGreaterThanOrEqual(40);
  });

  it('refuses pages without the token, and a wrong token', async () => {
    expect((await get('/')).status).toBe(401);
    expect((await get('/?token=nope')).status).toBe(403);
    expect((await get('/', { Cookie: 'countersign_session=nope' })).status).toBe(401);
  });

  it('turns the right token into an HttpOnly SameSite=Strict cookie, then serves the page with a strict CSP', async () => {
    const first = await get(`/?token=${host.token}`);
    expect(first.status).toBe(303);
    expect(String(first.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    const page = await get('/', { Cookie: cookie() });
    expect(page.status).toBe(200);
    expect(page.body).toContain('Countersign');
    expect(String(page.headers['content-security-policy'])).toContain("script-src 'self'");
    expect(page.headers['x-frame-options']).toBe('DENY');
  });

  it('refuses a foreign Host header (DNS rebinding) and path traversal', async () => {
    expect((await get('/', { Cookie: cookie(), Host: 'evil.example:80' })).status).toBe(403);
    expect((await get('/../cs-secret.txt', { Cookie: cookie() })).status).toBe(404);
    expect((await get('/%2e%2e/cs-secret.txt', { Cookie: cookie() })).status).toBe(404);
  });

  it('refuses WebSockets from another origin or without the session cookie', async () => {
    await expect(openSocket({ Origin: 'http://evil.example', Cookie: cookie() })).rejects.toThrow(/403/);
    await expect(openSocket({ Origin: `http://127.0.0.1:${host.port}` })).rejects.toThrow(/401/);
    await expect(openSocket({ Cookie: cookie() })).rejects.toThrow(/403/);
  });

  it('carries commands and errors for its own page', async () => {
    const ws = await openSocket({ Origin: `http://127.0.0.1:${host.port}`, Cookie: cookie() });
    const replies: unknown[] = [];
    ws.on('message', (raw) => replies.push(JSON.parse(raw.toString())));
    ws.send(JSON.stringify({ id: 1, method: 'status.get', params: {} }));
    ws.send(JSON.stringify({ id: 2, method: 'boom', params: {} }));
    ws.send('not json');
    ws.send(JSON.stringify({ method: 'status.get' }));
    await new Promise((r) => setTimeout(r, 200));
    ws.close();
    expect(replies).toContainEqual({ id: 1, result: { echoed: {} } });
    expect(replies).toContainEqual({ id: 2, error: { code: 'validation.failed', message: 'bad input', params: {} } });
    expect(replies.filter((r) => (r as { error?: { code: string } }).error?.code === 'api.bad_message')).toHaveLength(2);
    expect(calls.every((c) => c.transport === 'ws')).toBe(true);
  });

  it('coalesces a burst of pushed events into few messages, in order, none lost; a command answer follows its events', async () => {
    const ws = await openSocket({ Origin: `http://127.0.0.1:${host.port}`, Cookie: cookie() });
    const messages: Array<{ event?: string; payload?: { code: string }; events?: Array<{ event: string; payload: { code: string } }>; id?: number }> = [];
    ws.on('message', (raw) => messages.push(JSON.parse(raw.toString())));
    await new Promise((r) => setTimeout(r, 100)); // quiet: the first event goes alone, at once
    for (let i = 0; i < 1000; i++) emit(pushed(i));
    ws.send(JSON.stringify({ id: 7, method: 'emit', params: {} }));
    await new Promise((r) => setTimeout(r, 300));
    ws.close();
    const codes = messages.flatMap((m) => (m.events ? m.events.map((e) => e.payload.code) : m.event ? [m.payload!.code] : []));
    expect(codes).toEqual([...Array.from({ length: 1000 }, (_, i) => `n${i}`), 'n-1']);
    expect(messages[0]).toEqual({ event: 'notice', payload: { level: 'info', code: 'n0', params: {} } });
    // The first few go at once, alone; the rest of the burst travels in one or two messages.
    expect(messages.filter((m) => m.events || m.event).length).toBeLessThanOrEqual(EVENT_BURST + 2);
    // The answer to `emit` comes after the event it caused.
    const answer = messages.findIndex((m) => m.id === 7);
    const last = messages.findIndex((m) => m.events?.some((e) => e.payload.code === 'n-1') || m.payload?.code === 'n-1');
    expect(last).toBeGreaterThanOrEqual(0);
    expect(answer).toBeGreaterThan(last);
  });

  it('knows loopback addresses', () => {
    expect(isLoopbackAddress('127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::1')).toBe(true);
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('10.0.0.2')).toBe(false);
    expect(isLoopbackAddress('192.168.1.5')).toBe(false);
    expect(isLoopbackAddress(undefined)).toBe(false);
  });
});
