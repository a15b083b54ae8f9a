import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';

const exposed = new Map<string, unknown>();
const invoked: unknown[][] = [];
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
  ipcRenderer: { invoke: (...args: unknown[]) => (invoked.push(args), Promise.resolve(null)), on: () => undefined, removeListener: () => undefined },
}));

const { resolveAppFile } = await import('../../../electron/shell/appProtocol.js');

describe('app:// resolution', () => {
  const root = path.resolve('/opt/countersign/renderer');
  it('maps the app host to files inside the renderer folder', () => {
    expect(resolveAppFile('app://countersign/', root)).toBe(path.join(root, 'index.html'));
    expect(resolveAppFile('app://countersign/assets/app.js', root)).toBe(path.join(root, 'assets', 'app.js'));
    expect(resolveAppFile('app://countersign/assets/%E4%B8%AD.png', root)).toBe(path.join(root, 'assets', '中.png'));
  });
  it('dot segments are resolved by the URL parser inside the app: they never climb out', () => {
    expect(resolveAppFile('app://countersign/../secret', root)).toBe(path.join(root, 'secret'));
    expect(resolveAppFile('app://countersign/%2e%2e/%2e%2e/secret', root)).toBe(path.join(root, 'secret'));
  });
  it.each([
    'app://countersign/%2E%2E%2Fsecret',
    'app://countersign/..%5csecret',
    'app://countersign/assets/..%2f..%2f..%2fetc%2fpasswd',
    'app://countersign/x%00.js',
    'app://countersign/%E0%A4%A',
    'app://Countersign.evil/index.html',
    'app://evil/index.html',
    'file:///etc/passwd',
    'not a url',
  ])('refuses %s', (url) => {
    expect(resolveAppFile(url, root)).toBeNull();
  });
  it('a sibling folder with the same prefix is outside', () => {
    expect(resolveAppFile('app://countersign/..%2frenderer-evil%2fx.js', root)).toBeNull();
  });
});

describe('the preload bridge', () => {
  it('exposes exactly invoke and subscribe, and passes the name as a string', async () => {
    await import('../../../electron/shell/preload.js');
    const api = exposed.get('countersign') as Record<string, unknown>;
    expect([...exposed.keys()]).toEqual(['countersign']);
    expect(Object.keys(api).sort()).toEqual(['invoke', 'subscribe']);
    await (api.invoke as (n: unknown, i: unknown) => Promise<unknown>)({ toString: () => 'status.get' }, {});
    expect(invoked[0]).toEqual(['countersign:invoke', 'status.get', {}]);
  });
});
