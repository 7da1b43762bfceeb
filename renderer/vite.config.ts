/**
 * Builds the window into dist/renderer. Electron loads it from file://, so asset paths are
 * relative, and the CSP goes into the page itself: response headers do not exist for file://.
 */
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig, type Plugin } from 'vite'
// Build-time only (this file runs in Node): the policy has one home, beside the window's other security settings.
import { metaContentSecurityPolicy } from '../electron/app/window-security.js'

// Only in the build: the dev server injects CSS through <style> elements and a React Refresh
// preamble inline, both of which this policy forbids.
function cspMeta(): Plugin {
  return {
    name: 'rmount-csp-meta',
    apply: 'build',
    transformIndexHtml: () => [
      { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: metaContentSecurityPolicy }, injectTo: 'head-prepend' },
    ],
  }
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [react(), cspMeta()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome130',
    // An inlined asset would become a data: URL; fonts and styles may not come from data: under the CSP.
    assetsInlineLimit: 0,
    reportCompressedSize: true,
  },
  server: { host: '127.0.0.1', strictPort: false },
})
