/**
 * MountManager over real rclone FUSE mounts of a real s3rver: mounts at start, brings back a mount
 * that gave up when probed after a "resume", and quits without losing a byte (or, forced, says which
 * files stay in the cache, which then upload at the next mount).
 */
import { randomBytes } from 'node:crypto'
import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { SavedMount } from '../../shared/config.js'
import { settingsSchema } from '../../shared/ipc.js'
import type { MountHealth } from '../../shared/mount-state.js'
import type { SecretCipher, StoredConfig, StoredRemote } from '../../electron/app/contracts.js'
import { MountManager, type QuitProgress } from '../../electron/app/mount-manager.js'
import { toEngineRemote } from '../../electron/app/store/secrets.js'
import { createAesFileCipher } from './aes-file-cipher.js'
import { isMounted } from '../mount-helpers.js'
import { startS3, stopAllServers, tempDir, type S3Server } from '../servers/index.js'

const run = promisify(execFile)
const bucket = 'bucket'
// s3rver checks the access key id only, so a secret of our own makes leaks searchable.
const secret = `mm-secret-${randomBytes(6).toString('hex')}`

let s3: S3Server
let cipher: SecretCipher
let previousStateHome: string | undefined
const managers: MountManager[] = []
const mountPoints: string[] = []

beforeAll(async () => {
  // Any mount without a stateDir of its own keeps its cache here, never in ~/.local/state.
  previousStateHome = process.env.XDG_STATE_HOME
  process.env.XDG_STATE_HOME = await tempDir('rmount-mm-xdg-')
  s3 = await startS3({ buckets: [bucket] })
  cipher = await createAesFileCipher(join(await tempDir('rmount-mm-key-'), 'key'))
})

afterEach(async () => {
  for (const manager of managers.splice(0)) {
    for (const id of Object.keys(manager.healthAll())) await manager.unmount(id, { force: true }).catch(() => undefined)
  }
  for (const path of mountPoints.splice(0)) if (isMounted(path)) await run('fusermount3', ['-uz', path]).catch(() => undefined)
})

afterAll(async () => {
  if (previousStateHome === undefined) delete process.env.XDG_STATE_HOME
  else process.env.XDG_STATE_HOME = previousStateHome
  await stopAllServers()
})

async function storedRemote(id: string, accessKeyId = s3.accessKeyId): Promise<StoredRemote> {
  return {
    id,
    name: `Remote ${id}`,
    remote: {
      type: 's3',
      provider: 'Minio',
      endpoint: s3.endpoint,
      accessKeyId,
      secretAccessKey: { encrypted: await cipher.encrypt(secret) },
    },
  }
}

async function savedMount(id: string, remoteId: string, options: SavedMount['options'] = {}, mountAtStart = false): Promise<SavedMount> {
  const dir = await tempDir(`rmount-mm-${id}-`)
  const localPath = join(dir, 'mnt')
  mountPoints.push(localPath)
  return { id, remoteId, remotePath: bucket, localPath, mountAtStart, options: { stateDir: join(dir, 'state'), ...options } }
}

function config(remotes: StoredRemote[], mounts: SavedMount[]): StoredConfig {
  return { version: 1, remotes, mounts, settings: settingsSchema.parse({}) }
}

function newManager(progressIntervalMs = 100): MountManager {
  const manager = new MountManager({ resolveRemote: (remote) => toEngineRemote(remote, cipher), progressIntervalMs })
  managers.push(manager)
  return manager
}

/** Resolves once the mount's health matches, from its events; rejects after `timeoutMs` with the last health seen. */
function waitForHealth(
  manager: MountManager,
  id: string,
  match: (health: MountHealth) => boolean,
  timeoutMs = 20_000,
): Promise<MountHealth> {
  const now = manager.health(id)
  if (match(now)) return Promise.resolve(now)
  return new Promise((resolve, reject) => {
    const onHealth = (from: string, health: MountHealth) => {
      if (from !== id || !match(health)) return
      clearTimeout(timer)
      manager.off('health', onHealth)
      resolve(health)
    }
    const timer = setTimeout(() => {
      manager.off('health', onHealth)
      const health = manager.health(id)
      reject(new Error(`mount ${id} did not reach the expected health within ${timeoutMs} ms: ${health.state}: ${health.reason}`))
    }, timeoutMs)
    manager.on('health', onHealth)
  })
}

async function writeFiles(localPath: string, count: number, prefix: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>()
  for (let i = 0; i < count; i++) {
    const name = `${prefix}-${i}.bin`
    const bytes = randomBytes(64 * 1024 + i * 1000)
    await writeFile(join(localPath, name), bytes)
    files.set(name, bytes)
  }
  return files
}

async function expectOnServer(files: Map<string, Buffer>): Promise<void> {
  for (const [name, bytes] of files) {
    const stored = await s3.readObject(bucket, name)
    expect({ name, equal: stored?.equals(bytes) ?? false }).toEqual({ name, equal: true })
  }
}

describe('MountManager', () => {
  it('mounts exactly the mounts marked mountAtStart, and reports their health as events', async () => {
    const remote = await storedRemote('s3')
    const atStart = await savedMount('at-start', 's3', {}, true)
    const later = await savedMount('later', 's3')
    const manager = newManager()
    const events: string[] = []
    manager.on('health', (id, health) => events.push(`${id}:${health.state}`))
    const reconciled = manager.reconcile(config([remote], [atStart, later]))
    expect(reconciled).toEqual({ added: ['at-start', 'later'], updated: [], removed: [], deferred: [] })

    const started = await manager.mountAtStart()
    expect(Object.keys(started)).toEqual(['at-start'])
    expect(started['at-start']!.state).toBe('mounted')
    expect(manager.health('later').state).toBe('unmounted')
    expect(isMounted(atStart.localPath)).toBe(true)
    expect(isMounted(later.localPath)).toBe(false)
    expect(events).toContain('at-start:mounting')
    expect(events).toContain('at-start:mounted')
    expect(manager.logs('at-start').length).toBeGreaterThan(0)

    // A change to a mounted mount waits for its unmount; an idle one takes it at once.
    const changed = manager.reconcile(
      config(
        [remote],
        [
          { ...atStart, options: { ...atStart.options, readOnly: true } },
          { ...later, options: { ...later.options, writeBackMs: 1000 } },
        ],
      ),
    )
    expect(changed.deferred).toEqual(['at-start'])
    expect(changed.updated).toEqual(['later'])
    await manager.unmount('at-start')
    const remounted = await manager.mount('at-start')
    expect(remounted.state).toBe('mounted')
    await expect(writeFile(join(atStart.localPath, 'ro.txt'), 'x')).rejects.toThrow(/EROFS|read-only/i)
  })

  it('probeAll mounts again a mount that gave up after its rclone was killed, and leaves the others alone', async () => {
    const remote = await storedRemote('s3')
    const wrong = await storedRemote('wrong-key', 'NOT-A-KEY')
    const fragile = await savedMount('fragile', 's3', { maxRestarts: 0 })
    const steady = await savedMount('steady', 's3')
    const badKey = await savedMount('bad-key', 'wrong-key')
    const userUnmounted = await savedMount('user-unmounted', 's3', { maxRestarts: 0 })
    const manager = newManager()
    manager.reconcile(config([remote, wrong], [fragile, steady, badKey, userUnmounted]))
    await manager.mount('fragile')
    await manager.mount('steady')
    await expect(manager.mount('bad-key')).rejects.toMatchObject({ code: 'AUTH_FAILED' })
    await manager.mount('user-unmounted')
    await manager.unmount('user-unmounted')
    const steadyPid = manager.health('steady').pid!

    // Nothing to do while every wanted mount is well.
    expect(await manager.probeAll()).toEqual([])

    const before = await writeFiles(fragile.localPath, 1, 'before-kill')
    // FUSE delivers RELEASE after close() returns: give rclone the moment it needs to queue the file.
    await new Promise((resolve) => setTimeout(resolve, 500))
    const gaveUp = waitForHealth(manager, 'fragile', (h) => h.state === 'failed')
    process.kill(manager.health('fragile').pid!, 'SIGKILL')
    const failed = await gaveUp
    expect(failed.lastError?.code).toBe('RESTART_LIMIT')
    // The engine gave up for good: without probeAll it stays failed.
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect(manager.health('fragile').state).toBe('failed')

    expect(await manager.probeAll()).toEqual(['fragile'])
    const back = manager.health('fragile')
    expect(back.state).toBe('mounted')
    expect(isMounted(fragile.localPath)).toBe(true)
    expect(manager.health('steady').pid).toBe(steadyPid)
    expect(manager.health('bad-key').state).toBe('failed')
    expect(manager.health('user-unmounted').state).toBe('unmounted')

    // What was written before the kill reached the server, through the cache kept across the remount.
    await manager.unmount('fragile')
    await expectOnServer(before)
  })

  it('quitAll waits for pending uploads, reporting progress, and every byte is on the server', async () => {
    const remote = await storedRemote('s3')
    const a = await savedMount('quit-a', 's3', { writeBackMs: 1500 })
    const b = await savedMount('quit-b', 's3', { writeBackMs: 1500 })
    const manager = newManager()
    manager.reconcile(config([remote], [a, b]))
    await Promise.all([manager.mount('quit-a'), manager.mount('quit-b')])
    const files = new Map([...(await writeFiles(a.localPath, 5, 'graceful-a')), ...(await writeFiles(b.localPath, 5, 'graceful-b'))])

    const progress: QuitProgress[] = []
    const result = await manager.quitAll((p) => progress.push(p))
    expect(result).toEqual({ pendingFiles: {}, failed: {} })
    expect(isMounted(a.localPath) || isMounted(b.localPath)).toBe(false)
    expect(progress.length).toBeGreaterThan(1)
    expect(Object.keys(progress[0]!.pending).sort()).toEqual(['quit-a', 'quit-b'])
    expect(progress.some((p) => Object.values(p.pending).some((n) => n > 0))).toBe(true)
    expect(progress.every((p) => !p.forced)).toBe(true)
    expect(progress.at(-1)!.pending).toEqual({})
    await expectOnServer(files)
  })

  it('a second quitAll forces, reports the files left in the cache, and they upload at the next mount', async () => {
    const remote = await storedRemote('s3')
    const slow = await savedMount('slow', 's3', { writeBackMs: 600_000 })
    const manager = newManager()
    manager.reconcile(config([remote], [slow]))
    await manager.mount('slow')
    const files = await writeFiles(slow.localPath, 3, 'forced')
    // Let FUSE deliver RELEASE so rclone has queued every file (see ARCHITECTURE.md).
    await new Promise((resolve) => setTimeout(resolve, 500))

    const progress: QuitProgress[] = []
    const first = manager.quitAll((p) => progress.push(p))
    await new Promise((resolve) => setTimeout(resolve, 300))
    const second = manager.quitAll()
    const [result, again] = await Promise.all([first, second])
    expect(again).toBe(result)
    expect(result.failed).toEqual({})
    expect(result.pendingFiles.slow).toEqual([...files.keys()].sort())
    expect(progress.some((p) => p.forced && p.pending.slow! > 0)).toBe(true)
    expect(isMounted(slow.localPath)).toBe(false)
    for (const name of files.keys()) expect(await s3.readObject(bucket, name)).toBeNull()

    // The same folder, mounted again with a short write-back: the cached files go up, byte for byte.
    const update = manager.reconcile(config([remote], [{ ...slow, options: { ...slow.options, writeBackMs: 200 } }]))
    expect(update.updated).toEqual(['slow'])
    await manager.mount('slow')
    const { pendingFiles } = await manager.unmount('slow')
    expect(pendingFiles).toEqual([])
    await expectOnServer(files)
  })
})
