/**
 * FsProbe against a plain folder and against real rclone FUSE mounts that hang (SIGSTOP) or go stale (SIGKILL).
 * The test process itself never touches a mount folder: it reads /proc/self/mountinfo and asks the probe.
 */
import { execFile, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exited, isAlive, spawnTied } from '../../electron/engine/child-process.js'
import { FsProbe, sharedFsProbe } from '../../electron/engine/fs-probe.js'

const execFileAsync = promisify(execFile)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function mountPoints(): string[] {
  // Field 5 is the mount point, with spaces and the like written as octal escapes.
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => (line.split(' ')[4] ?? '').replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))))
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) return false
    await sleep(20)
  }
  return true
}

interface TestMount {
  src: string
  mnt: string
  rclone: ChildProcess
  pid: number
}

const mounts: TestMount[] = []

async function startMount(): Promise<TestMount> {
  const src = mkdtempSync(join(tmpdir(), 'fsprobe-src-'))
  const mnt = mkdtempSync(join(tmpdir(), 'fsprobe-mnt-'))
  writeFileSync(join(src, 'file.txt'), 'hello')
  const rclone = spawnTied('rclone', ['mount', src, mnt, '--config', '/dev/null', '--vfs-cache-mode', 'off'], {
    deathSignal: 'KILL',
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  rclone.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const mount = { src, mnt, rclone, pid: rclone.pid! }
  mounts.push(mount)
  const up = await waitFor(() => rclone.exitCode !== null || mountPoints().includes(mnt), 15_000)
  if (!up || rclone.exitCode !== null) throw new Error(`rclone mount did not come up: ${stderr}`)
  return mount
}

// Order matters: a stopped rclone must run again to die, the mount goes only after rclone is gone, and the mount
// folder is removed without recursion so that a mount still in place is never walked.
async function stopMount(mount: TestMount): Promise<void> {
  if (isAlive(mount.pid) && mount.rclone.exitCode === null && mount.rclone.signalCode === null) {
    process.kill(mount.pid, 'SIGCONT')
    process.kill(mount.pid, 'SIGKILL')
    await exited(mount.rclone)
  }
  if (mountPoints().includes(mount.mnt)) await execFileAsync('fusermount', ['-uz', mount.mnt])
  if (!mountPoints().includes(mount.mnt)) rmdirSync(mount.mnt)
  rmSync(mount.src, { recursive: true, force: true })
}

afterAll(async () => {
  for (const mount of mounts.splice(0)) await stopMount(mount)
})

describe('FsProbe on a plain folder', () => {
  const probe = new FsProbe()
  let dir: string

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fsprobe-'))
    writeFileSync(join(dir, 'file'), 'x')
    mkdirSync(join(dir, 'empty'))
    mkdirSync(join(dir, 'full'))
    writeFileSync(join(dir, 'full', 'inside'), 'x')
  })

  afterAll(() => {
    probe.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('stats folders and files, with errno codes for what is missing', async () => {
    expect(await probe.run({ op: 'stat', path: dir }, 5000)).toEqual({ ok: true, isDirectory: true, dev: statSync(dir).dev })
    expect(await probe.run({ op: 'stat', path: join(dir, 'file') }, 5000)).toMatchObject({ ok: true, isDirectory: false })
    expect(await probe.run({ op: 'stat', path: join(dir, 'missing') }, 5000)).toMatchObject({ ok: false, code: 'ENOENT' })
    expect(await probe.run({ op: 'stat', path: join(dir, 'file', 'below') }, 5000)).toMatchObject({ ok: false, code: 'ENOTDIR' })
  })

  it('looks up names: a missing one is an answer, not an error', async () => {
    expect(await probe.run({ op: 'lookup', path: join(dir, 'missing') }, 5000)).toEqual({ ok: true, exists: false })
    expect(await probe.run({ op: 'lookup', path: join(dir, 'file') }, 5000)).toEqual({ ok: true, exists: true })
    expect(await probe.run({ op: 'lookup', path: join(dir, 'file', 'below') }, 5000)).toMatchObject({ ok: false, code: 'ENOTDIR' })
  })

  it('tells empty folders from full ones', async () => {
    expect(await probe.run({ op: 'isEmpty', path: join(dir, 'empty') }, 5000)).toEqual({ ok: true, empty: true })
    expect(await probe.run({ op: 'isEmpty', path: join(dir, 'full') }, 5000)).toEqual({ ok: true, empty: false })
    expect(await probe.run({ op: 'isEmpty', path: join(dir, 'missing') }, 5000)).toMatchObject({ ok: false, code: 'ENOENT' })
    expect(await probe.run({ op: 'isEmpty', path: join(dir, 'file') }, 5000)).toMatchObject({ ok: false, code: 'ENOTDIR' })
  })

  it('makes folders with their parents, and checks write access', async () => {
    const deep = join(dir, 'a', 'b', 'c')
    expect(await probe.run({ op: 'mkdir', path: deep }, 5000)).toEqual({ ok: true })
    expect(statSync(deep).isDirectory()).toBe(true)
    expect(await probe.run({ op: 'mkdir', path: deep }, 5000)).toEqual({ ok: true })
    expect(await probe.run({ op: 'mkdir', path: join(dir, 'file', 'below') }, 5000)).toMatchObject({ ok: false, code: 'ENOTDIR' })
    expect(await probe.run({ op: 'access', path: deep }, 5000)).toEqual({ ok: true })
    expect(await probe.run({ op: 'access', path: join(dir, 'missing') }, 5000)).toMatchObject({ ok: false, code: 'ENOENT' })
  })

  it('resolves relative paths against this process, and answers bad input without losing the helper', async () => {
    expect(await probe.run({ op: 'stat', path: '.' }, 5000)).toMatchObject({ ok: true, dev: statSync('.').dev })
    const pid = probe.pid
    expect(await probe.run({ op: 'stat', path: `${dir}\0x` }, 5000)).toMatchObject({ ok: false, code: 'ERR_INVALID_ARG_VALUE' })
    expect(await probe.run({ op: 'chmod', path: dir } as never, 5000)).toMatchObject({ ok: false, code: 'EINVAL' })
    expect(await probe.run({ op: 'stat', path: dir }, 0)).toMatchObject({ ok: false, code: 'TIMEOUT' })
    expect(probe.pid).toBe(pid)
  })

  it('answers many requests at once from one helper, and each in well under a millisecond', async () => {
    const pid = probe.pid
    const results = await Promise.all(Array.from({ length: 500 }, () => probe.run({ op: 'stat', path: dir }, 5000)))
    expect(results.every((result) => result.ok)).toBe(true)
    expect(probe.pid).toBe(pid)

    const count = 1000
    const start = performance.now()
    for (let i = 0; i < count; i++) await probe.run({ op: 'stat', path: dir }, 5000)
    const perRequestUs = ((performance.now() - start) * 1000) / count
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${probe.pid}/status`, 'utf8'))?.[1])
    console.info(`fs-probe: ${perRequestUs.toFixed(0)} µs per sequential stat, helper RSS ${(rssKb / 1024).toFixed(1)} MiB`)
    // A spawn per request would cost tens of ms; the bound is loose for a busy 2-core machine.
    expect(perRequestUs).toBeLessThan(5000)
  })

  it('settles waiting requests on close() and starts a new helper on the next request', async () => {
    const pid = probe.pid!
    const waiting = probe.run({ op: 'stat', path: dir }, 5000)
    probe.close()
    expect(await waiting).toMatchObject({ ok: false, code: 'CLOSED' })
    expect(probe.pid).toBeNull()
    expect(await waitFor(() => !isAlive(pid), 2000)).toBe(true)
    expect(await probe.run({ op: 'stat', path: dir }, 5000)).toMatchObject({ ok: true })
    expect(probe.pid).not.toBe(pid)
  })

  it('reports a helper that cannot start instead of waiting for the deadline', async () => {
    const broken = new FsProbe({ nodePath: '/nonexistent/node' })
    const start = performance.now()
    expect(await broken.run({ op: 'stat', path: dir }, 10_000)).toMatchObject({
      ok: false,
      code: 'PROBE_FAILED',
      message: expect.stringContaining('/nonexistent/node'),
    })
    expect(performance.now() - start).toBeLessThan(5000)
    broken.close()
  })

  it('keeps Node alive while a request waits, not after; the helper dies with its parent', async () => {
    const moduleUrl = new URL('../../electron/engine/fs-probe.ts', import.meta.url).href
    const script = `import { sharedFsProbe } from ${JSON.stringify(moduleUrl)}
      const probe = sharedFsProbe()
      if (probe !== sharedFsProbe()) throw new Error('not shared')
      const result = await probe.run({ op: 'stat', path: ${JSON.stringify(dir)} }, 5000)
      console.log(JSON.stringify({ pid: probe.pid, ok: result.ok }))`
    const cwd = fileURLToPath(new URL('../..', import.meta.url))
    const start = performance.now()
    const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd,
      timeout: 20_000,
    })
    const elapsed = performance.now() - start
    const answer = JSON.parse(stdout) as { pid: number; ok: boolean }
    expect(answer.ok).toBe(true)
    // Well below the 5 s deadline: the timer must not hold the process once the answer is in.
    expect(elapsed).toBeLessThan(4000)
    expect(await waitFor(() => !isAlive(answer.pid), 2000)).toBe(true)
    expect(sharedFsProbe()).toBe(sharedFsProbe())
  })
})

describe('FsProbe on a hung FUSE mount (rclone stopped with SIGSTOP)', () => {
  const probe = new FsProbe()
  let mount: TestMount
  let local: string

  beforeAll(async () => {
    local = mkdtempSync(join(tmpdir(), 'fsprobe-local-'))
    mount = await startMount()
    // Start the helper now so that deadlines below measure waiting, not Node's start-up.
    expect(await probe.run({ op: 'stat', path: join(mount.mnt, 'file.txt') }, 5000)).toMatchObject({ ok: true, isDirectory: false })
  })

  afterAll(async () => {
    probe.close()
    mounts.splice(mounts.indexOf(mount), 1)
    await stopMount(mount)
    rmSync(local, { recursive: true, force: true })
  })

  async function frozen<T>(body: () => Promise<T>): Promise<T> {
    process.kill(mount.pid, 'SIGSTOP')
    try {
      return await body()
    } finally {
      process.kill(mount.pid, 'SIGCONT')
    }
  }

  it('times out on time, kills the stuck helper, and neither this loop nor other requests wait', async () => {
    const oldPid = probe.pid!
    const lag = monitorEventLoopDelay({ resolution: 10 })
    const { hung, elapsed, other, otherElapsed } = await frozen(async () => {
      lag.enable()
      const start = performance.now()
      const hungRequest = probe.run({ op: 'stat', path: join(mount.mnt, 'x') }, 500)
      await sleep(100)
      const otherStart = performance.now()
      const other = await probe.run({ op: 'stat', path: local }, 2000)
      const otherElapsed = performance.now() - otherStart
      const hung = await hungRequest
      const elapsed = performance.now() - start
      lag.disable()
      return { hung, elapsed, other, otherElapsed }
    })
    // The histogram records the time between its 10 ms ticks: the lag is what goes beyond the tick.
    const maxLagMs = lag.max / 1e6 - 10
    console.info(
      `fs-probe hung mount: TIMEOUT after ${elapsed.toFixed(1)} ms (deadline 500), local stat during the hang ${otherElapsed.toFixed(1)} ms, max loop lag ${maxLagMs.toFixed(1)} ms`,
    )
    expect(hung).toMatchObject({ ok: false, code: 'TIMEOUT' })
    expect(elapsed).toBeGreaterThanOrEqual(499)
    expect(elapsed).toBeLessThan(600)
    expect(other).toMatchObject({ ok: true, isDirectory: true })
    expect(otherElapsed).toBeLessThan(100)
    expect(maxLagMs).toBeLessThan(50)
    // Nothing else was waiting, so no new helper yet; the killed one is gone and reaped.
    expect(probe.pid).toBeNull()
    expect(await waitFor(() => !isAlive(oldPid), 2000)).toBe(true)
  })

  it('keeps answering with more stuck calls than libuv has pool threads by default', async () => {
    const { stuck, other } = await frozen(async () => {
      // Distinct names: lookups of one name queue behind each other in the kernel rather than each holding a thread.
      const stuck = Array.from({ length: 6 }, (_, i) => probe.run({ op: 'stat', path: join(mount.mnt, `stuck-${i}`) }, 1500))
      await sleep(200)
      const other = await probe.run({ op: 'isEmpty', path: local }, 1000)
      return { stuck: await Promise.all(stuck), other }
    })
    expect(other).toEqual({ ok: true, empty: true })
    expect(stuck.every((result) => !result.ok && result.code === 'TIMEOUT')).toBe(true)
  })

  it('moves the other requests in flight to a new helper, each with what is left of its deadline', async () => {
    process.kill(mount.pid, 'SIGSTOP')
    let stopped = true
    try {
      const start = performance.now()
      const shortRequest = probe.run({ op: 'stat', path: join(mount.mnt, 'short') }, 500)
      const firstPid = probe.pid
      const longRequest = probe.run({ op: 'lookup', path: join(mount.mnt, 'long') }, 5000)
      expect(await shortRequest).toMatchObject({ ok: false, code: 'TIMEOUT' })
      const secondPid = probe.pid
      expect(secondPid).not.toBeNull()
      expect(secondPid).not.toBe(firstPid)
      // The long request now waits in the new helper; it gets its answer once rclone runs again.
      await sleep(300)
      process.kill(mount.pid, 'SIGCONT')
      stopped = false
      expect(await longRequest).toEqual({ ok: true, exists: false })
      const elapsed = performance.now() - start
      expect(elapsed).toBeGreaterThan(700)
      expect(elapsed).toBeLessThan(2000)
      expect(probe.pid).toBe(secondPid)
    } finally {
      if (stopped) process.kill(mount.pid, 'SIGCONT')
    }
  })

  it('answers through the mount again once rclone runs', async () => {
    const result = await probe.run({ op: 'stat', path: mount.mnt }, 5000)
    expect(result).toMatchObject({ ok: true, isDirectory: true })
    expect(result.ok && result.dev).not.toBe(statSync(local).dev)
    expect(await probe.run({ op: 'isEmpty', path: mount.mnt }, 5000)).toEqual({ ok: true, empty: false })
  })
})

describe('FsProbe on a stale FUSE mount (rclone killed)', () => {
  const probe = new FsProbe()

  afterAll(() => probe.close())

  it('reports ENOTCONN at once, and the folder again after fusermount -uz', async () => {
    const mount = await startMount()
    expect(await probe.run({ op: 'isEmpty', path: mount.mnt }, 5000)).toEqual({ ok: true, empty: false })
    process.kill(mount.pid, 'SIGKILL')
    await exited(mount.rclone)
    expect(mountPoints()).toContain(mount.mnt)

    const start = performance.now()
    expect(await probe.run({ op: 'stat', path: mount.mnt }, 2000)).toMatchObject({ ok: false, code: 'ENOTCONN' })
    expect(performance.now() - start).toBeLessThan(200)
    expect(await probe.run({ op: 'isEmpty', path: mount.mnt }, 2000)).toMatchObject({ ok: false, code: 'ENOTCONN' })
    expect(await probe.run({ op: 'lookup', path: join(mount.mnt, 'x') }, 2000)).toMatchObject({ ok: false, code: 'ENOTCONN' })

    await execFileAsync('fusermount', ['-uz', mount.mnt])
    expect(mountPoints()).not.toContain(mount.mnt)
    expect(await probe.run({ op: 'isEmpty', path: mount.mnt }, 2000)).toEqual({ ok: true, empty: true })
  })
})
