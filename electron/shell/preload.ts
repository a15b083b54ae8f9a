import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from './ipcChannels.js';

type Listener = (event: unknown) => void;

/**
 * The only bridge into the sandboxed page: two functions, no Node objects, no ipcRenderer. The
 * main process validates every call against the contract's schemas.
 */
contextBridge.exposeInMainWorld('countersign', {
  invoke(name: string, input: unknown): Promise<unknown> {
    return ipcRenderer.invoke(INVOKE_CHANNEL, String(name), input);
  },
  subscribe(listener: Listener): () => void {
    const handler = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => ipcRenderer.removeListener(EVENT_CHANNEL, handler);
  },
});
