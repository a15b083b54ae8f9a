// What esbuild leaves out of the bundles, loaded from node_modules at run time: native addons,
// packages that read their own data files, ws's optional native helpers, and tools only the bench
// loads. Of these, the ones a packaged app needs are exactly package.json's `dependencies`
// (test/unit/build/dependencies.test.ts holds that); everything bundled is a devDependency.
export const RUNTIME_PACKAGES = ['better-sqlite3', 'node-hid', '@resvg/resvg-js', 'pdfkit', 'iconv-lite', 'fontkit'];
export const OPTIONAL_NATIVE_HELPERS = ['bufferutil', 'utf-8-validate'];
export const PROVIDED_OR_DEV_ONLY = ['electron', '@playwright/test'];
export const EXTERNAL = [...PROVIDED_OR_DEV_ONLY, ...RUNTIME_PACKAGES, ...OPTIONAL_NATIVE_HELPERS];
