import { app, BrowserWindow, ipcMain, net, protocol, session, type IpcMainInvokeEvent } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ApiError, type ApiEvent } from '../contract/api.js';
import { createEventBatcher } from '../core/eventBatcher.js';
import { startCore } from '../core/startCore.js';
import { createLogger } from '../core/logger.js';
import { resolveDataDirFromDisk, type DataDirChoice } from '../core/dataLocation.js';
import { ELECTRON_CSP } from './csp.js';
import { createElectronSystemPrinter } from './systemPrinter.js';
import { createElectronDialogs } from './dialogs.js';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from './ipcChannels.js';
import { APP_ENTRY, APP_SCHEME, isTrustedSenderUrl, mainWindowOptions } from './windowOptions.js';
import { resolveAppFile } from './appProtocol.js';

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: false, corsEnabled: false } },
]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void run();
}

async function run() {
  // COUNTERSIGN_DATA_DIR (`countersign start --data` sets it), else location.json, else userData.
  let choice: DataDirChoice | null = null;
  let choiceError: Error | null = null;
  try {
    choice = resolveDataDirFromDisk({ osDefault: app.getPath('userData') });
  } catch (error) {
    choiceError = error as Error;
  }
  const dataDir = choice?.dataDir ?? app.getPath('userData');
  const log = createLogger(dataDir);
  const rendererDir = path.join(__dirname, '..', 'renderer');
  let mainWindow: BrowserWindow | null = null;

  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });

  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      log.warn('shell.window_open_blocked', { url: url.slice(0, 200) });
      return { action: 'deny' };
    });
  });

  await app.whenReady();

  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [ELECTRON_CSP] } });
  });
  protocol.handle(APP_SCHEME, (request) => {
    const file = resolveAppFile(request.url, rendererDir);
    if (!file) return new Response('Not found', { status: 404 });
    return net.fetch(pathToFileURL(file).toString());
  });

  let core: Awaited<ReturnType<typeof startCore>>;
  try {
    if (!choice) throw choiceError ?? new Error('no data folder');
    core = await startCore({
      dataDir,
      log,
      dataDirChoice: choice,
      systemPrinter: createElectronSystemPrinter(),
      dialogs: createElectronDialogs(),
      // After "Move data to…": the ledger closed first, then the app starts again on the new folder.
      relaunch: () => {
        void core.close().finally(() => {
          app.relaunch();
          app.exit(0);
        });
      },
    });
  } catch (error) {
    log.error('shell.core_failed', { message: (error as Error).message });
    const { dialog } = await import('electron');
    dialog.showErrorBox('Countersign cannot start', (error as Error).message);
    app.exit(1);
    return;
  }

  let flushEvents = () => {};
  ipcMain.handle(INVOKE_CHANNEL, async (event: IpcMainInvokeEvent, name: unknown, input: unknown) => {
    if (!mainWindow || event.sender.id !== mainWindow.webContents.id || !isTrustedSenderUrl(event.senderFrame?.url)) {
      log.warn('shell.ipc_untrusted_sender', { url: String(event.senderFrame?.url ?? '').slice(0, 200) });
      throw new Error(JSON.stringify({ code: 'api.forbidden', message: 'This caller may not use Countersign.' }));
    }
    try {
      const result = await core.api.dispatch(name, input, { transport: 'ipc', sessionId: String(event.sender.id) });
      flushEvents(); // the events a command caused reach the window before its answer
      return result;
    } catch (error) {
      flushEvents();
      const shape = error instanceof ApiError ? error.toJSON() : { code: 'internal', message: 'Countersign could not handle that request.' };
      throw new Error(JSON.stringify(shape));
    }
  });

  mainWindow = new BrowserWindow(mainWindowOptions(path.join(__dirname, 'preload.cjs')));
  // Under load the events of one tick cross IPC as one array; a lone event goes at once.
  const batcher = createEventBatcher<ApiEvent>((events) => mainWindow?.webContents.send(EVENT_CHANNEL, events.length === 1 ? events[0] : events));
  flushEvents = () => batcher.flush();
  const off = core.api.subscribe((event) => batcher.push(event));
  const unsubscribe = () => {
    off();
    batcher.close();
  };
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  mainWindow.on('closed', () => {
    unsubscribe();
    mainWindow = null;
  });
  await mainWindow.loadURL(APP_ENTRY);

  app.on('window-all-closed', async () => {
    await core.close();
    app.quit();
  });
}
