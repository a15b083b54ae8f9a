/**
 * package.json's `dependencies` are what a packaged app loads from node_modules at run time (the
 * bundler's externals); everything the bundles contain is a devDependency, so the installers do not
 * ship React or zod twice. And every package the code imports is declared.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
// @ts-expect-error: a plain .mjs build script without types
import { EXTERNAL, OPTIONAL_NATIVE_HELPERS, PROVIDED_OR_DEV_ONLY, RUNTIME_PACKAGES } from '../../../scripts/externals.mjs';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sourceFiles(file);
    return /\.(ts|tsx|mts|cts)$/.test(name) && !name.endsWith('.d.ts') ? [file] : [];
  });
}

/** The bare package names a file imports (static, dynamic and type imports). */
function importedPackages(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*|^import\s+)['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
  return specifiers
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtinModules.includes(s))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!));
}

describe('dependencies', () => {
  it('are exactly the packages the bundles leave for run time', () => {
    expect(Object.keys(pkg.dependencies).sort()).toEqual([...RUNTIME_PACKAGES].sort());
    expect(new Set(EXTERNAL)).toEqual(new Set([...RUNTIME_PACKAGES, ...OPTIONAL_NATIVE_HELPERS, ...PROVIDED_OR_DEV_ONLY]));
  });

  it('cover every package the app code imports; the screens import only bundled (dev) packages', () => {
    const declared = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)]);
    const undeclared: string[] = [];
    for (const area of ['electron', 'native', 'renderer']) {
      for (const file of sourceFiles(path.join(root, area))) {
        for (const name of importedPackages(file)) if (!declared.has(name)) undeclared.push(`${path.relative(root, file)}: ${name}`);
      }
    }
    expect(undeclared).toEqual([]);
    const runtimeInRenderer = sourceFiles(path.join(root, 'renderer'))
      .flatMap((file) => importedPackages(file).map((name) => [path.relative(root, file), name] as const))
      .filter(([, name]) => RUNTIME_PACKAGES.includes(name));
    expect(runtimeInRenderer).toEqual([]);
  });

  it('the scan sees imports (it is not vacuous)', () => {
    const counter = sourceFiles(path.join(root, 'renderer')).flatMap(importedPackages);
    expect(counter).toEqual(expect.arrayContaining(['react', 'zustand', 'react-i18next']));
    expect(sourceFiles(path.join(root, 'electron')).flatMap(importedPackages)).toEqual(expect.arrayContaining(['better-sqlite3', 'zod', 'ws']));
  });
});
