/**
 * The quit sequence: its state machine against a scripted manager, then against real rclone mounts of a
 * real s3rver through the app's MountManager: a quit waits until every file is on the server, and a
 * second quit with the server frozen unmounts at once and names the files left in the cache, which
 * the next mount of the same folder uploads.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import type { RemoteInput } from '../../shared/config.js'
import { settingsSchema } from '../../shared/ipc.js'
import type { StoredConfig, StoredRemote } from '../../electron/app/contracts.js'
import { MountManager, type QuitProgress, type QuitResult } from '../../electron/app/mount-manager.js'
import { createQuitSequence, quitShowsWindow, type QuitAll, type QuitSource, type QuitStatus } from '../../electron/app/quit-sequence.js'
import { startS3, stopAllServers, tempDir, type S3Server } from '../servers/index.js'
import { cleanUpMounts, eventually, isMounted, rclonePidsFor } from '../mount-helpers.js'

/** A manager whose quitAll the test settles by hand, with MountManager's rule: a call while one runs forces it. */
function scriptedManager() {
  const calls: Array<{ forced: boolean }> = []
  let current: { promise: Promise<QuitResult>; resolve: (r: QuitResult) => void; progress: (p: QuitProgress) => void } | null = null
  const manager: QuitAll = {
    quitAll(onProgress) {
      calls.push({ forced: calls.length > 0 })
      if (current) return current.promise
      let resolve!: (r: QuitResult) => void
      const promise = new Promise<QuitResult>((r) => (resolve = r))
      current = { promise, resolve, progress: onProgress }
      return promise
    },
  }
  return {
    manager,
    calls,
    progress(p: QuitProgress) {
      current!.progress(p)
    },
    settle(result: Partial<QuitResult> = {}) {
      const c = current!
      current = null
      c.resolve({ pendingFiles: {}, failed: {}, ...result })
    },
  }
}

const tick = () => sleep(0)

describe('quit sequence: the state machine', () => {
  function setup() {
    const script = scriptedManager()
    const statuses: QuitStatus[] = []
    const exits: QuitStatus[] = []
    const quit = createQuitSequence({
      manager: script.manager,
      nameOf: (id) => `Mount ${id}`,
      onStatus: (s) => statuses.push(s),
      onExit: (s) => exits.push(s),
    })
    return { script, statuses, exits, quit }
  }

  it.each(['tray', 'window', 'app', 'SIGINT', 'SIGTERM', 'logout'] as QuitSource[])('a first request from %s drains', async (source) => {
    const { script, quit, statuses } = setup()
    expect(quit.phase).toBe('running')
    expect(quit.requestQuit(source)).toBe('draining')
    await tick()
    expect(script.calls).toEqual([{ forced: false }])
    expect(statuses.at(-1)).toMatchObject({ phase: 'draining', source })
  })

  it('drains, reports progress, and exits once all is unmounted', async () => {
    const { script, quit, statuses, exits } = setup()
    quit.requestQuit('tray')
    await tick()
    script.progress({ pending: { a: 2, b: 1 }, forced: false })
    expect(statuses.at(-1)!.message).toBe(
      'Waiting for 3 files to upload before quitting. Quit again to quit at once: they would stay in the cache and upload at the next mount.',
    )
    expect(quitShowsWindow(statuses.at(-1)!)).toBe(true)
    script.settle()
    await tick()
    expect(quit.phase).toBe('exit')
    expect(exits).toHaveLength(1)
    expect(exits[0]!.message).toBe('Every mount is unmounted and every file is on its remote.')
    // Progress after the end changes nothing.
    expect(quit.requestQuit('tray')).toBe('exit')
    expect(exits).toHaveLength(1)
  })

  it('forces on the second request, and exits with the files left in the cache', async () => {
    const { script, quit, exits } = setup()
    quit.requestQuit('SIGINT')
    await tick()
    expect(quit.requestQuit('SIGINT')).toBe('forcing')
    expect(quit.status!.message).toBe(
      "Unmounting at once. Files not uploaded yet stay in rclone's cache and upload at the next mount of the same folder.",
    )
    // A third request while forcing changes nothing.
    expect(quit.requestQuit('SIGINT')).toBe('forcing')
    await tick()
    expect(script.calls).toEqual([{ forced: false }, { forced: true }])
    script.settle({ pendingFiles: { a: ['x.bin', 'dir/y.bin'] } })
    await tick()
    // Then one more forced sweep, for a mount the graceful run had given up on before the force.
    expect(script.calls).toHaveLength(3)
    script.settle({ pendingFiles: { b: ['z.txt'] } })
    await tick()
    expect(quit.phase).toBe('exit')
    expect(exits).toHaveLength(1)
    expect(exits[0]!.pendingFiles).toEqual({ a: ['dir/y.bin', 'x.bin'], b: ['z.txt'] })
    expect(exits[0]!.message).toBe(
      '2 files of Mount a stay in the cache and upload at its next mount: dir/y.bin, x.bin\n1 file of Mount b stays in the cache and uploads at its next mount: z.txt',
    )
  })

  it('stops at blocked when a mount will not unmount gracefully, and forces on the next request', async () => {
    const { script, quit, exits } = setup()
    quit.requestQuit('tray')
    await tick()
    script.settle({ failed: { a: { code: 'MOUNTPOINT_BUSY', message: 'Files are open in /home/me/a.' } } })
    await tick()
    expect(quit.phase).toBe('blocked')
    expect(quit.status!.message).toMatch(/^Mount a: Files are open in \/home\/me\/a\.\nQuit again to unmount at once/)
    expect(quitShowsWindow(quit.status!)).toBe(true)
    expect(exits).toHaveLength(0)
    expect(quit.requestQuit('tray')).toBe('forcing')
    await tick()
    // Nothing was running any more: one forced call is enough.
    expect(script.calls).toHaveLength(2)
    script.settle()
    await tick()
    expect(quit.phase).toBe('exit')
    expect(exits).toHaveLength(1)
  })

  it("counts one Ctrl-C that arrives both as SIGINT and as Electron's quit once; a second Ctrl-C forces", async () => {
    let now = 1000
    const script = scriptedManager()
    const quit = createQuitSequence({ manager: script.manager, onExit: () => undefined, now: () => now })
    expect(quit.requestQuit('SIGINT')).toBe('draining')
    now += 20
    expect(quit.requestQuit('app')).toBe('draining')
    now += 300
    // The same source again, however soon: a person pressing twice.
    expect(quit.requestQuit('SIGINT')).toBe('forcing')
  })

  it('a request from another source after the echo window forces', async () => {
    let now = 0
    const quit = createQuitSequence({ manager: scriptedManager().manager, onExit: () => undefined, now: () => now })
    quit.requestQuit('tray')
    now += 600
    expect(quit.requestQuit('SIGTERM')).toBe('forcing')
  })

  it('a quitAll that throws leaves the app blocked, not stuck', async () => {
    const quit = createQuitSequence({ manager: { quitAll: () => Promise.reject(new Error('boom')) }, onExit: () => undefined })
    quit.requestQuit('tray')
    await tick()
    expect(quit.phase).toBe('blocked')
    expect(quit.requestQuit('tray')).toBe('forcing')
  })

  it.each([
    ['SIGTERM', 'draining', 3, false],
    ['logout', 'draining', 3, false],
    ['tray', 'draining', 0, false],
    ['tray', 'draining', 3, true],
    ['app', 'draining', 3, true],
    ['SIGINT', 'blocked', 0, true],
    ['tray', 'forcing', 3, false],
  ] as const)('quitShowsWindow: from %s, %s with %d pending → %s', (source, phase, pending, shows) => {
    const status: QuitStatus = { phase, source, message: '', pending: { a: pending }, pendingFiles: {}, failed: {} }
    expect(quitShowsWindow(status)).toBe(shows)
  })
})

// --- Real mounts ---------------------------------------------------------------------------------

const managers: MountManager[] = []
const mountPoints = new Set<string>()
const servers: S3Server[] = []

afterEach(async () => {
  for (const server of servers.splice(0)) server.thaw()
  for (const manager of managers.splice(0)) {
    // Forced: whatever is left belongs to a failed test.
    await manager.quitAll().catch(() => undefined)
    await manager.quitAll().catch(() => undefined)
  }
  await cleanUpMounts([], mountPoints)
  await stopAllServers()
})

const bucket = 'bucket'

interface MountSpec {
  id: string
  prefix: string
  localPath: string
  stateDir: string
}

async function mountSpec(id: string): Promise<MountSpec> {
  const localPath = join(await tempDir(`rmount-quit-${id}-`), 'mnt')
  mountPoints.add(localPath)
  return { id, prefix: id, localPath, stateDir: await tempDir(`rmount-quit-${id}-state-`) }
}

function config(s3: S3Server, specs: MountSpec[], writeBackMs: number): StoredConfig {
  const remote: StoredRemote = {
    id: 's3',
    name: 'Test S3',
    remote: {
      type: 's3',
      provider: 'Minio',
      endpoint: s3.endpoint,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: { plain: s3.secretAccessKey },
    },
  }
  return {
    version: 1,
    remotes: [remote],
    mounts: specs.map((spec) => ({
      id: spec.id,
      remoteId: 's3',
      remotePath: `${bucket}/${spec.prefix}`,
      localPath: spec.localPath,
      mountAtStart: true,
      options: { stateDir: spec.stateDir, writeBackMs },
    })),
    settings: settingsSchema.parse({}),
  }
}

/** The app's MountManager, with secrets stored plain (the cipher is the store's business, not this test's). */
function newManager(): MountManager {
  const manager = new MountManager({
    progressIntervalMs: 100,
    resolveRemote: async (stored) => {
      const { secretAccessKey, ...rest } = stored.remote as unknown as { secretAccessKey: { plain: string } }
      return { ...rest, secretAccessKey: secretAccessKey.plain } as RemoteInput
    },
  })
  managers.push(manager)
  return manager
}

/** Files of assorted sizes, one in a subfolder, keyed by path relative to the mount. */
function someFiles(tag: string): Map<string, Buffer> {
  return new Map([
    [`${tag}-small.txt`, Buffer.from(`hello from ${tag}\n`)],
    [`${tag}-medium.bin`, randomBytes(200_000)],
    [`sub/${tag}-large.bin`, randomBytes(3_000_000)],
  ])
}

async function writeFiles(root: string, files: Map<string, Buffer>): Promise<void> {
  for (const [path, bytes] of files) {
    await mkdir(join(root, path, '..'), { recursive: true })
    await writeFile(join(root, path), bytes)
  }
}

async function expectOnServer(s3: S3Server, prefix: string, files: Map<string, Buffer>): Promise<void> {
  const keys = await s3.listKeys(bucket)
  expect(keys.filter((key) => key.startsWith(`${prefix}/`)).sort()).toEqual([...files.keys()].map((path) => `${prefix}/${path}`).sort())
  for (const [path, bytes] of files) {
    const got = await s3.readObject(bucket, `${prefix}/${path}`)
    expect({ path, length: got?.length, equal: got?.equals(bytes) }).toEqual({ path, length: bytes.length, equal: true })
  }
}

function waitForExit(statuses: QuitStatus[], timeoutMs: number): Promise<QuitStatus> {
  return new Promise((resolve, reject) => {
    const started = Date.now()
    const timer = setInterval(() => {
      const last = statuses.at(-1)
      if (last?.phase === 'exit') {
        clearInterval(timer)
        resolve(last)
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(timer)
        reject(new Error(`no exit within ${timeoutMs} ms; last status: ${JSON.stringify(last)}`))
      }
    }, 50)
  })
}

describe('quit sequence with real mounts (MountManager, rclone, FUSE, s3rver)', () => {
  it('a quit waits until every written file is on the server, byte for byte, then exits', async () => {
    const s3 = await startS3({ buckets: [bucket] })
    servers.push(s3)
    const specs = [await mountSpec('photos'), await mountSpec('docs')]
    const manager = newManager()
    // Files wait 3 s in the cache before upload: a quit right after writing must wait for them.
    manager.reconcile(config(s3, specs, 3000))
    const started = await manager.mountAtStart()
    expect(Object.values(started).map((h) => h.state)).toEqual(['mounted', 'mounted'])

    const written = new Map(specs.map((spec) => [spec.id, someFiles(spec.id)]))
    for (const spec of specs) await writeFiles(spec.localPath, written.get(spec.id)!)

    const statuses: QuitStatus[] = []
    const exits: QuitStatus[] = []
    const quit = createQuitSequence({ manager, onStatus: (s) => statuses.push(s), onExit: (s) => exits.push(s) })
    const quitAt = Date.now()
    expect(quit.requestQuit('SIGINT')).toBe('draining')
    const final = await waitForExit(statuses, 45_000)
    const tookMs = Date.now() - quitAt

    expect(exits).toEqual([final])
    expect(final.pendingFiles).toEqual({})
    expect(final.failed).toEqual({})
    // The uploads were really waited for: progress showed them pending, and the quit took the write-back delay at least.
    expect(Math.max(...statuses.map((s) => Object.values(s.pending).reduce((a, b) => a + b, 0)))).toBeGreaterThan(0)
    expect(tookMs).toBeGreaterThan(2000)
    for (const spec of specs) {
      expect(isMounted(spec.localPath)).toBe(false)
      expect(await eventually(() => rclonePidsFor(spec.localPath).length === 0)).toBe(true)
      await expectOnServer(s3, spec.prefix, written.get(spec.id)!)
    }
  })

  it('with the server frozen, a second quit unmounts at once, lists the files left in the cache, and the next mount uploads them', async () => {
    const s3 = await startS3({ buckets: [bucket] })
    servers.push(s3)
    const spec = await mountSpec('frozen')
    const manager = newManager()
    manager.reconcile(config(s3, [spec], 2000))
    expect((await manager.mountAtStart()).frozen!.state).toBe('mounted')

    const files = someFiles('frozen')
    await writeFiles(spec.localPath, files)
    s3.freeze()

    const statuses: QuitStatus[] = []
    const quit = createQuitSequence({ manager, nameOf: () => 'Frozen', onStatus: (s) => statuses.push(s), onExit: () => undefined })
    expect(quit.requestQuit('SIGTERM')).toBe('draining')
    // The uploads cannot reach a frozen server: the drain must still be waiting well after the write-back delay.
    await sleep(5000)
    expect(quit.phase).toBe('draining')
    expect(statuses.at(-1)!.pending.frozen).toBeGreaterThan(0)

    const forcedAt = Date.now()
    expect(quit.requestQuit('SIGTERM')).toBe('forcing')
    const final = await waitForExit(statuses, 45_000)
    const forceMs = Date.now() - forcedAt
    console.log(`forced quit with a frozen server took ${forceMs} ms`)

    expect(final.pendingFiles).toEqual({ frozen: [...files.keys()].sort() })
    expect(final.message).toBe(`3 files of Frozen stay in the cache and upload at its next mount: ${[...files.keys()].sort().join(', ')}`)
    expect(isMounted(spec.localPath)).toBe(false)
    expect(await eventually(() => rclonePidsFor(spec.localPath).length === 0)).toBe(true)

    // The message's promise: the next mount of the same folder uploads what was left.
    s3.thaw()
    const next = newManager()
    next.reconcile(config(s3, [spec], 2000))
    expect((await next.mountAtStart()).frozen!.state).toBe('mounted')
    const nextStatuses: QuitStatus[] = []
    createQuitSequence({ manager: next, onStatus: (s) => nextStatuses.push(s), onExit: () => undefined }).requestQuit('app')
    const nextFinal = await waitForExit(nextStatuses, 45_000)
    expect(nextFinal.pendingFiles).toEqual({})
    await expectOnServer(s3, spec.prefix, files)
  })
})
