/**
 * A client of a running browser host's API WebSocket, authenticated like its own page (the
 * per-launch token as the session cookie, the host's own Origin): the bench drives a separate
 * `countersign host` process through it and hears its pushed events.
 */
import WebSocket from 'ws';

export interface HostClient {
  call(method: string, params: unknown): Promise<unknown>;
  onEvent(listener: (name: string, payload: unknown) => void): void;
  close(): void;
}

/** `url`: what `countersign host` printed (http://127.0.0.1:PORT/?token=…). */
export async function connectHost(url: string): Promise<HostClient> {
  const u = new URL(url);
  const token = u.searchParams.get('token');
  if (!token) throw new Error('the host URL has no token');
  const origin = `http://${u.host}`;
  const ws = new WebSocket(`ws://${u.host}/api`, { headers: { Origin: origin, Cookie: `countersign_session=${token}` } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', (error) => reject(new Error(`cannot reach the host: ${error.message}`)));
  });
  let nextId = 1;
  const calls = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const listeners: Array<(name: string, payload: unknown) => void> = [];
  ws.on('message', (raw) => {
    const m = JSON.parse(raw.toString()) as {
      id?: number;
      result?: unknown;
      error?: { message: string };
      event?: string;
      payload?: unknown;
      events?: Array<{ event: string; payload: unknown }>;
    };
    if (Array.isArray(m.events)) {
      for (const e of m.events) for (const l of listeners) l(e.event, e.payload);
      return;
    }
    if (typeof m.event === 'string') {
      for (const l of listeners) l(m.event, m.payload);
      return;
    }
    const call = m.id === undefined ? undefined : calls.get(m.id);
    if (!call) return;
    calls.delete(m.id!);
    if (m.error) call.reject(new Error(m.error.message));
    else call.resolve(m.result);
  });
  ws.on('close', () => {
    for (const c of calls.values()) c.reject(new Error('the host closed the connection'));
    calls.clear();
  });
  return {
    call(method, params) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        calls.set(id, { resolve, reject });
        ws.send(JSON.stringify({ id, method, params }));
      });
    },
    onEvent(listener) {
      listeners.push(listener);
    },
    close() {
      ws.close();
    },
  };
}
