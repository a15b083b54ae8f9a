// `npm run dist [-- --linux|--win|--mac]`: builds, then packages installers with electron-builder.
// Packaging needs the Electron distribution for the target platform; where it cannot be downloaded
// (no internet) this stops with a clear message instead of a stack trace.
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);
const config = require(path.join(root, 'build', 'electron-builder.config.cjs'));
const electronVersion = require(path.join(root, 'node_modules', 'electron', 'package.json')).version;

const NETWORK = /fetch failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|getaddrinfo|unable to (download|get local issuer)|socket hang up|status code 40[34]/i;

export function explainPackagingFailure(error, version = electronVersion) {
  const text = `${error?.message ?? error}\n${error?.cause?.message ?? ''}`;
  if (NETWORK.test(text)) {
    return (
      `countersign dist: the Electron ${version} distribution for this platform could not be downloaded, ` +
      `so no installer can be built on this machine. Build on a machine with internet access, or put ` +
      `electron-v${version}-<platform>-<arch>.zip into the folder named by ELECTRON_CACHE and run again.`
    );
  }
  return `countersign dist: packaging failed: ${text.split('\n')[0]}`;
}

async function main() {
  const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  if (build.status !== 0) return build.status ?? 1;
  const builder = await import('electron-builder');
  const args = process.argv.slice(2);
  const targets = args.includes('--win')
    ? builder.Platform.WINDOWS.createTarget()
    : args.includes('--mac')
      ? builder.Platform.MAC.createTarget()
      : builder.Platform.LINUX.createTarget();
  try {
    const files = await builder.build({ targets, config, publish: 'never', projectDir: root });
    for (const file of files) console.log(`countersign dist: ${path.relative(root, file)}`);
    return 0;
  } catch (error) {
    console.error(explainPackagingFailure(error));
    return 2;
  } finally {
    // Packaging rebuilt better-sqlite3 for Electron's ABI; put the Node build back for the CLI and tests.
    spawnSync('npm', ['rebuild', 'better-sqlite3'], { cwd: root, stdio: 'ignore' });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}
