import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '..', '..', '..');
const config = require(path.join(root, 'build', 'electron-builder.config.cjs'));

describe('electron-builder configuration', () => {
  it('passes electron-builder’s own schema validation', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js');
    const { DebugLogger } = require('builder-util/out/DebugLogger.js');
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('sets the security fuses: no RunAsNode, no NODE_OPTIONS, no inspect flags, ASAR integrity, app only from ASAR, cookie encryption', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
    });
    expect(config.asar).toBe(true);
  });

  it('builds the installers the shop needs, from files that exist', () => {
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.win.target).toContain('nsis');
    expect(config.mac.target).toContain('dmg');
    expect(config.mac.hardenedRuntime).toBe(true);
    for (const file of [
      config.mac.entitlements,
      config.deb.afterInstall,
      config.deb.afterRemove,
      config.beforeBuild,
      config.linux.extraResources[0].from,
      path.join(config.linux.icon, '512x512.png'),
    ]) {
      expect(existsSync(path.join(root, file)), file).toBe(true);
    }
    expect(config.deb.depends).toContain('libusb-1.0-0');
    expect(config.extraMetadata.main).toBe('dist/electron/main.cjs');
  });

  it('ships a udev rule for the CP2110 terminal bridge that the deb installs', () => {
    const rule = readFileSync(path.join(root, config.linux.extraResources[0].from), 'utf8');
    expect(rule).toMatch(/KERNEL=="hidraw\*", ATTRS\{idVendor\}=="10c4", ATTRS\{idProduct\}=="ea80"/);
    expect(rule).toMatch(/TAG\+="uaccess"/);
    expect(readFileSync(path.join(root, config.deb.afterInstall), 'utf8')).toContain('udevadm control --reload-rules');
  });

  it('explains an impossible Electron download instead of printing a stack trace', async () => {
    const { explainPackagingFailure } = await import('../../../scripts/package.mjs');
    const offline = Object.assign(new TypeError('fetch failed'), { cause: new Error('getaddrinfo ENOTFOUND') });
    expect(explainPackagingFailure(offline, '45.5.0')).toMatch(/Electron 45\.5\.0 distribution .* could not be downloaded/);
    expect(explainPackagingFailure(new Error('disk quota exceeded'), '45.5.0')).toBe('countersign dist: packaging failed: disk quota exceeded');
  });
});
