#!/usr/bin/env node
/**
 * Builds what `electron .` and electron-builder run, into dist/:
 * - dist/electron-main/main.js: the main process, one ESM bundle of electron/main and everything it
 *   imports. Only electron and the package's `dependencies` (the library's, which node_modules ships
 *   with the app) stay external; what only the desktop app needs (conf) is bundled, so it can be a
 *   devDependency and stays out of what a library user installs. ESM because conf is ESM-only and the
 *   engine finds vendor/ through import.meta.url.
 * - dist/electron-main/package.json: makes that folder an app of its own for `electron dist/electron-main`
 *   (the root package.json's `main` is the library's entry); electron-builder sets `main` through
 *   extraMetadata instead.
 * - dist/preload/preload.cjs: the preload, ONE CommonJS file with nothing external but electron: a
 *   sandboxed preload cannot require any file of its own.
 * The window (dist/renderer/) is the renderer's own build, `npm run build:renderer`, which
 * `npm run build:electron` runs after this. Type-checking is `npm run typecheck`'s job; this only bundles.
 */
import { readFile, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const at = (path) => join(root, path)
const electronTarget = 'node22'
const pkg = JSON.parse(await readFile(at('package.json'), 'utf8'))

await rm(at('dist/electron-main'), { recursive: true, force: true })
await rm(at('dist/preload'), { recursive: true, force: true })

await build({
  entryPoints: [at('electron/main/main.ts')],
  outfile: at('dist/electron-main/main.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: electronTarget,
  external: ['electron', ...Object.keys(pkg.dependencies ?? {})],
  // Bundled CommonJS (conf's ajv) calls require() for Node's modules: give the ESM bundle a real one.
  banner: {
    js: "import { createRequire as __rmountCreateRequire } from 'node:module'; const require = __rmountCreateRequire(import.meta.url);",
  },
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

// The same name as the root package, so the app's data folder (userData) is the same however it is started.
await writeFile(
  at('dist/electron-main/package.json'),
  `${JSON.stringify({ name: pkg.name, version: pkg.version, private: true, type: 'module', main: 'main.js' }, null, 2)}\n`,
)

console.log('built dist/electron-main/main.js and dist/preload/preload.cjs')
