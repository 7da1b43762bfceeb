/**
 * Children that cannot start become error codes, never a crash of the supervisor; setpriv comes
 * from PATH, and without it children still start (unprotected) and `checkSystem` says so.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { exited, findSetpriv, notStartedCode, spawnErrorOf, spawnTied } from '../../electron/engine/child-process.js'
import { checkSystem, RemoteMount, RmountError } from '../../electron/engine/index.js'
import { FsProbe } from '../../electron/engine/fs-probe.js'
import { startS3, stopAllServers, tempDir } from '../servers/index.js'
import { cleanUpMounts, rclonePidsFor, s3RemoteOf } from '../mount-helpers.js'

const savedPath = process.env.PATH
const mounts: RemoteMount[] = []
const mountPoints = new Set<string>()

afterEach(async () => {
  process.env.PATH = savedPath
  await cleanUpMounts(mounts, mountPoints)
})
afterAll(stopAllServers)

describe('child processes', () => {
  it('turns a spawn failure into an exit code and an error, with and without setpriv', async () => {
    for (const path of [savedPath, '/nonexistent-bin']) {
      process.env.PATH = path
      // A working folder that does not exist fails the spawn itself, setpriv or not.
      const child = spawnTied('/bin/true', [], { cwd: '/nonexistent-folder', stdio: 'ignore' })
      expect(await exited(child)).toBe(notStartedCode)
      expect(spawnErrorOf(child)?.message).toMatch(/ENOENT/)
      // Asked again after the fact, it answers at once.
      expect(await exited(child)).toBe(notStartedCode)
    }
    process.env.PATH = '/nonexistent-bin'
    const missing = spawnTied('/nonexistent/rclone', ['version'], { stdio: 'ignore' })
    expect(await exited(missing)).toBe(notStartedCode)
    expect(spawnErrorOf(missing)).toBeDefined()
  })

  it('finds setpriv on PATH, and starts children unprotected without it', async () => {
    const bin = await tempDir('rmount-setpriv-')
    await writeFile(join(bin, 'setpriv'), '#!/bin/sh\nshift 3\nexec "$@"\n')
    await chmod(join(bin, 'setpriv'), 0o755)
    process.env.PATH = `${bin}:${savedPath}`
    expect(findSetpriv()).toBe(join(bin, 'setpriv'))
    process.env.PATH = '/nonexistent-bin'
    expect(findSetpriv()).toBeNull()
    const child = spawnTied('/bin/sh', ['-c', 'exit 7'], { stdio: 'ignore' })
    expect(await exited(child)).toBe(7)
    expect(spawnErrorOf(child)).toBeUndefined()
    const report = await checkSystem()
    const item = report.items.find((i) => i.name === 'setpriv')
    expect(item).toMatchObject({ ok: false, optional: true, detail: expect.stringMatching(/orphan protection is off/) })
    expect(item?.fix).toMatch(/util-linux/)
    process.env.PATH = savedPath
    expect((await checkSystem()).items.find((i) => i.name === 'setpriv')).toMatchObject({ ok: true, detail: expect.stringMatching(/on$/) })
  })

  it('fails a mount whose rclone cannot be started with RCLONE_NOT_FOUND, without crashing', async () => {
    const s3 = await startS3({ buckets: ['spawn'] })
    const dir = await tempDir('rmount-spawn-')
    // An rclone that answers `version` and the preflight, then vanishes: the mount's own spawn fails.
    const rclone = join(dir, 'rclone')
    const real = resolve('vendor/bin/rclone')
    await writeFile(rclone, `#!/bin/sh\ncase "$1" in version) ;; *) /bin/rm -f "$0" ;; esac\nexec ${real} "$@"\n`)
    await chmod(rclone, 0o755)
    const localPath = join(dir, 'mnt')
    await mkdir(localPath)
    mountPoints.add(localPath)
    // Without setpriv on PATH rclone is spawned directly, so its spawn failure reaches the supervisor.
    process.env.PATH = '/nonexistent-bin'
    const m = new RemoteMount(s3RemoteOf(s3), 'spawn', localPath, { stateDir: join(dir, 'state'), rclonePath: rclone })
    mounts.push(m)
    await expect(m.mount()).rejects.toMatchObject({ code: 'RCLONE_NOT_FOUND', message: expect.stringMatching(/Could not start .*ENOENT/) })
    expect(m.state).toBe('failed')
    expect(rclonePidsFor(localPath)).toEqual([])
  })

  it('fails a mount with an error code, never a crash, when a setpriv on PATH cannot be started', async () => {
    const s3 = await startS3({ buckets: ['spawn'] })
    const dir = await tempDir('rmount-spawn-')
    const bin = join(dir, 'bin')
    await mkdir(bin)
    // Executable, but its interpreter does not exist: every spawn through it fails with ENOENT.
    await writeFile(join(bin, 'setpriv'), '#!/nonexistent/interpreter\n')
    await chmod(join(bin, 'setpriv'), 0o755)
    const localPath = join(dir, 'mnt')
    mountPoints.add(localPath)
    // A folder helper started before setpriv broke: the mount gets past the folder checks to rclone's preflight.
    const running = new FsProbe()
    expect((await running.run({ op: 'stat', path: dir }, 5000)).ok).toBe(true)
    process.env.PATH = `${bin}:${savedPath}`
    expect(findSetpriv()).toBe(join(bin, 'setpriv'))
    const attempts: [FsProbe, string][] = [
      [new FsProbe(), 'SPAWN_FAILED'],
      [running, 'RCLONE_NOT_FOUND'],
    ]
    for (const [fsProbe, code] of attempts) {
      const m = new RemoteMount(s3RemoteOf(s3), 'spawn', localPath, { stateDir: join(dir, 'state'), fsProbe })
      mounts.push(m)
      const error = await m.mount().then(
        () => null,
        (caught: unknown) => caught,
      )
      expect(error).toBeInstanceOf(RmountError)
      expect(error).toMatchObject({ code, message: expect.stringMatching(/setpriv ENOENT/) })
      expect(m.state).toBe('failed')
      fsProbe.close()
    }
    expect(rclonePidsFor(localPath)).toEqual([])
  })
})
