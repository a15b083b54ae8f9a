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
