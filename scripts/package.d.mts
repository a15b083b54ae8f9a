/** Types for scripts/package.mjs (used by its test). */
export function explainPackagingFailure(error: unknown, version?: string): string;
