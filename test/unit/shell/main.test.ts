import { describe, expect, it, vi, beforeAll } from 'vitest';

type Handler = (...args: any[]) => any;

const appHandlers = new Map<string, Handler>();
const contentsHandlers = new Map<string, Handler>();
let windowOpenHandler: Handler | undefined;
let ipcHandler: Handler | undefined;
const dispatch = vi.fn(async () => ({ ok: true }));
let windowOptions: any;
const windowId = 7;

vi.mock('electron', () => {
  class BrowserWindow {
    webContents = { id: windowId, send: vi.fn() };
    constructor(options: unknown) {
      windowOptions = options;
    }
    once() {}
    on() {}
    loadURL = vi.fn(async () => undefined);
    isMinimized() {
      return false;
    }
    restore() {}
    focus() {}
  }
  return {
    app: {
      requestSingleInstanceLock: vi.fn(() => true),
      quit: vi.fn(),
      exit: vi.fn(),
      on: (name: string, handler: Handler) => appHandlers.set(name, handler),
      whenReady: async () => undefined,
      getPath: () => '/tmp/countersign-shell-test',
    },
    BrowserWindow,
    ipcMain: { handle: (_channel: string, handler: Handler) => (ipcHandler = handler) },
    net: { fetch: vi.fn() },
    protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
    session: {
      defaultSession: {
        setPermissionRequestHandler: vi.fn(),
        setPermissionCheckHandler: vi.fn(),
        webRequest: { onHeadersReceived: vi.fn() },
      },
    },
    dialog: { showErrorBox: vi.fn() },
  };
});

vi.mock('../../../electron/core/startCore.js', () => ({
  startCore: async () => ({ api: { dispatch, subscribe: () => () => {} }, close: async () => {} }),
}));
vi.mock('../../../electron/core/logger.js', () => ({
  createLogger: () => ({ info() {}, warn() {}, error() {} }),
}));

beforeAll(async () => {
  await import('../../../electron/shell/main.js');
  await vi.waitFor(() => expect(ipcHandler).toBeDefined());
  const created = appHandlers.get('web-contents-created')!;
  created({}, {
    on: (name: string, handler: Handler) => contentsHandlers.set(name, handler),
    setWindowOpenHandler: (handler: Handler) => (windowOpenHandler = handler),
  });
});

describe('the Electron shell', () => {
  it('opens its one window sandboxed and isolated', () => {
    expect(windowOptions.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false });
  });

  it('blocks navigation, redirects, webviews and new windows', () => {
    for (const name of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const event = { preventDefault: vi.fn() };
      contentsHandlers.get(name)!(event, 'https://evil.example');
      expect(event.preventDefault, name).toHaveBeenCalled();
    }
    expect(windowOpenHandler!({ url: 'https://evil.example' })).toEqual({ action: 'deny' });
  });

  it('refuses every permission the page could ask for, and every permission check', async () => {
    const { session } = await import('electron');
    const request = vi.mocked(session.defaultSession.setPermissionRequestHandler).mock.calls[0]![0] as unknown as Handler;
    const check = vi.mocked(session.defaultSession.setPermissionCheckHandler).mock.calls[0]![0] as unknown as Handler;
    for (const permission of ['media', 'geolocation', 'notifications', 'hid', 'usb', 'serial', 'clipboard-read', 'openExternal', 'fullscreen']) {
      const callback = vi.fn();
      request({}, permission, callback, {});
      expect(callback, permission).toHaveBeenCalledWith(false);
      expect(check({}, permission, 'app://countersign', {}), permission).toBe(false);
    }
  });

  it('puts the strict CSP on every response, replacing any other', async () => {
    const { session } = await import('electron');
    const { ELECTRON_CSP } = await import('../../../electron/shell/csp.js');
    const onHeaders = vi.mocked(session.defaultSession.webRequest.onHeadersReceived).mock.calls[0]![0] as unknown as Handler;
    const callback = vi.fn();
    onHeaders({ responseHeaders: { 'Content-Security-Policy': ["script-src 'unsafe-inline'"], 'X-Other': ['1'] } }, callback);
    expect(callback).toHaveBeenCalledWith({ responseHeaders: { 'Content-Security-Policy': [ELECTRON_CSP], 'X-Other': ['1'] } });
  });

  it('serves app:// only from the renderer folder: no other host, no traversal', async () => {
    const { protocol, net } = await import('electron');
    const handle = vi.mocked(protocol.handle).mock.calls.find(([scheme]) => scheme === 'app')![1] as unknown as Handler;
    vi.mocked(net.fetch).mockImplementation(async (url) => new Response(String(url)));
    // dot segments are resolved by the URL parser: they stay inside the app
    for (const url of ['app://countersign/../../../etc/passwd', 'app://countersign/%2e%2e/%2e%2e/etc/passwd']) {
      const res = (await handle({ url })) as Response;
      expect(await res.text()).toMatch(/^file:\/\/.*\/renderer\/etc\/passwd$/);
    }
    vi.mocked(net.fetch).mockClear();
    for (const url of [
      'app://countersign/..%2f..%2fetc%2fpasswd',
      'app://countersign/..%5c..%5cetc%5cpasswd',
      'app://countersign/%E0%A4%A',
      'app://countersign/index.html%00.png',
      'app://evil/index.html',
    ]) {
      const res = (await handle({ url })) as Response;
      expect([url, res.status]).toEqual([url, 404]);
    }
    expect(net.fetch).not.toHaveBeenCalled();
    const ok = (await handle({ url: 'app://countersign/assets/app.js' })) as Response;
    expect(await ok.text()).toMatch(/^file:\/\/.*\/renderer\/assets\/app\.js$/);
  });

  it('answers IPC only from its own window and app:// page', async () => {
    const trusted = { sender: { id: windowId }, senderFrame: { url: 'app://countersign/index.html' } };
    await expect(ipcHandler!(trusted, 'status.get', {})).resolves.toEqual({ ok: true });
    expect(dispatch).toHaveBeenCalledWith('status.get', {}, { transport: 'ipc', sessionId: String(windowId) });

    dispatch.mockClear();
    const otherWindow = { sender: { id: 99 }, senderFrame: { url: 'app://countersign/index.html' } };
    const otherPage = { sender: { id: windowId }, senderFrame: { url: 'https://evil.example/' } };
    await expect(ipcHandler!(otherWindow, 'status.get', {})).rejects.toThrow(/api.forbidden/);
    await expect(ipcHandler!(otherPage, 'status.get', {})).rejects.toThrow(/api.forbidden/);
    expect(dispatch).not.toHaveBeenCalled();
  });
});
