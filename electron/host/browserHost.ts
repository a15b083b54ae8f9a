import { randomBytes, timingSafeEqual, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiError, type ApiEvent } from '../contract/api.js';
import { createEventBatcher } from '../core/eventBatcher.js';
import type { CoreApi } from '../core/types.js';
import { browserHostCsp } from '../shell/csp.js';

export interface BrowserHostOptions {
  core: CoreApi;
  /** Folder with the built renderer (index.html and assets). */
  rendererDir: string;
  /** 0 = a random free port. */
  port?: number;
  log: { info(m: string, d?: Record<string, unknown>): void; warn(m: string, d?: Record<string, unknown>): void };
}

export interface BrowserHost {
  readonly port: number;
  /** The address the server is bound to: always 127.0.0.1 (never a LAN address). */
  readonly address: string;
  readonly token: string;
  /** The URL to open once: it carries the per-launch token, which becomes an HttpOnly cookie. */
  readonly url: string;
  close(): Promise<void>;
}

const COOKIE = 'countersign_session';
const MAX_MESSAGE_BYTES = 64 * 1024;
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
};

const IPV4_LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** 127.0.0.0/8, ::1, or an IPv4-mapped 127.x address. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  if (address === '::1') return true;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return IPV4_LOOPBACK.test(v4);
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/**
 * Serves the renderer on 127.0.0.1 and carries the API over a WebSocket. Only this launch's token
 * opens it, only from loopback, only with this host's own Host and Origin (no DNS rebinding, no
 * other site's page talking to the till).
 */
export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const token = randomBytes(32).toString('base64url');
  const rendererRoot = path.resolve(options.rendererDir);
  let port = 0;

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  function securityHeaders(res: ServerResponse) {
    res.setHeader('Content-Security-Policy', browserHostCsp(port));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), usb=(), hid=(), serial=()');
  }

  function refuse(res: ServerResponse, status: number, text: string) {
    securityHeaders(res);
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(text);
  }

  function requestIsAllowed(req: IncomingMessage): string | null {
    if (!isLoopbackAddress(req.socket.remoteAddress)) return 'Countersign only answers this computer (loopback).';
    if (!req.headers.host || !allowedHosts().has(req.headers.host)) return 'Unexpected Host header.';
    return null;
  }

  const server = createServer(async (req, res) => {
    try {
      const problem = requestIsAllowed(req);
      if (problem) return refuse(res, 403, problem);
      if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Method not allowed.');
      const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
      const offered = url.searchParams.get('token');
      if (offered !== null) {
        if (!safeEqual(offered, token)) {
          options.log.warn('host.bad_token', { path: url.pathname });
          return refuse(res, 403, 'This link is not valid for the running Countersign. Open the URL it printed at start.');
        }
        securityHeaders(res);
        res.writeHead(303, {
          'Set-Cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
          Location: '/',
          'Cache-Control': 'no-store',
        });
        return res.end();
      }
      const session = cookieValue(req.headers.cookie, COOKIE);
      if (!session || !safeEqual(session, token)) {
        return refuse(res, 401, 'Open the URL that Countersign printed at start (it carries a per-launch token).');
      }
      let rel = decodeURIComponent(url.pathname);
      if (rel === '/' || rel === '') rel = '/index.html';
      const file = path.resolve(rendererRoot, '.' + rel);
      if (!file.startsWith(rendererRoot + path.sep)) return refuse(res, 404, 'Not found.');
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) return refuse(res, 404, 'Not found.');
      const body = await readFile(file);
      securityHeaders(res);
      res.writeHead(200, {
        'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
        'Cache-Control': rel === '/index.html' ? 'no-store' : 'private, max-age=3600',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (error) {
      refuse(res, 500, 'Countersign could not serve this page.');
      options.log.warn('host.http_error', { message: (error as Error).message });
    }
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  server.on('upgrade', (req, socket, head) => {
    const reject = (status: number, reason: string) => {
      options.log.warn('host.ws_refused', { reason, origin: String(req.headers.origin ?? '') });
      socket.write(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\n\r\n`);
      socket.destroy();
    };
    if (requestIsAllowed(req)) return reject(403, 'Forbidden');
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (url.pathname !== '/api') return reject(404, 'Not Found');
    if (!req.headers.origin || !allowedOrigins().has(req.headers.origin)) return reject(403, 'Forbidden Origin');
    const session = cookieValue(req.headers.cookie, COOKIE);
    if (!session || !safeEqual(session, token)) return reject(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws));
  });

  const wireEvent = (event: ApiEvent) => ({ event: event.name, payload: event.payload });

  function serveSocket(ws: WebSocket) {
    const sessionId = randomUUID();
    const send = (value: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(value));
    };
    // Under load the events of one tick go as one message (`{events: […]}`); a lone event goes at once.
    const batcher = createEventBatcher<ApiEvent>((events) =>
      send(events.length === 1 ? wireEvent(events[0]!) : { events: events.map(wireEvent) }),
    );
    const off = options.core.subscribe((event) => batcher.push(event));
    const unsubscribe = () => {
      off();
      batcher.close();
    };
    ws.on('close', unsubscribe);
    ws.on('error', unsubscribe);
    ws.on('message', async (raw, isBinary) => {
      let id: unknown = null;
      try {
        if (isBinary) throw new ApiError('api.bad_message', 'Binary messages are not accepted.');
        let message: unknown;
        try {
          message = JSON.parse(raw.toString());
        } catch {
          throw new ApiError('api.bad_message', 'The message is not valid JSON.');
        }
        if (typeof message !== 'object' || message === null || Array.isArray(message)) {
          throw new ApiError('api.bad_message', 'The message must be an object {id, method, params}.');
        }
        const m = message as { id?: unknown; method?: unknown; params?: unknown };
        id = typeof m.id === 'number' && Number.isSafeInteger(m.id) ? m.id : null;
        if (id === null) throw new ApiError('api.bad_message', 'The message needs a numeric id.');
        const result = await options.core.dispatch(m.method, m.params, { transport: 'ws', sessionId });
        batcher.flush(); // the events a command caused reach the screen before its answer, as without batching
        send({ id, result });
      } catch (error) {
        const shape =
          error instanceof ApiError
            ? error.toJSON()
            : { code: 'internal', message: 'Countersign could not handle that request.', params: {} };
        batcher.flush();
        send({ id, error: shape });
      }
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  const boundTo = typeof address === 'object' && address ? address.address : '';
  const url = `http://127.0.0.1:${port}/?token=${token}`;
  options.log.info('host.listening', { port });

  return {
    port,
    address: boundTo,
    token,
    url,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
