/** Picks the transport: the Electron preload bridge when present, else the browser host's socket. */
import { createPreloadClient } from './preloadClient.js';
import { createWsClient, defaultWsUrl } from './wsClient.js';
import type { RendererApi } from './wire.js';

export type { RendererApi, ConnectionState } from './wire.js';

export function createApi(): RendererApi {
  if (window.countersign) return createPreloadClient(window.countersign);
  return createWsClient({ url: defaultWsUrl(window.location) });
}
