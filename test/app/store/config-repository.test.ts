/** FileConfigRepository over real files with the real `conf`: corrupt, invalid, newer and old files. */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { RmountError } from '../../../shared/errors.js'
import type { StoredConfig } from '../../../electron/app/contracts.js'
import { FileConfigRepository } from '../../../electron/app/store/config-repository.js'
import { defaultStoredConfig, storeVersion, storedConfigSchema } from '../../../electron/app/store/store-schema.js'
import { fullConfig, tempDir } from './fixtures.js'

// Parsed twice to reach the form a reload gives: shared/config.ts's `mountOptionsSchema.partial()` keeps the inner
// defaults, so a second parse of `options: { readOnly: true }` fills in every other option.
const config = storedConfigSchema.parse(storedConfigSchema.parse(fullConfig)) as StoredConfig

async function repository() {
  const cwd = await tempDir()
  return { cwd, repo: new FileConfigRepository({ cwd }), path: join(cwd, 'config.json') }
}

async function movedAside(cwd: string): Promise<string[]> {
  return (await readdir(cwd)).filter((name) => /^config\.corrupt-.+\.json$/.test(name)).sort()
}

describe('FileConfigRepository', () => {
  it('starts with defaults, no notice and no file', async () => {
    const { cwd, repo, path } = await repository()
    expect(repo.path).toBe(path)
    expect(await repo.load()).toEqual({ config: defaultStoredConfig(), notice: null })
    expect(await readdir(cwd)).toEqual([])
  })

  it('saves atomically with mode 0600 and loads what it saved', async () => {
    const { cwd, repo, path } = await repository()
    await writeFile(path, '{}', { mode: 0o644 })
    const before = await stat(path)
    await repo.save(config)
    const after = await stat(path)
    expect(after.mode & 0o777).toBe(0o600)
    // A new inode: written beside and renamed over, never truncated in place.
    expect(after.ino).not.toBe(before.ino)
    expect(await readdir(cwd)).toEqual(['config.json'])
    expect(await new FileConfigRepository({ cwd }).load()).toEqual({ config, notice: null })
  })

  it('moves a file that is not JSON aside, keeps its bytes, and starts from defaults with a notice', async () => {
    const { cwd, repo, path } = await repository()
    const bytes = Buffer.from('{"version": 1, "remotes": [ {"id": "half-writ')
    await writeFile(path, bytes, { mode: 0o600 })
    const { config: loaded, notice } = await repo.load()
    expect(loaded).toEqual(defaultStoredConfig())
    const [moved] = await movedAside(cwd)
    expect(moved).toBeDefined()
    expect(await readFile(join(cwd, moved!))).toEqual(bytes)
    expect((await stat(join(cwd, moved!))).mode & 0o777).toBe(0o600)
    expect(notice).toContain(join(cwd, moved!))
    expect(notice).toContain('not valid JSON')
    expect(notice).toMatch(/rename it to config\.json/)
    expect(await readdir(cwd)).toEqual([moved])
    // The next save writes a new file and leaves the moved one alone.
    await repo.save(config)
    expect(await readFile(join(cwd, moved!))).toEqual(bytes)
    expect((await repo.load()).config).toEqual(config)
  })

  it('says where a file is not JSON without quoting it: it may hold a secret', async () => {
    const { repo, path } = await repository()
    const secret = 'hunter2-in-the-file'
    for (const text of [`{\n  "version": 1,\n  "pass": ${secret}\n}`, `{"pass": "${secret}", `]) {
      await writeFile(path, text)
      const { notice } = await repo.load()
      expect(notice).toContain('not valid JSON')
      expect(notice).not.toContain(secret)
      expect(notice).not.toContain('hunter')
    }
  })

  it('moves an empty file aside too', async () => {
    const { cwd, repo, path } = await repository()
    await writeFile(path, '')
    expect((await repo.load()).notice).toContain('not valid JSON')
    expect(await movedAside(cwd)).toHaveLength(1)
  })

  it('moves a file that fails the schema aside, with the bad fields in the notice', async () => {
    const { cwd, repo, path } = await repository()
    const bad = structuredClone(fullConfig)
    ;(bad.remotes[2]!.remote as Record<string, unknown>).port = 'twenty-two'
    const text = JSON.stringify(bad)
    await writeFile(path, text)
    const { config: loaded, notice } = await repo.load()
    expect(loaded).toEqual(defaultStoredConfig())
    expect(notice).toContain('remotes.2.remote.port')
    const moved = await movedAside(cwd)
    expect(moved).toHaveLength(1)
    expect(await readFile(join(cwd, moved[0]!), 'utf8')).toBe(text)
  })

  it('never overwrites a file moved aside before', async () => {
    const { cwd, repo, path } = await repository()
    // Several corrupt files within the same millisecond or so get distinct names.
    for (let i = 0; i < 5; i++) {
      await writeFile(path, `not json ${i}`)
      await repo.load()
    }
    const moved = await movedAside(cwd)
    expect(moved).toHaveLength(5)
    const contents = await Promise.all(moved.map((name) => readFile(join(cwd, name), 'utf8')))
    expect(contents.sort()).toEqual([0, 1, 2, 3, 4].map((i) => `not json ${i}`))
  })

  it('leaves a file from a newer RMount untouched, and refuses to save over it', async () => {
    const { cwd, repo, path } = await repository()
    const text = JSON.stringify({ ...fullConfig, version: 99, somethingNew: { a: 1 } })
    await writeFile(path, text, { mode: 0o600 })
    const before = await stat(path)
    const { config: loaded, notice } = await repo.load()
    expect(loaded).toEqual(defaultStoredConfig())
    expect(notice).toContain('was written by a newer RMount')
    expect(notice).toContain('left untouched')
    const error = await repo.save(config).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RmountError)
    expect((error as RmountError).code).toBe('INVALID_CONFIG')
    expect((error as RmountError).message).toMatch(/newer RMount .* Update RMount/)
    expect(await readFile(path, 'utf8')).toBe(text)
    expect((await stat(path)).mtimeMs).toBe(before.mtimeMs)
    expect(await readdir(cwd)).toEqual(['config.json'])
  })

  it('refuses to save over a newer file that appeared after load', async () => {
    const { repo, path } = await repository()
    await repo.load()
    const text = JSON.stringify({ version: storeVersion + 1, settings: {} })
    await writeFile(path, text)
    await expect(repo.save(config)).rejects.toThrow(/newer RMount/)
    expect(await readFile(path, 'utf8')).toBe(text)
  })

  it('moves aside a file that became unusable after load before saving', async () => {
    const { cwd, repo, path } = await repository()
    await repo.save(config)
    const edits = ['{ hand edit gone wrong', JSON.stringify({ ...config, version: storeVersion, mounts: 'oops' })]
    for (const edit of edits) {
      await writeFile(path, edit)
      await repo.save(config)
    }
    const moved = await movedAside(cwd)
    expect(moved).toHaveLength(2)
    const contents = await Promise.all(moved.map((name) => readFile(join(cwd, name), 'utf8')))
    expect(contents.sort()).toEqual([...edits].sort())
    expect((await repo.load()).config).toEqual(config)
  })

  it('migrates a pre-settings file (an `rmount up` config stored as-is) and saves it in the current shape', async () => {
    const { repo, path } = await repository()
    const v0 = { version: 1, remotes: [{ id: 'box', name: 'Box', remote: { type: 'sftp', host: 'box', user: 'me', agent: true } }] }
    await writeFile(path, JSON.stringify(v0))
    const { config: loaded, notice } = await repo.load()
    expect(notice).toBeNull()
    expect(loaded.settings.theme).toBe('system')
    expect(loaded.remotes[0]!.remote).toMatchObject({ type: 'sftp', host: 'box', port: 22 })
    await repo.save(loaded)
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ version: storeVersion, settings: { theme: 'system' } })
  })

  it("ignores conf's own bookkeeping key", async () => {
    const { repo, path } = await repository()
    await writeFile(path, JSON.stringify({ ...config, __internal__: { migrations: { version: '1.0.0' } } }))
    expect(await repo.load()).toEqual({ config, notice: null })
  })

  it('refuses to save an invalid config and leaves the file as it was', async () => {
    const { repo, path } = await repository()
    await repo.save(config)
    const text = await readFile(path, 'utf8')
    const bad = { ...config, mounts: [{ ...config.mounts[0]!, remoteId: 'gone' }] }
    await expect(repo.save(bad)).rejects.toThrow(/mounts\.0\.remoteId/)
    expect(await readFile(path, 'utf8')).toBe(text)
  })

  it('creates its folder when it does not exist', async () => {
    const cwd = join(await tempDir(), 'deeper', 'RMount')
    const repo = new FileConfigRepository({ cwd })
    await repo.load()
    await repo.save(config)
    expect((await stat(join(cwd, 'config.json'))).mode & 0o777).toBe(0o600)
  })

  it('reports a config path that cannot be read as a file instead of moving it', async () => {
    const { repo, path } = await repository()
    await mkdir(path)
    await expect(repo.load()).rejects.toThrow(/cannot be read \(EISDIR\)/)
    expect((await stat(path)).isDirectory()).toBe(true)
  })
})
