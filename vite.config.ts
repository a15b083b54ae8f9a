import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import type { Plugin } from 'vite';

/** The production CSP forbids inline code; fail the build if anything inline reaches index.html. */
function noInlineCode(): Plugin {
  return {
    name: 'countersign:no-inline-code',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        const problems: string[] = [];
        for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
          if (!/\bsrc=/.test(match[1] ?? '') || (match[2] ?? '').trim() !== '') problems.push('inline <script>');
        }
        if (/<style\b/i.test(html)) problems.push('<style> element');
        if (/\sstyle=/i.test(html)) problems.push('style="" attribute');
        if (/\son[a-z]+=/i.test(html)) problems.push('inline event handler');
        if (problems.length) throw new Error(`index.html would break the CSP: ${problems.join(', ')}`);
        return html;
      },
    },
  };
}

/**
 * The dev server injects inline code (React Refresh preamble, <style> tags for CSS, the HMR
 * socket), which the strict CSP blocks. Relax the policy for `vite serve` only; builds keep it.
 */
function devCsp(): Plugin {
  return {
    name: 'countersign:dev-csp',
    apply: 'serve',
    transformIndexHtml(html) {
      return html
        .replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
        .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
        .replace("connect-src 'self'", "connect-src 'self' ws: wss:");
    },
  };
}

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react(), devCsp(), noInlineCode()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    // Every asset becomes a file: data: URLs for scripts/styles would need CSP exceptions.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    cssCodeSplit: false,
    target: 'chrome120',
    sourcemap: true,
  },
});
