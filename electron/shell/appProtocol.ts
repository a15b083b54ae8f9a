import path from 'node:path';
import { APP_HOST } from './windowOptions.js';

/**
 * The file an `app://countersign/…` request may read: inside the renderer folder, or null (404).
 * Refuses another host, a path that decodes badly, NUL bytes, and anything that resolves outside
 * the folder (`..`, encoded `%2e%2e`/`%2f`, backslashes).
 */
export function resolveAppFile(requestUrl: string, rendererDir: string): string | null {
  let url: URL;
  let rel: string;
  try {
    url = new URL(requestUrl);
    rel = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
  } catch {
    return null;
  }
  if (url.host !== APP_HOST || rel.includes('\0')) return null;
  const root = path.resolve(rendererDir);
  const file = path.resolve(root, '.' + rel.replace(/\\/g, '/'));
  return file.startsWith(root + path.sep) ? file : null;
}
