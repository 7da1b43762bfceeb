/**
 * The npm package as a library user gets it: packed from a clean copy of the checkout (no dist/ yet, so
 * `prepack` must build it), installed into a fresh folder with npm, then imported, run as `rmount`, and
 * type-checked under the tsconfig.json `tsc --init` writes, with Node's types. npm reaches only its
 * registry, and prefers its cache.
 */
import { cp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const tsc = join(root, 'node_modules/.bin/tsc')
const npmQuiet = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error']
let work: string
let consumer: string
let files: string[]
let version: string

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'rmount-package-'))
  // A clean checkout: the files git knows (committed or not, but not ignored), so no dist/.
  const source = join(work, 'source')
  const { stdout } = await execa('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root })
  for (const file of stdout.split('\0').filter(Boolean)) {
    await mkdir(dirname(join(source, file)), { recursive: true })
    await cp(join(root, file), join(source, file)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error // deleted in the worktree, not yet in git
    })
  }
  await symlink(join(root, 'node_modules'), join(source, 'node_modules'))
  const packed = await execa('npm', ['pack', '--json', '--pack-destination', work, ...npmQuiet], { cwd: source })
  const [result] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>
  files = result!.files.map((f) => f.path)
  version = (JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string }).version

  consumer = join(work, 'consumer')
  await mkdir(consumer)
  await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
  await execa('npm', ['install', join(work, result!.filename), '@types/node@20', ...npmQuiet], { cwd: consumer })
}, 300_000)

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true })
})

describe('the npm package', () => {
  it('holds the built library and CLI with their types, and nothing of the desktop app, tests or sources', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'dist/electron/engine/index.js',
        'dist/electron/engine/index.d.ts',
        'dist/electron/cli/rmount.js',
        'dist/shared/config.js',
        'dist/shared/config.d.ts',
      ]),
    )
    const stray = files.filter(
      (f) => !/^dist\/(electron\/(engine|cli)|shared)\/[^]*\.(js|d\.ts)$/.test(f) && !/^(package\.json|README\.md|LICENSE)$/.test(f),
    )
    expect(stray).toEqual([])
  })

  it('installs only what the library needs', async () => {
    const { stdout } = await execa('npm', ['ls', '--all', '--parseable', '--omit=dev'], { cwd: consumer, reject: false })
    const installed = stdout.split('\n').map((line) => line.split('node_modules/').pop())
    for (const desktopOnly of ['react', 'react-dom', 'zustand', 'electron-store', 'conf', 'electron', 'execa'])
      expect(installed, desktopOnly).not.toContain(desktopOnly)
    expect(installed).toContain('zod')
  })

  it('imports as a library: RemoteMount refuses a bad remote with INVALID_CONFIG', async () => {
    const script = `
      import { RemoteMount, RmountError, errorCodes } from 'rmount'
      try { new RemoteMount({ type: 'sftp', host: 'h', user: 'u', port: 0, agent: true }, '', '/tmp/x') }
      catch (error) { console.log(error instanceof RmountError, error.code, errorCodes.includes('UPLOAD_FAILING')) }
    `
    const { stdout } = await execa(process.execPath, ['--input-type=module', '-e', script], { cwd: consumer })
    expect(stdout).toBe('true INVALID_CONFIG true')
  })

  it('runs as the rmount command: --version and check', async () => {
    const rmount = join(consumer, 'node_modules/.bin/rmount')
    expect((await execa(rmount, ['--version'])).stdout).toBe(version)
    const check = await execa(rmount, ['check', '--rclone', join(root, 'vendor/bin/rclone')], { reject: false })
    expect(check.stdout).toMatch(/ok +rclone: v1\.\d+/)
    expect(check.stdout).toMatch(/ok +\/dev\/fuse/)
    expect(check.exitCode).toBe(0)
  })

  it("type-checks the README's library sample under the tsconfig tsc --init writes, with Node's types", { timeout: 180_000 }, async () => {
    const readme = await readFile(join(root, 'README.md'), 'utf8')
    const sample = /## The library[^]*?```ts\n([^]*?)```/.exec(readme)?.[1]
    expect(sample).toContain("from 'rmount'")
    await writeFile(join(consumer, 'sample.ts'), sample!)
    await execa(tsc, ['--init'], { cwd: consumer })
    const config = await readFile(join(consumer, 'tsconfig.json'), 'utf8')
    expect(config).toContain('"types": []')
    await writeFile(join(consumer, 'tsconfig.json'), config.replace('"types": []', '"types": ["node"]'))
    const checked = await execa(tsc, ['--noEmit', '-p', '.'], { cwd: consumer, reject: false })
    expect(checked.stdout).toBe('')
    expect(checked.exitCode).toBe(0)
  })
})
