import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({}));

const { mainWindowOptions, isTrustedSenderUrl, APP_ENTRY } = await import('../../../electron/shell/windowOptions.js');
const { ELECTRON_CSP, browserHostCsp } = await import('../../../electron/shell/csp.js');

describe('the main window', () => {
  const prefs = mainWindowOptions('/app/preload.cjs').webPreferences!;

  it('isolates the page from Node: contextIsolation, sandbox, no nodeIntegration anywhere', () => {
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.experimentalFeatures).toBe(false);
    expect(prefs.preload).toBe('/app/preload.cjs');
  });

  it('has no middle-click navigation, no drag-and-drop navigation, safe dialogs', () => {
    expect(prefs.disableBlinkFeatures).toBe('Auxclick');
    expect(prefs.navigateOnDragDrop).toBe(false);
    expect(prefs.safeDialogs).toBe(true);
  });

  it('keeps devtools closed unless explicitly asked for', () => {
    expect(prefs.devTools).toBe(false);
  });

  it('trusts IPC only from its own app:// page', () => {
    expect(isTrustedSenderUrl(APP_ENTRY)).toBe(true);
    expect(isTrustedSenderUrl('app://countersign/history')).toBe(true);
    expect(isTrustedSenderUrl('app://evil/index.html')).toBe(false);
    expect(isTrustedSenderUrl('https://countersign/index.html')).toBe(false);
    expect(isTrustedSenderUrl('file:///etc/passwd')).toBe(false);
    expect(isTrustedSenderUrl(undefined)).toBe(false);
    expect(isTrustedSenderUrl('not a url')).toBe(false);
  });
});

describe('the content security policy', () => {
  it('allows only own scripts and styles, no eval or inline, no network in Electron', () => {
    for (const csp of [ELECTRON_CSP, browserHostCsp(4321)]) {
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("base-uri 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/unsafe-(inline|eval)/);
    }
    expect(ELECTRON_CSP).toContain("connect-src 'none'");
    expect(browserHostCsp(4321)).toContain("connect-src 'self' ws://127.0.0.1:4321 ws://localhost:4321");
  });
});
