/**
 * RemoteMount against a real s3rver, through a real rclone FUSE mount: the data arrives byte for byte,
 * the mount survives a killed rclone and a hung or restarted server, and secrets stay out of argv and logs.
 */
import { randomBytes } from 'node:crypto'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { RemoteMount, RmountError, type MountOptionsInput, type MountState } from '../../electron/engine/index.js'
import { startS3, stopAllServers, tempDir, type S3Server } from '../servers/index.js'
import { mountedPoints, rcStatusWithoutAuth, rcTargetOf, waitForState } from '../mount-helpers.js'
import { atLeast, parseVersion } from '../../electron/engine/rclone-binary.js'

const bucket = 'bucket'
const caBundle = '/etc/ssl/certs/ca-certificates.crt'

const mounts: RemoteMount[] = []
const mountPoints: string[] = []
const servers: S3Server[] = []

afterEach(async () => {
  // A frozen server would make every cleanup step below wait for its timeouts.
  for (const server of servers.splice(0)) server.thaw()
  for (const m of mounts.splice(0)) {
    try {
      if (m.state !== 'unmounted') await m.unmount({ force: true })
    } catch {
      // The lazy unmount below still clears the folder.
    }
  }
  for (const path of mountPoints.splice(0))
    if (mountedPoints().includes(path)) await run('fusermount3', ['-uz', path]).catch(() => undefined)
  await stopAllServers()
})

/** Runs a program in a child, so a call stuck on a hung mount costs the child, not this process. */
function run(
  command: string,
  args: string[],
  options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, timeout: options.timeoutMs ?? 30_000, env: options.env, maxBuffer: 16 * 1024 * 1024, encoding: 'buffer' },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${stderr.toString()}`))
        else resolve(stdout)
      },
    )
  })
}

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(100)
  }
}

async function startServer(): Promise<S3Server> {
  const s3 = await startS3({ buckets: [bucket] })
  servers.push(s3)
  return s3
}

interface Setup {
  s3: S3Server
  localPath: string
  stateDir: string
}

async function setup(): Promise<Setup> {
  const s3 = await startServer()
  // The engine creates the mount folder itself inside an empty temp dir.
  const localPath = join(await tempDir('rmount-s3-mnt-'), 'mnt')
  const stateDir = await tempDir('rmount-s3-state-')
  mountPoints.push(localPath)
  return { s3, localPath, stateDir }
}

function newMount({ s3, localPath, stateDir }: Setup, options: MountOptionsInput = {}): RemoteMount {
  const m = new RemoteMount(
    { type: 's3', provider: 'Minio', endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    bucket,
    localPath,
    { stateDir, ...options },
  )
  mounts.push(m)
  return m
}

/** Every object in the bucket with its bytes. */
async function serverObjects(s3: S3Server): Promise<Map<string, Buffer>> {
  const objects = new Map<string, Buffer>()
  for (const key of await s3.listKeys(bucket)) objects.set(key, (await s3.readObject(bucket, key))!)
  return objects
}

/** The server holds exactly these objects, each byte for byte. */
async function expectServerHolds(s3: S3Server, expected: Map<string, Buffer>): Promise<void> {
  const actual = await serverObjects(s3)
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort())
  for (const [key, bytes] of expected) {
    const got = actual.get(key)!
    // Buffers of megabytes make unreadable diffs: compare, and show only what differs.
    expect({ key, length: got.length, equal: got.equals(bytes) }).toEqual({ key, length: bytes.length, equal: true })
  }
}

/** Two file maps hold the same paths with the same bytes. */
function expectSameFiles(actual: Map<string, Buffer>, expected: Map<string, Buffer>): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort())
  for (const [path, bytes] of expected) {
    const got = actual.get(path)!
    expect({ path, length: got.length, equal: got.equals(bytes) }).toEqual({ path, length: bytes.length, equal: true })
  }
}

/** Every file under `root`, keyed by its path relative to `root` with '/' separators. */
async function readTree(root: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>()
  const entries = await readdir(root, { recursive: true, withFileTypes: true })
  for (const entry of entries) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
    files.set(relative(root, path), await readFile(path))
  }
  return files
}

function nulSplit(buffer: Buffer): string[] {
  return buffer
    .toString('utf8')
    .split('\0')
    .filter((part) => part.length > 0)
}

async function procCmdline(pid: number): Promise<string[]> {
  return nulSplit(await readFile(`/proc/${pid}/cmdline`))
}

async function procEnviron(pid: number): Promise<string[]> {
  return nulSplit(await readFile(`/proc/${pid}/environ`))
}

function rcTarget(m: RemoteMount): { socketPath: string } | { port: number } {
  const target = rcTargetOf(m)
  expect(target, 'the rc endpoint is a socket in the state folder, or its port is logged').not.toBeNull()
  return target!
}

/** How long this process's main thread has waited for a CPU while runnable, in ms (Linux schedstat). */
function runQueueWaitMs(): number {
  return Number(readFileSync('/proc/self/schedstat', 'utf8').split(' ')[1]) / 1e6
}

/**
 * Watches the event loop for stalls that waiting for a CPU does not explain: other test runs share this small
 * machine, and time spent runnable but descheduled is not lag this process caused. Returns a stop function that
 * gives the worst such stall and the total run-queue wait, in ms.
 */
function watchOwnStalls(): () => { worstMs: number; runQueueMs: number } {
  const startWait = runQueueWaitMs()
  let last = performance.now()
  let lastWait = startWait
  let worstMs = 0
  const timer = setInterval(() => {
    const now = performance.now()
    const wait = runQueueWaitMs()
    worstMs = Math.max(worstMs, now - last - (wait - lastWait))
    last = now
    lastWait = wait
  }, 5)
  return () => {
    clearInterval(timer)
    return { worstMs, runQueueMs: lastWait - startWait }
  }
}

/** Records every state the mount goes through. */
function recordStates(m: RemoteMount): MountState[] {
  const seen: MountState[] = []
  m.on('state', (state) => seen.push(state))
  return seen
}

describe('RemoteMount on S3 (s3rver, real rclone and FUSE)', () => {
  it('writes, reads, lists, renames and deletes through the mount; the server ends up with exactly that', async () => {
    const env = await setup()
    const m = newMount(env, { writeBackMs: 1000 })
    await m.mount()
    expect(m.state).toBe('mounted')
    expect(mountedPoints()).toContain(env.localPath)

    const { localPath } = env
    const keep = randomBytes(300_000)
    const moved = randomBytes(70_000)
    const doomed = randomBytes(1000)
    await mkdir(join(localPath, 'docs'))
    await writeFile(join(localPath, 'keep.bin'), keep)
    await writeFile(join(localPath, 'docs', 'old-name.bin'), moved)
    await writeFile(join(localPath, 'doomed.txt'), doomed)

    expect((await readFile(join(localPath, 'keep.bin'))).equals(keep)).toBe(true)
    expect((await readdir(localPath)).sort()).toEqual(['docs', 'doomed.txt', 'keep.bin'])

    await rename(join(localPath, 'docs', 'old-name.bin'), join(localPath, 'docs', 'new-name.bin'))
    await rm(join(localPath, 'doomed.txt'))
    expect((await readdir(localPath)).sort()).toEqual(['docs', 'keep.bin'])
    expect(await readdir(join(localPath, 'docs'))).toEqual(['new-name.bin'])
    expect((await readFile(join(localPath, 'docs', 'new-name.bin'))).equals(moved)).toBe(true)

    const result = await m.unmount()
    expect(result.pendingFiles).toEqual([])
    expect(m.state).toBe('unmounted')
    expect(mountedPoints()).not.toContain(localPath)
    await expectServerHolds(
      env.s3,
      new Map([
        ['keep.bin', keep],
        ['docs/new-name.bin', moved],
      ]),
    )
  })

  it('restarts rclone after kill -9 without user action; a file closed 500 ms before the crash reaches the server', async () => {
    const env = await setup()
    const m = newMount(env)
    await m.mount()
    const data = randomBytes(200_000)
    await writeFile(join(env.localPath, 'before-crash.bin'), data)
    await sleep(500)

    const states = recordStates(m)
    const oldPid = m.health().pid!
    const killedAt = performance.now()
    process.kill(oldPid, 'SIGKILL')
    await waitForState(m, 'restarting', 5000)
    await waitForState(m, 'mounted', 15_000)
    const recoveryMs = performance.now() - killedAt
    console.log(`kill -9 → mounted again in ${recoveryMs.toFixed(0)} ms`)
    expect(states).toEqual(['restarting', 'mounted'])
    expect(m.health().restarts).toBe(1)
    expect(m.health().pid).not.toBe(oldPid)
    expect(mountedPoints().filter((p) => p === env.localPath)).toHaveLength(1)

    // Readable again, and the file still waiting for upload is there from the cache.
    expect(await readdir(env.localPath)).toEqual(['before-crash.bin'])
    expect((await readFile(join(env.localPath, 'before-crash.bin'))).equals(data)).toBe(true)

    expect((await m.unmount()).pendingFiles).toEqual([])
    await expectServerHolds(env.s3, new Map([['before-crash.bin', data]]))
  })

  it('serves cp -r, tar, git, append, truncate and mv with default options, byte for byte', async () => {
    const env = await setup()
    const m = newMount(env)
    await m.mount()
    const mnt = env.localPath
    const work = await tempDir('rmount-s3-work-')
    const src = join(work, 'src')
    const source = new Map<string, Buffer>([
      ['readme.txt', Buffer.from('hello from the tree\n')],
      ['nested/data.bin', randomBytes(10_000)],
      ['nested/deeper/notes.txt', Buffer.from('line 1\nline 2\n')],
      ['nested/deeper/big.bin', randomBytes(5 * 1024 * 1024)],
    ])
    for (const [path, bytes] of source) {
      await mkdir(dirname(join(src, path)), { recursive: true })
      await writeFile(join(src, path), bytes)
    }

    await run('cp', ['-r', src, join(mnt, 'tree')])

    // Fixed metadata, so the archive made in the mount can be compared with one made locally.
    const tarArgs = ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-C', src, '.']
    await run('tar', ['-cf', join(mnt, 'archive.tar'), ...tarArgs])
    await run('tar', ['-cf', join(work, 'archive.tar'), ...tarArgs])
    const extracted = join(work, 'extracted')
    await mkdir(extracted)
    await run('tar', ['-xf', join(mnt, 'archive.tar'), '-C', extracted])
    expectSameFiles(await readTree(extracted), source)

    const repo = join(mnt, 'repo')
    await mkdir(repo)
    // No user or system git config may change what git writes.
    const gitEnv = { ...process.env, HOME: work, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' }
    const git = (cwd: string, ...args: string[]) =>
      run('git', ['-c', 'user.name=RMount Test', '-c', 'user.email=test@rmount.invalid', '-c', 'init.defaultBranch=main', ...args], {
        cwd,
        env: gitEnv,
      })
    await git(repo, 'init', '-q')
    await run('cp', ['-r', `${src}/.`, repo])
    await git(repo, 'add', '.')
    await git(repo, 'commit', '-q', '-m', 'first commit')
    await git(repo, 'fsck', '--full')
    // git's own files are not reproducible elsewhere: take them as the mount shows them, and check them with git below.
    const repoFiles = await readTree(repo)
    expectSameFiles(new Map([...repoFiles].filter(([path]) => !path.startsWith('.git/'))), source)

    const tree = new Map(source)
    await run('sh', ['-c', 'printf "appended line\\n" >> "$1"', 'sh', join(mnt, 'tree', 'readme.txt')])
    tree.set('readme.txt', Buffer.concat([source.get('readme.txt')!, Buffer.from('appended line\n')]))
    await run('truncate', ['-s', '1234', join(mnt, 'tree', 'nested', 'data.bin')])
    tree.set('nested/data.bin', source.get('nested/data.bin')!.subarray(0, 1234))
    await run('truncate', ['-s', '20000', join(mnt, 'tree', 'nested', 'deeper', 'notes.txt')])
    tree.set('nested/deeper/notes.txt', Buffer.concat([source.get('nested/deeper/notes.txt')!, Buffer.alloc(20000 - 14)]))
    await run('mv', [join(mnt, 'tree', 'nested', 'deeper', 'big.bin'), join(mnt, 'tree', 'big-moved.bin')])
    tree.set('big-moved.bin', tree.get('nested/deeper/big.bin')!)
    tree.delete('nested/deeper/big.bin')
    expectSameFiles(await readTree(join(mnt, 'tree')), tree)

    expect((await m.unmount()).pendingFiles).toEqual([])
    const expected = new Map<string, Buffer>([['archive.tar', await readFile(join(work, 'archive.tar'))]])
    for (const [path, bytes] of tree) expected.set(`tree/${path}`, bytes)
    for (const [path, bytes] of repoFiles) expected.set(`repo/${path}`, bytes)
    await expectServerHolds(env.s3, expected)

    // The repository as the server holds it is whole: rebuild it (S3 keeps no empty folders) and let git check it.
    const restored = join(work, 'restored')
    for (const key of await env.s3.listKeys(bucket)) {
      if (!key.startsWith('repo/')) continue
      const path = join(restored, key.slice('repo/'.length))
      await mkdir(dirname(path), { recursive: true })
      await writeFile(path, (await env.s3.readObject(bucket, key))!)
    }
    await git(restored, 'fsck', '--full', '--strict')
    expect((await git(restored, 'log', '--format=%s')).toString()).toBe('first commit\n')
    expect((await git(restored, 'status', '--porcelain')).toString()).toBe('')
  })

  it('a folder renamed while its files wait for upload: EIO until the upload ends on rclone 1.60, whole at once on 1.75', async () => {
    const env = await setup()
    const m = newMount(env)
    await m.mount()
    const mnt = env.localPath
    const data = randomBytes(100_000)
    await mkdir(join(mnt, 'dir'))
    await writeFile(join(mnt, 'dir', 'f.bin'), data)
    await writeFile(join(mnt, 'dir', 'g.txt'), 'hello')
    await run('mv', [join(mnt, 'dir'), join(mnt, 'dir2')])
    expect((await readdir(join(mnt, 'dir2'))).sort()).toEqual(['f.bin', 'g.txt'])

    const early = await run('cat', [join(mnt, 'dir2', 'f.bin')], { timeoutMs: 10_000 }).then(
      (out) => (out.equals(data) ? 'same bytes' : `other bytes (${out.length})`),
      (error: Error) => error.message,
    )
    const version = m.health().rcloneVersion ?? ''
    if (version.startsWith('v1.60.')) {
      // 1.60 in writes mode: the cache item's writer is gone after the folder rename, so opens fail with
      // "can't open file - writer failed" (EIO) until the write-back upload has run.
      expect(early).toMatch(/Input\/output error/)
    } else if (parseVersion(`rclone ${version}`) && atLeast(parseVersion(`rclone ${version}`)!.semver, [1, 75, 0])) {
      // Measured on 1.75.2 (docs/RCLONE.md): the renamed file reads whole at once.
      expect(early).toBe('same bytes')
    } else {
      // Between 1.60 and 1.75 not measured.
      expect(early === 'same bytes' || /Input\/output error/.test(early)).toBe(true)
    }
    // Once the upload is done the file reads whole, and nothing is left under the old name.
    const later = await waitFor(
      'a good read of dir2/f.bin',
      () => run('cat', [join(mnt, 'dir2', 'f.bin')], { timeoutMs: 10_000 }).catch(() => null),
      20_000,
    )
    expect(later.equals(data)).toBe(true)

    expect((await m.unmount()).pendingFiles).toEqual([])
    await expectServerHolds(
      env.s3,
      new Map([
        ['dir2/f.bin', data],
        ['dir2/g.txt', Buffer.from('hello')],
      ]),
    )
  })

  it('uploads 20 files written just before unmount() before it returns', async () => {
    const env = await setup()
    const m = newMount(env)
    await m.mount()
    const sizes = [
      0, 1, 10, 100, 4095, 4096, 4097, 12_345, 65_536, 100_000, 262_144, 500_000, 777_777, 1_000_000, 1_048_576, 1_234_567, 1_500_000,
      2_000_000, 2_097_151, 2_097_152,
    ]
    const expected = new Map<string, Buffer>()
    await mkdir(join(env.localPath, 'batch'))
    for (const [i, size] of sizes.entries()) {
      const key = `${i % 2 ? 'batch/' : ''}file-${String(i).padStart(2, '0')}.bin`
      const bytes = randomBytes(size)
      await writeFile(join(env.localPath, key), bytes)
      expected.set(key, bytes)
    }
    const started = performance.now()
    const result = await m.unmount()
    console.log(`unmount() waited ${(performance.now() - started).toFixed(0)} ms for ${sizes.length} uploads`)
    expect(result.pendingFiles).toEqual([])
    expect(m.health().pendingUploads).toBe(0)
    expect(m.health().uploadsInProgress).toBe(0)
    expect(m.state).toBe('unmounted')
    await expectServerHolds(env.s3, expected)
  })

  it('turns degraded within 3 s when the server hangs or stops, keeps the event loop free, and recovers by itself', async () => {
    const env = await setup()
    const m = newMount(env)
    await m.mount()
    // A first good probe, so that 'mounted' later means a real recovery.
    await waitFor('a first good probe', async () => m.health().lastProbeOk !== null, 5000)

    const lag = monitorEventLoopDelay({ resolution: 1 })
    lag.enable()
    const stopWatching = watchOwnStalls()
    const frozenAt = performance.now()
    env.s3.freeze()
    await waitForState(m, 'degraded', 3000)
    const degradedMs = performance.now() - frozenAt
    // Let the probes keep timing out for a while as the lag is measured.
    await sleep(2000)
    lag.disable()
    const maxLagMs = lag.max / 1e6
    const stalls = stopWatching()
    const degradedReason = m.health().reason
    const thawedAt = performance.now()
    env.s3.thaw()
    await waitForState(m, 'mounted', 5000)
    const recoveredMs = performance.now() - thawedAt
    console.log(
      `frozen server: degraded after ${degradedMs.toFixed(0)} ms (${degradedReason}); event loop max lag ${maxLagMs.toFixed(1)} ms ` +
        `(worst stall not spent waiting for a CPU ${stalls.worstMs.toFixed(1)} ms, run-queue wait ${stalls.runQueueMs.toFixed(0)} ms in all); ` +
        `mounted ${recoveredMs.toFixed(0)} ms after thaw`,
    )
    expect(stalls.worstMs).toBeLessThan(100)
    // When this process hardly waited for a CPU (about 30-45 ms in all on a quiet machine), the raw figure must hold too.
    if (stalls.runQueueMs < 50) expect(maxLagMs).toBeLessThan(100)

    await env.s3.stop()
    const stoppedAt = performance.now()
    await waitForState(m, 'degraded', 3000)
    const stopDegradedMs = performance.now() - stoppedAt
    const restartCalledAt = performance.now()
    await env.s3.restart()
    const servingMs = performance.now() - restartCalledAt
    await waitForState(m, 'mounted', 5000)
    const restartRecoveredMs = performance.now() - restartCalledAt
    console.log(
      `stopped server: degraded after ${stopDegradedMs.toFixed(0)} ms; mounted ${restartRecoveredMs.toFixed(0)} ms after restart() was called (the server served after ${servingMs.toFixed(0)} ms)`,
    )
    expect(m.health().restarts).toBe(0)

    // Still the same rclone, and it still writes through.
    const data = randomBytes(50_000)
    await writeFile(join(env.localPath, 'after.bin'), data)
    expect((await m.unmount()).pendingFiles).toEqual([])
    await expectServerHolds(env.s3, new Map([['after.bin', data]]))
  })

  it('refuses unmount({ timeoutMs }) with PENDING_UPLOADS while the server hangs, stays mounted, and delivers later', async () => {
    const env = await setup()
    const m = newMount(env)
    await m.mount()
    const work = await tempDir('rmount-s3-work-')
    const data = randomBytes(150_000)
    await writeFile(join(work, 'pending.bin'), data)

    env.s3.freeze()
    // Written by a child: a write that reached the hung server would block it, not this process.
    await run('cp', [join(work, 'pending.bin'), join(env.localPath, 'pending.bin')], { timeoutMs: 10_000 })
    const error: unknown = await m.unmount({ timeoutMs: 2000 }).then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(RmountError)
    expect((error as RmountError).code).toBe('PENDING_UPLOADS')
    expect(['mounted', 'degraded']).toContain(m.state)
    expect(m.health().pid).not.toBeNull()
    expect(mountedPoints()).toContain(env.localPath)
    expect(await env.s3.readObject(bucket, 'pending.bin')).toBeNull()

    env.s3.thaw()
    expect((await m.unmount()).pendingFiles).toEqual([])
    expect(m.state).toBe('unmounted')
    await expectServerHolds(env.s3, new Map([['pending.bin', data]]))
  })

  it('reports the files a forced unmount leaves behind, and the next mount of the folder uploads them', async () => {
    const env = await setup()
    const m = newMount(env)
    await m.mount()
    const work = await tempDir('rmount-s3-work-')
    const data = randomBytes(80_000)
    await writeFile(join(work, 'a.txt'), data)

    env.s3.freeze()
    await run('cp', [join(work, 'a.txt'), join(env.localPath, 'a.txt')], { timeoutMs: 10_000 })
    const result = await m.unmount({ force: true })
    // Named relative to the mount, as the user knows the file, even though no health round has run yet.
    expect(result.pendingFiles).toEqual(['a.txt'])
    expect(m.state).toBe('unmounted')
    expect(mountedPoints()).not.toContain(env.localPath)
    expect(await env.s3.readObject(bucket, 'a.txt')).toBeNull()
    env.s3.thaw()

    const again = newMount(env)
    await again.mount()
    await waitFor('a.txt on the server', async () => (await env.s3.readObject(bucket, 'a.txt'))?.equals(data), 15_000)
    expect((await again.unmount()).pendingFiles).toEqual([])
    await expectServerHolds(env.s3, new Map([['a.txt', data]]))
  })

  it('keeps the secret key out of argv and logs, passes it in the environment, and guards rc with auth', async () => {
    const env = await setup()
    const secret = env.s3.secretAccessKey
    const m = newMount(env, { writeBackMs: 500 })
    await m.mount()
    const pid = m.health().pid!
    // Some traffic, so the log has more than the start-up lines.
    await writeFile(join(env.localPath, 'x.txt'), 'x')
    expect(await readFile(join(env.localPath, 'x.txt'), 'utf8')).toBe('x')

    const cmdline = await procCmdline(pid)
    expect(cmdline).toContain('mount')
    expect(cmdline.filter((arg) => arg.includes(secret))).toEqual([])
    const environ = await procEnviron(pid)
    const secretVars = environ.filter((entry) => /^RCLONE_CONFIG_\w+_SECRET_ACCESS_KEY=/.test(entry))
    expect(secretVars.map((entry) => entry.slice(entry.indexOf('=') + 1))).toEqual([secret])
    const rcPass = environ.find((entry) => entry.startsWith('RCLONE_RC_PASS='))?.slice('RCLONE_RC_PASS='.length)
    expect(rcPass).toBeTruthy()
    expect(cmdline.filter((arg) => arg.includes(rcPass!))).toEqual([])

    const logs = m.recentLogs().map((line) => JSON.stringify(line))
    expect(logs.length).toBeGreaterThan(0)
    expect(logs.filter((line) => line.includes(secret) || line.includes(rcPass!))).toEqual([])
    const rawLog = await readFile(m.paths.logFile, 'utf8')
    expect(rawLog.includes(secret) || rawLog.includes(rcPass!)).toBe(false)

    const rc = rcTarget(m)
    expect(await rcStatusWithoutAuth(rc, '/config/dump')).toBe(401)
    expect(await rcStatusWithoutAuth(rc, '/core/stats')).toBe(401)

    expect((await m.unmount()).pendingFiles).toEqual([])
    await expectServerHolds(env.s3, new Map([['x.txt', Buffer.from('x')]]))
  })

  it('mounts with AWS_CA_BUNDLE set by moving it to --ca-cert, and ignores RCLONE_RC_NO_AUTH', async () => {
    const saved = { AWS_CA_BUNDLE: process.env.AWS_CA_BUNDLE, RCLONE_RC_NO_AUTH: process.env.RCLONE_RC_NO_AUTH }
    process.env.AWS_CA_BUNDLE = saved.AWS_CA_BUNDLE ?? caBundle
    process.env.RCLONE_RC_NO_AUTH = 'true'
    try {
      const env = await setup()
      const m = newMount(env, { writeBackMs: 500 })
      await m.mount()
      const pid = m.health().pid!
      const environ = await procEnviron(pid)
      expect(environ.filter((entry) => entry.startsWith('AWS_CA_BUNDLE=') || entry.startsWith('RCLONE_RC_NO_AUTH='))).toEqual([])
      const cmdline = await procCmdline(pid)
      const at = cmdline.indexOf('--ca-cert')
      expect(at).toBeGreaterThan(0)
      expect(cmdline[at + 1]).toBe(process.env.AWS_CA_BUNDLE)

      const rc = rcTarget(m)
      expect(await rcStatusWithoutAuth(rc, '/config/dump')).toBe(401)
      expect(await rcStatusWithoutAuth(rc, '/operations/list')).toBe(401)
      expect(await rcStatusWithoutAuth(rc, '/core/stats')).toBe(401)

      const data = randomBytes(30_000)
      await writeFile(join(env.localPath, 'ca.bin'), data)
      expect((await readFile(join(env.localPath, 'ca.bin'))).equals(data)).toBe(true)
      expect((await m.unmount()).pendingFiles).toEqual([])
      await expectServerHolds(env.s3, new Map([['ca.bin', data]]))
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name]
        else process.env[name] = value
      }
    }
  })
})
