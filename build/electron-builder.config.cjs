// electron-builder configuration: installers for Linux (AppImage, deb), Windows (NSIS), macOS (dmg).
// Native modules (better-sqlite3, node-hid) are rebuilt for Electron's ABI during packaging.
/** @type {import('electron-builder').Configuration} */
module.exports = {
  appId: 'com.countersign.till',
  productName: 'Countersign',
  copyright: 'Copyright © Countersign',
  directories: { output: 'out', buildResources: 'build' },
  files: ['dist/**/*', '!dist/**/*.map', 'package.json'],
  extraMetadata: { main: 'dist/electron/main.cjs' },
  asar: true,
  asarUnpack: ['**/*.node'],
  npmRebuild: true,
  beforeBuild: 'build/before-build.cjs',
  buildDependenciesFromSource: false,
  // Hardening of the Electron binary itself (https://www.electronjs.org/docs/latest/tutorial/fuses).
  electronFuses: {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    grantFileProtocolExtraPrivileges: false,
  },
  fileAssociations: [
    {
      ext: 'csexport',
      name: 'Countersign incident export',
      description: 'An incident log exported by Countersign',
      mimeType: 'application/x-countersign-export',
      role: 'Viewer',
    },
  ],
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Office',
    icon: 'build/icons',
    synopsis: 'Shows every card charge to the cashier for confirmation before settlement',
    extraResources: [{ from: 'build/linux/60-countersign-terminal.rules', to: 'udev/60-countersign-terminal.rules' }],
  },
  deb: {
    depends: ['libusb-1.0-0', 'libnotify4', 'libxtst6', 'libnss3'],
    afterInstall: 'build/linux/after-install.sh',
    afterRemove: 'build/linux/after-remove.sh',
  },
  win: { target: ['nsis'], icon: 'build/icons/icon.png' },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
  mac: {
    target: ['dmg'],
    category: 'public.app-category.finance',
    icon: 'build/icons/icon.png',
    hardenedRuntime: true,
    gatekeeperAssess: false,
    entitlements: 'build/entitlements.mac.plist',
    entitlementsInherit: 'build/entitlements.mac.plist',
  },
};
