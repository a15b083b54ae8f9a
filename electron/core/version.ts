/** Replaced at build time by esbuild's `define`; the fallback serves tests run from source. */
declare const __COUNTERSIGN_VERSION__: string | undefined;
export const APP_VERSION: string = typeof __COUNTERSIGN_VERSION__ === 'string' ? __COUNTERSIGN_VERSION__ : '0.0.0-dev';
