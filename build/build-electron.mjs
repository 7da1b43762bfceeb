#!/usr/bin/env node
/**
 * Builds what `electron .` and electron-builder run, into dist/:
 * - dist/electron-main/main.js: the main process, one ESM bundle of electron/main and everything it
 *   imports from the repository. Packages stay external (node_modules ships with the app), and ESM
 *   because conf and execa are ESM-only and the engine finds vendor/ through import.meta.url.
 * - dist/preload/preload.cjs: the preload, ONE CommonJS file with nothing external but electron: a
 *   sandboxed preload cannot require any file of its own.
 * The window (dist/renderer/) is the renderer's own build, `npm run build:renderer`, which
 * `npm run build:electron` runs after this. Type-checking is `npm run typecheck`'s job; this only bundles.
 */
import { rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const at = (path) => join(root, path)
const electronTarget = 'node22'

await rm(at('dist/electron-main'), { recursive: true, force: true })
await rm(at('dist/preload'), { recursive: true, force: true })

await build({
  entryPoints: [at('electron/main/main.ts')],
  outfile: at('dist/electron-main/main.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: electronTarget,
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
})

await build({
  entryPoints: [at('electron/preload/preload.ts')],
  outfile: at('dist/preload/preload.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: electronTarget,
  external: ['electron'],
  sourcemap: 'inline',
  logLevel: 'warning',
})

console.log('built dist/electron-main/main.js and dist/preload/preload.cjs')
