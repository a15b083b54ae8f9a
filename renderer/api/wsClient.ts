/**
 * Browser-host transport: one WebSocket to the core on the page's own origin.
 *   client → server  {"id": n, "method": CommandName, "params": input}
 *   server → client  {"id": n, "result": …} | {"id": n, "error": {"code","message","params"}}
 *                    {"event": EventName, "payload": …}
 *                    {"events": [{"event", "payload"}, …]}   (several, coalesced under load, in order)
 * The session cookie authenticates the upgrade; no token is handled in JS.
 * When the socket drops: in-flight calls are rejected (the core may or may not have applied them),
 * new calls fail fast, and the socket reconnects with exponential back-off.
 */
import { ApiError } from '../../electron/contract/api.js';
import type { ApiEvent, CommandInput, CommandName, CommandOutput } from '../../electron/contract/api.js';
import { Listeners, TRANSPORT_DISCONNECTED, TRANSPORT_LOST, errorFromShape, parseEvent, parseOutput } from './wire.js';
import type { ConnectionState, RendererApi } from './wire.js';

/** The part of the WebSocket interface used here (the DOM's and the `ws` package's both fit). */
export interface WebSocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export interface WsClientOptions {
  url: string;
  createSocket?: (url: string) => WebSocketLike;
  /** First retry delay; doubles per failed attempt up to maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

interface InFlight {
  method: CommandName;
  resolve: (value: unknown) => void;
  reject: (error: ApiError) => void;
}

/** ws://host/api for http pages, wss:// for https. */
export function defaultWsUrl(loc: Pick<Location, 'protocol' | 'host'>): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/api`;
}

export function backoffDelay(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
}

function messageText(data: unknown): string | null {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new TextDecoder().decode(data);
  if (ArrayBuffer.isView(data)) return new TextDecoder().decode(data);
  return null;
}

function disconnected(method: CommandName, beforeSend: boolean): ApiError {
  return beforeSend
    ? new ApiError(TRANSPORT_DISCONNECTED, `Not connected to the Countersign core; ${method} was not sent`, { command: method })
    : new ApiError(
        TRANSPORT_LOST,
        `Connection to the Countersign core was lost during ${method}; it may or may not have been applied`,
        { command: method },
      );
}

export function createWsClient(options: WsClientOptions): RendererApi {
  const createSocket = options.createSocket ?? ((url: string) => new WebSocket(url) as unknown as WebSocketLike);
  const initialMs = options.initialBackoffMs ?? 500;
  const maxMs = options.maxBackoffMs ?? 10_000;

  const events = new Listeners<ApiEvent>();
  const connectionListeners = new Listeners<ConnectionState>();
  const inFlight = new Map<number, InFlight>();
  /** Calls made while the first connection was opening; sent on open. */
  let queued: Array<{ id: number; frame: string }> = [];
  let state: ConnectionState = { kind: 'connecting' };
  let socket: WebSocketLike | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let attempt = 0;
  let nextId = 1;
  let disposed = false;

  function setState(next: ConnectionState): void {
    state = next;
    connectionListeners.emit(next);
  }

  function rejectAll(): void {
    const calls = [...inFlight.values()];
    inFlight.clear();
    queued = [];
    for (const call of calls) call.reject(disconnected(call.method, false));
  }

  function handleMessage(data: unknown): void {
    const text = messageText(data);
    let message: unknown;
    try {
      message = text === null ? undefined : JSON.parse(text);
    } catch {
      message = undefined;
    }
    if (typeof message !== 'object' || message === null) {
      console.warn('[countersign] ignoring malformed message from core');
      return;
    }
    const m = message as Record<string, unknown>;
    if (Array.isArray(m.events)) {
      // A batch the core coalesced under load: applied in order, in this one task (one render).
      for (const item of m.events as unknown[]) {
        const e = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
        const event = parseEvent(e.event, e.payload);
        if (event) events.emit(event);
      }
      return;
    }
    if ('event' in m) {
      const event = parseEvent(m.event, m.payload);
      if (event) events.emit(event);
      return;
    }
    const id = typeof m.id === 'number' ? m.id : undefined;
    const call = id === undefined ? undefined : inFlight.get(id);
    if (id === undefined || !call) {
      console.warn('[countersign] ignoring response to unknown request', m.id);
      return;
    }
    inFlight.delete(id);
    if ('error' in m) {
      call.reject(
        errorFromShape(m.error) ?? new ApiError('internal', `The core failed ${call.method} without a usable error`),
      );
    } else {
      call.resolve(m.result);
    }
  }

  function scheduleReconnect(): void {
    attempt += 1;
    const delay = backoffDelay(attempt, initialMs, maxMs);
    setState({ kind: 'reconnecting', attempt, nextRetryMs: delay });
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect();
    }, delay);
  }

  function handleClose(closed: WebSocketLike): void {
    if (socket !== closed) return;
    socket = null;
    rejectAll();
    if (disposed) return;
    scheduleReconnect();
  }

  function connect(): void {
    if (disposed) return;
    let ws: WebSocketLike;
    try {
      ws = createSocket(options.url);
    } catch (error) {
      console.warn('[countersign] could not open the socket to the core', error);
      rejectAll();
      scheduleReconnect();
      return;
    }
    socket = ws;
    ws.onopen = () => {
      if (socket !== ws) return;
      attempt = 0;
      const toSend = queued;
      queued = [];
      setState({ kind: 'open' });
      for (const { id, frame } of toSend) send(id, frame);
    };
    ws.onmessage = (event) => {
      if (socket === ws) handleMessage(event.data);
    };
    ws.onerror = () => {
      // A close event follows; it drives the reconnect.
    };
    ws.onclose = () => handleClose(ws);
  }

  function send(id: number, frame: string): void {
    const call = inFlight.get(id);
    if (!call) return;
    try {
      if (!socket) throw new Error('no socket');
      socket.send(frame);
    } catch {
      inFlight.delete(id);
      call.reject(disconnected(call.method, true));
    }
  }

  connect();

  return {
    invoke<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>> {
      // `connecting` is only the very first attempt: calls made then wait for it. During a
      // reconnect they fail at once, so nothing (a confirmation least of all) is sent late.
      if (state.kind !== 'open' && state.kind !== 'connecting') return Promise.reject(disconnected(name, true));
      const id = nextId++;
      const frame = JSON.stringify({ id, method: name, params: input });
      return new Promise<unknown>((resolve, reject) => {
        inFlight.set(id, { method: name, resolve, reject });
        if (state.kind === 'open') send(id, frame);
        else queued.push({ id, frame });
      }).then((raw) => parseOutput(name, raw));
    },
    subscribe: (listener) => events.add(listener),
    connection: () => state,
    onConnection: (listener) => connectionListeners.add(listener),
    close() {
      if (disposed) return;
      disposed = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      const ws = socket;
      socket = null;
      rejectAll();
      ws?.close(1000, 'client closed');
      setState({ kind: 'closed' });
      events.clear();
      connectionListeners.clear();
    },
  };
}
