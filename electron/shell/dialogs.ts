/**
 * The native folder/file choosers for the core (FileDialogs), through Electron's dialog module,
 * attached to the app's window. Only the shell imports electron.
 */
import { BrowserWindow, dialog } from 'electron';
import type { FileDialogs } from '../core/fileDialogs.js';

export function createElectronDialogs(): FileDialogs {
  return {
    async choose(kind) {
      const window = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
      const options: Electron.OpenDialogOptions = {
        properties: kind === 'folder' ? ['openDirectory', 'createDirectory'] : ['openFile'],
        ...(kind === 'file'
          ? { filters: [{ name: 'Evidence', extensions: ['jpg', 'jpeg', 'png', 'gif', 'webp', 'heic', 'pdf', 'txt', 'csv', 'json', 'eml'] }] }
          : {}),
      };
      const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
  };
}
