/** The renderer's Content-Security-Policy: only our own scripts and styles, no eval, no inline. */
const BASE = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "media-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "frame-src 'none'",
  "worker-src 'none'",
];

/** Electron: the page is a file:// app page with IPC, no network at all. */
export const ELECTRON_CSP = [...BASE, "connect-src 'none'"].join('; ');

/** Browser host: the API WebSocket on this launch's loopback port only. */
export function browserHostCsp(port: number): string {
  return [...BASE, `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`].join('; ');
}
