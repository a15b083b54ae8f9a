// electron-builder hook: rebuild only the modules that need Electron's ABI. better-sqlite3 must be
// rebuilt; node-hid ships N-API prebuilds that work in Electron as they are (rebuilding it from
// source would need libusb's headers for nothing). Returning false stops electron-builder's own
// rebuild of every native module.
const { rebuild } = require('@electron/rebuild');

module.exports = async function beforeBuild(context) {
  await rebuild({
    buildPath: context.appDir,
    electronVersion: context.electronVersion,
    arch: context.arch,
    onlyModules: ['better-sqlite3'],
    force: true,
  });
  return false;
};
