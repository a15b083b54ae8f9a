import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { ApiEvent } from '../../../electron/contract/api.js';
import { ApiError } from '../../../electron/contract/api.js';
import type { ConnectionState } from '../../../renderer/api/wire.js';
import { backoffDelay, createWsClient, defaultWsUrl } from '../../../renderer/api/wsClient.js';
import type { WebSocketLike } from '../../../renderer/api/wsClient.js';
import { charge, today } from './fixtures.js';

type Frame = { id: number; method: string; params: unknown };

/** A tiny stand-in for the browser host's /api socket. */
class FakeCore {
  readonly frames: Frame[] = [];
  readonly sockets = new Set<WebSocket>();
  handler: (frame: Frame, socket: WebSocket) => void = (frame, socket) => this.reply(socket, frame.id, { result: today() });

  private constructor(
    public server: WebSocketServer,
    public port: number,
  ) {
    this.attach();
  }

  static async start(port = 0): Promise<FakeCore> {
    const server = await listen(port);
    return new FakeCore(server, (server.address() as { port: number }).port);
  }

  private attach(): void {
    this.server.on('connection', (socket, request) => {
      expect(request.url).toBe('/api');
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('message', (data) => {
        const frame = JSON.parse(String(data)) as Frame;
        this.frames.push(frame);
        this.handler(frame, socket);
      });
    });
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/api`;
  }

  reply(socket: WebSocket, id: number, body: object): void {
    socket.send(JSON.stringify({ id, ...body }));
  }

  broadcast(message: unknown): void {
    for (const socket of this.sockets) socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Drop every connection abruptly, as a crashed or restarted core would. */
  dropAll(): void {
    for (const socket of this.sockets) socket.terminate();
    this.sockets.clear();
  }

  async stop(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Listen again on the same port after stop(). */
  async relisten(): Promise<void> {
    this.server = await listen(this.port);
    this.attach();
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.relisten();
  }
}

function listen(port: number): Promise<WebSocketServer> {
  return new Promise((resolve, reject) => {
    const server = new WebSocketServer({ host: '127.0.0.1', port });
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

const createSocket = (url: string) => new WebSocket(url) as unknown as WebSocketLike;
const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  vi.restoreAllMocks();
});

async function setup(options: { initialBackoffMs?: number; maxBackoffMs?: number } = {}) {
  const core = await FakeCore.start();
  const client = createWsClient({ url: core.url, createSocket, initialBackoffMs: 20, maxBackoffMs: 80, ...options });
  const states: ConnectionState[] = [];
  client.onConnection((s) => states.push(s));
  cleanups.push(() => core.stop(), () => client.close());
  return { core, client, states };
}

async function opened(client: { connection(): ConnectionState }) {
  await vi.waitFor(() => expect(client.connection().kind).toBe('open'));
}

describe('ws client', () => {
  it('builds the same-origin URL', () => {
    expect(defaultWsUrl({ protocol: 'http:', host: '127.0.0.1:4711' })).toBe('ws://127.0.0.1:4711/api');
    expect(defaultWsUrl({ protocol: 'https:', host: 'till.local' })).toBe('wss://till.local/api');
  });

  it('sends {id, method, params} and resolves with the validated result', async () => {
    const { core, client } = await setup();
    // Called before the socket opened: queued, then sent.
    const totals = await client.invoke('charges.today', {});
    expect(totals).toEqual(today());
    core.handler = (frame, socket) => core.reply(socket, frame.id, { result: charge({ id: 7, status: 'confirmed' }) });
    const confirmed = await client.invoke('charges.confirm', { chargeId: 7 });
    expect(confirmed.status).toBe('confirmed');
    expect(core.frames).toEqual([
      { id: 1, method: 'charges.today', params: {} },
      { id: 2, method: 'charges.confirm', params: { chargeId: 7 } },
    ]);
  });

  it('matches out-of-order responses by id', async () => {
    const { core, client } = await setup();
    await opened(client);
    const held: Frame[] = [];
    let socket: WebSocket | undefined;
    core.handler = (frame, s) => {
      socket = s;
      held.push(frame);
      if (held.length === 2) {
        core.reply(s, held[1]!.id, { result: [charge({ id: 2 })] });
        core.reply(s, held[0]!.id, { result: today() });
      }
    };
    const [totals, queue] = await Promise.all([client.invoke('charges.today', {}), client.invoke('charges.queue', {})]);
    expect(socket).toBeDefined();
    expect(totals.date).toBe('2026-11-23');
    expect(queue.map((c) => c.id)).toEqual([2]);
  });

  it('rejects with the core error (code, message, params)', async () => {
    const { core, client } = await setup();
    core.handler = (frame, socket) =>
      core.reply(socket, frame.id, { error: { code: 'charge.not_pending', message: 'charge 7 is confirmed', params: { chargeId: '7' } } });
    const error = await client.invoke('charges.confirm', { chargeId: 7 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'charge.not_pending', message: 'charge 7 is confirmed', params: { chargeId: '7' } });
  });

  it('turns a malformed error or result into a clear error', async () => {
    const { core, client } = await setup();
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    core.handler = (frame, socket) => core.reply(socket, frame.id, { error: 'boom' });
    await expect(client.invoke('charges.today', {})).rejects.toMatchObject({ code: 'internal' });
    core.handler = (frame, socket) => core.reply(socket, frame.id, { result: { date: 5 } });
    await expect(client.invoke('charges.today', {})).rejects.toMatchObject({ code: 'transport.bad_response' });
  });

  it('delivers valid events and drops invalid ones with a warning', async () => {
    const { core, client } = await setup();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const received: ApiEvent[] = [];
    client.subscribe((e) => received.push(e));
    await opened(client);
    core.broadcast({ event: 'charge.changed', payload: { id: 'not a charge' } });
    core.broadcast({ event: 'no.such.event', payload: {} });
    core.broadcast('not json');
    core.broadcast({ event: 'charge.changed', payload: charge({ id: 9 }) });
    core.broadcast({ event: 'notice', payload: { level: 'warning', code: 'db.disk_full', params: {} } });
    await vi.waitFor(() => expect(received).toHaveLength(2));
    expect(received[0]).toEqual({ name: 'charge.changed', payload: charge({ id: 9 }) });
    expect(received[1]).toMatchObject({ name: 'notice', payload: { code: 'db.disk_full' } });
    expect(warn).toHaveBeenCalledTimes(3);
  });

  it('delivers a coalesced batch of events in order, in one task, skipping only invalid ones', async () => {
    const { core, client } = await setup();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const received: number[] = [];
    const tasks = new Set<number>();
    let task = 0;
    const ticker = setInterval(() => task++, 0);
    client.subscribe((e) => {
      if (e.name === 'charge.changed') received.push(e.payload.id);
      tasks.add(task);
    });
    await opened(client);
    const events = Array.from({ length: 300 }, (_, i) => ({ event: 'charge.changed', payload: charge({ id: i + 1 }) }));
    events.splice(150, 0, { event: 'charge.changed', payload: { id: 'not a charge' } as never });
    core.broadcast({ events });
    await vi.waitFor(() => expect(received).toHaveLength(300));
    clearInterval(ticker);
    expect(received).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(tasks.size).toBe(1);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('on a drop: rejects in-flight calls, fails new ones fast, reconnects with back-off', async () => {
    const { core, client, states } = await setup();
    await opened(client);
    core.handler = () => {}; // never answers
    const inFlight = client.invoke('charges.confirm', { chargeId: 3 });
    await vi.waitFor(() => expect(core.frames).toHaveLength(1));
    await core.stop();

    const lost = await inFlight.catch((e: unknown) => e);
    expect(lost).toMatchObject({ code: 'transport.lost', params: { command: 'charges.confirm' } });
    expect((lost as Error).message).toMatch(/may or may not/);
    await vi.waitFor(() => expect(client.connection().kind).toBe('reconnecting'));
    await expect(client.invoke('charges.today', {})).rejects.toMatchObject({ code: 'transport.disconnected' });

    // The core stays down for a few attempts: the delay grows and is capped.
    await vi.waitFor(() => expect(states.filter((s) => s.kind === 'reconnecting').length).toBeGreaterThanOrEqual(4));
    const delays = states.flatMap((s) => (s.kind === 'reconnecting' ? [s.nextRetryMs] : []));
    expect(delays.slice(0, 4)).toEqual([20, 40, 80, 80]);
    const attempts = states.flatMap((s) => (s.kind === 'reconnecting' ? [s.attempt] : []));
    expect(attempts.slice(0, 4)).toEqual([1, 2, 3, 4]);

    // Back up: the client reconnects by itself and works again.
    await core.relisten();
    core.handler = (frame, socket) => core.reply(socket, frame.id, { result: today() });
    await opened(client);
    await expect(client.invoke('charges.today', {})).resolves.toEqual(today());
    expect(states.at(-1)).toEqual({ kind: 'open' });
  });

  it('reconnects after the server restarts and receives events again', async () => {
    const { core, client, states } = await setup();
    const received: ApiEvent[] = [];
    client.subscribe((e) => received.push(e));
    await opened(client);
    await core.restart();
    await vi.waitFor(() => expect(states.some((s) => s.kind === 'reconnecting')).toBe(true));
    await opened(client);
    await vi.waitFor(() => expect(core.sockets.size).toBe(1));
    core.broadcast({ event: 'link.state', payload: { kind: 'searching', backend: 'node-hid' } });
    await vi.waitFor(() => expect(received).toEqual([{ name: 'link.state', payload: { kind: 'searching', backend: 'node-hid' } }]));
  });

  it('close() rejects pending calls and stops reconnecting', async () => {
    const { core, client, states } = await setup();
    await opened(client);
    core.handler = () => {};
    const pending = client.invoke('charges.queue', {});
    await vi.waitFor(() => expect(core.frames).toHaveLength(1));
    client.close();
    await expect(pending).rejects.toBeInstanceOf(ApiError);
    expect(client.connection()).toEqual({ kind: 'closed' });
    await new Promise((r) => setTimeout(r, 100));
    expect(states.some((s) => s.kind === 'reconnecting')).toBe(false);
    await expect(client.invoke('charges.queue', {})).rejects.toMatchObject({ code: 'transport.disconnected' });
  });

  it('backoffDelay doubles up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((a) => backoffDelay(a, 500, 10_000))).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
  });
});
