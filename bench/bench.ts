/**
 * Performance bench of the mount supervisor against local test servers (s3rver, OpenSSH sshd).
 * Prints one markdown table: each measurement, its target, and whether it meets it.
 *
 * Run with `npm run bench`. `BENCH_ONLY=mount,recovery,...` runs a subset while working on one section.
 * Progress goes to stderr so that stdout holds only the report.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { link, mkdir, open, readFile, rm, writeFile } from 'node:fs/promises'
import { cpus, loadavg, release } from 'node:os'
import { dirname, join } from 'node:path'
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { RemoteMount, mountOptionsSchema, remoteSchema, type MountState, type RemoteInput } from '../electron/engine/index.js'
import { exited, spawnTied } from '../electron/engine/child-process.js'
import { sharedFsProbe } from '../electron/engine/fs-probe.js'
import { fuseUnmount } from '../electron/engine/fuse.js'
import { findMount, parseMountinfo, type MountEntry } from '../electron/engine/mountinfo.js'
import { findRclone } from '../electron/engine/rclone-binary.js'
import { backendConfig, childEnv, fsString, mountArgs, mountPaths } from '../electron/engine/rclone-config.js'
import { processTree, startS3, startSshd, stopAllServers, tempDir, type S3Server, type TestServer } from '../test/servers/index.js'

interface Row {
  item: string
  measurement: string
  result: string
  target: string
  meets: string
}

const rows: Row[] = []
const notes: string[] = []
/** The reason the mount gave for each 'degraded' it entered, to show what the supervisor noticed. */
const reasons = new Set<string>()
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim())
const benchStart = performance.now()

// ---------------------------------------------------------------------------------------------------------------
// Bookkeeping, so that every mount and process made here is gone at the end, even after Ctrl-C or a failed section.

const liveMounts = new Set<RemoteMount>()
const plainMounts = new Set<PlainMount>()
/** Every rclone pid a managed mount ever had: a restart replaces it, and cleanup must find strays. */
const rclonePids = new Set<number>()
let baseDir = ''
let counter = 0

function log(message: string): void {
  process.stderr.write(`[bench ${((performance.now() - benchStart) / 1000).toFixed(1).padStart(5)} s] ${message}\n`)
}

async function mountTable(): Promise<MountEntry[]> {
  // Not the engine's readMountTable(): it shares reads for 20 ms, which would blur the baseline's timing.
  return parseMountinfo(await readFile('/proc/self/mountinfo', 'utf8'))
}

/** A fresh mount folder and state folder under this run's temp dir. */
function nextPaths(tag: string): { localPath: string; stateDir: string } {
  const n = ++counter
  return { localPath: join(baseDir, `mnt-${tag}-${n}`), stateDir: join(baseDir, `state-${tag}-${n}`) }
}

function managed(remote: RemoteInput, remotePath: string, tag: string): RemoteMount {
  const { localPath, stateDir } = nextPaths(tag)
  const mount = new RemoteMount(remote, remotePath, localPath, { stateDir })
  liveMounts.add(mount)
  mount.on('state', (_state, health) => {
    if (health.pid) rclonePids.add(health.pid)
  })
  return mount
}

async function unmountManaged(mount: RemoteMount, force = false): Promise<void> {
  const pid = mount.health().pid
  if (pid) rclonePids.add(pid)
  await withTimeout(mount.unmount({ force, timeoutMs: 20_000 }), 30_000, `unmount ${mount.localPath}`)
  liveMounts.delete(mount)
}

/** Resolves with the time of the next 'state' event into one of `wanted`; rejects on timeout or on 'failed'. */
function nextState(mount: RemoteMount, wanted: MountState | MountState[], timeoutMs: number): Promise<number> {
  const set = new Set<MountState>(Array.isArray(wanted) ? wanted : [wanted])
  return new Promise((resolve, reject) => {
    const onState = (state: MountState) => {
      const at = performance.now()
      if (set.has(state)) {
        done()
        resolve(at)
      } else if (state === 'failed') {
        done()
        reject(new Error(`${mount.localPath} failed: ${mount.health().reason}`))
      }
    }
    const timer = setTimeout(() => {
      done()
      reject(new Error(`no '${[...set].join("'/'")}' within ${timeoutMs} ms (state ${mount.state}: ${mount.health().reason})`))
    }, timeoutMs)
    const done = () => {
      clearTimeout(timer)
      mount.off('state', onState)
    }
    mount.on('state', onState)
  })
}

/** Resolves at the end of the mount's next health report (every round while busy, every fifteenth while idle). */
function nextTick(mount: RemoteMount, timeoutMs: number): Promise<void> {
  return withTimeout(new Promise<void>((resolve) => mount.once('health', () => resolve())), timeoutMs, `health tick of ${mount.localPath}`)
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The baseline: `rclone mount` run by hand with exactly the arguments and environment the engine would use.

interface PlainMount {
  child: ChildProcess
  pid: number
  localPath: string
  stateDir: string
  exit: Promise<number>
}

async function plainMount(remote: RemoteInput, remotePath: string, tag: string): Promise<{ mount: PlainMount; ms: number }> {
  const { localPath, stateDir } = nextPaths(tag)
  const rclone = await findRclone()
  const options = mountOptionsSchema.parse({ stateDir })
  const paths = mountPaths(localPath, stateDir)
  await mkdir(paths.cacheDir, { recursive: true, mode: 0o700 })
  await mkdir(localPath, { recursive: true })
  const backend = backendConfig(remoteSchema.parse(remote), rclone, { caBundle: caBundle() })
  const args = mountArgs(remotePath, localPath, options, paths, backend)
  const env = childEnv(process.env, { ...backend.env, RCLONE_RC_USER: 'bench', RCLONE_RC_PASS: randomBytes(16).toString('hex') })
  const started = performance.now()
  const child = spawnTied(rclone.path, args, { env, stdio: 'ignore', detached: true })
  const mount: PlainMount = { child, pid: child.pid ?? -1, localPath, stateDir, exit: exited(child) }
  plainMounts.add(mount)
  let code: number | null = null
  void mount.exit.then((c) => (code = c))
  for (;;) {
    if (findMount(await mountTable(), localPath)?.fsType === 'fuse.rclone') return { mount, ms: performance.now() - started }
    if (code !== null) throw new Error(`plain rclone mount exited with ${code}; see ${paths.logFile}`)
    if (performance.now() - started > 30_000) throw new Error('plain rclone mount did not come up within 30 s')
    await sleep(5)
  }
}

/** The CA bundle the engine hands to rclone (RemoteMount.prepare does the same), so that the baseline's flags match. */
function caBundle(): string | undefined {
  const bundle = process.env.AWS_CA_BUNDLE
  return bundle && existsSync(bundle) ? bundle : undefined
}

/** An rclone's argv with this run's per-mount paths replaced, to compare the managed and the plain command lines. */
async function argvShape(pid: number, localPath: string, stateDir: string): Promise<string> {
  const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean)
  return argv.map((arg) => arg.replaceAll(stateDir, '<state>').replaceAll(localPath, '<mnt>')).join(' ')
}

async function stopPlain(mount: PlainMount): Promise<void> {
  const gone = (ms: number) => Promise.race([mount.exit.then(() => true), sleep(ms).then(() => false)])
  await fuseUnmount(mount.localPath, false)
  if (!(await gone(5000))) {
    mount.child.kill('SIGTERM')
    if (!(await gone(5000))) mount.child.kill('SIGKILL')
    await mount.exit
  }
  if (findMount(await mountTable(), mount.localPath)) await fuseUnmount(mount.localPath, true)
  plainMounts.delete(mount)
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers for the numbers.

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const ms = (value: number) => `${Math.round(value)} ms`
const samples = (values: number[], unit = 'ms') => `(${values.map((v) => Math.round(v)).join(', ')} ${unit})`
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

function add(item: string, measurement: string, result: string, target = '—', meets: boolean | null = null): void {
  rows.push({ item, measurement, result, target, meets: meets === null ? '—' : meets ? 'yes' : '**NO**' })
}

/** VmRSS of a process in bytes, or 0 when it is gone. */
async function rssOf(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]
    return kb ? Number(kb) * 1024 : 0
  } catch {
    return 0
  }
}

/** The FsProbe helpers: node children of this process started with `-e` (s3rver children are node too, but run a file). */
async function probeHelperPids(): Promise<number[]> {
  const pids: number[] = []
  for (const info of processTree([process.pid])) {
    if (info.ppid !== process.pid || info.pid === watchdog?.pid) continue
    try {
      const argv = (await readFile(`/proc/${info.pid}/cmdline`, 'utf8')).split('\0')
      if (argv.includes('-e')) pids.push(info.pid)
    } catch {
      // exited meanwhile
    }
  }
  return pids
}

/** True when `pid` is still an rclone of this bench: a reused pid belongs to someone else and must not be killed. */
async function isOurRclone(pid: number): Promise<boolean> {
  try {
    const [comm, cmdline] = await Promise.all([readFile(`/proc/${pid}/comm`, 'utf8'), readFile(`/proc/${pid}/cmdline`, 'utf8')])
    return comm.trim() === 'rclone' && baseDir !== '' && cmdline.includes(baseDir)
  } catch {
    return false
  }
}

// Event-loop delay over the hang windows only: the 1 ms sampling timer costs CPU, which would spoil the idle numbers.
const loopDelay = monitorEventLoopDelay({ resolution: 1 })
interface LagWindow {
  name: string
  maxMs: number
  p99Ms: number
  /** The longest stall during which this process was on a CPU: a stall without CPU time is the scheduler's doing. */
  onCpuMs: number
}
const loopDelayWindows: LagWindow[] = []
let inLagWindow = false
let maxGcPauseMs = 0
// GC pauses inside the windows, to tell the collector's share of the delay from the supervisor's own work.
const gcObserver = new PerformanceObserver((list) => {
  if (inLagWindow) for (const entry of list.getEntries()) maxGcPauseMs = Math.max(maxGcPauseMs, entry.duration)
})
gcObserver.observe({ entryTypes: ['gc'] })
let stallTimer: NodeJS.Timeout | null = null
let onCpuMs = 0

// The window opens once freeze() or stop() has returned: those walk /proc synchronously in this process, which is
// the test harness's cost, not the supervisor's.
function lagWindowStart(): void {
  loopDelay.reset()
  loopDelay.enable()
  inLagWindow = true
  // On a loaded two-core machine the thread also waits for a CPU. The CPU time this process used across a stall
  // (all its threads, so an upper bound) tells a blocked event loop from a descheduled one.
  onCpuMs = 0
  let lastWall = performance.now()
  let lastCpu = process.cpuUsage()
  stallTimer = setInterval(() => {
    const wall = performance.now()
    const cpu = process.cpuUsage()
    const stall = wall - lastWall
    if (stall > 5) onCpuMs = Math.max(onCpuMs, Math.min(stall, (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000))
    lastWall = wall
    lastCpu = cpu
  }, 1)
}

function lagWindowEnd(name: string): void {
  loopDelay.disable()
  if (stallTimer) clearInterval(stallTimer)
  stallTimer = null
  inLagWindow = false
  if (loopDelay.count > 0) loopDelayWindows.push({ name, maxMs: loopDelay.max / 1e6, p99Ms: loopDelay.percentile(99) / 1e6, onCpuMs })
}

/** The same measurement with nothing hung, for comparison: what this machine does to the event loop anyway. */
async function controlWindow(name: string, ms: number): Promise<void> {
  lagWindowStart()
  try {
    await sleep(ms)
  } finally {
    lagWindowEnd(`${name} control, nothing hung`)
  }
}

function addLoopDelayRow(): void {
  const windows = loopDelayWindows.filter((w) => !w.name.includes('control'))
  const controls = loopDelayWindows.filter((w) => w.name.includes('control'))
  if (windows.length === 0) return
  const max = (list: LagWindow[], pick: (w: LagWindow) => number) => Math.max(0, ...list.map(pick))
  const byName = new Map<string, number>()
  for (const w of windows) byName.set(w.name, Math.max(byName.get(w.name) ?? 0, w.maxMs))
  const worst = max(windows, (w) => w.maxMs)
  const detail = [
    `per kind: ${[...byName].map(([name, value]) => `${name} ${value.toFixed(1)}`).join(', ')}`,
    `worst window p99 ${max(windows, (w) => w.p99Ms).toFixed(1)}`,
    `longest stall with the process on CPU ${max(windows, (w) => w.onCpuMs).toFixed(1)}`,
    `longest GC pause ${maxGcPauseMs.toFixed(1)}`,
    ...(controls.length ? [`control windows with nothing hung: max ${max(controls, (w) => w.maxMs).toFixed(1)}`] : []),
  ]
  add(
    '4',
    `Event-loop delay, max over ${windows.length} hang/outage windows (1 ms sampling; includes the 1 ms interval)`,
    `${worst.toFixed(1)} ms (${detail.join('; ')} ms)`,
    '< 20 ms',
    worst < 20,
  )
}

// ---------------------------------------------------------------------------------------------------------------
// The sections.

const bucket = 'bench'
let s3: S3Server
let s3Remote: RemoteInput

async function benchMountTime(): Promise<void> {
  const managedMs: number[] = []
  const plainMs: number[] = []
  // Alternating, so that a slow spell of the machine hits both sides.
  const shapes = new Set<string>()
  for (let i = 0; i < 5; i++) {
    const mount = managed(s3Remote, bucket, 'time')
    const started = performance.now()
    await mount.mount()
    managedMs.push(performance.now() - started)
    if (i === 0) shapes.add(await argvShape(mount.health().pid!, mount.localPath, mount.paths.stateDir))
    await unmountManaged(mount)
    const plain = await plainMount(s3Remote, bucket, 'time-plain')
    plainMs.push(plain.ms)
    if (i === 0) shapes.add(await argvShape(plain.mount.pid, plain.mount.localPath, plain.mount.stateDir))
    await stopPlain(plain.mount)
  }
  // The baseline is only a baseline if rclone got the same command line; the engine may have grown a flag since.
  if (shapes.size !== 1) notes.push(`The plain rclone mount's arguments differ from the managed one's: ${[...shapes].join(' ≠ ')}`)
  const m = median(managedMs)
  const p = median(plainMs)
  add('1', 'Time to mounted: RemoteMount.mount(), S3, median of 5', `${ms(m)} ${samples(managedMs)}`)
  add('1', 'Time to mounted: plain `rclone mount`, same args, to mountinfo', `${ms(p)} ${samples(plainMs)}`)
  add('1', 'Ratio managed / plain', `${(m / p).toFixed(2)}×`)
}

async function benchRecovery(): Promise<void> {
  // One mount, unmounted and mounted again between kills: mount() clears the restart history, so each kill is
  // the first crash in its window and gets the immediate restart. A second crash within restartWindowMs is
  // delayed by design (backoff with jitter, 250-500 ms), which is not what this row measures.
  const mount = managed(s3Remote, bucket, 'kill')
  const times: number[] = []
  try {
    for (let i = 0; i < 5; i++) {
      await mount.mount()
      // Let the first health tick pass: a real crash does not come in the first milliseconds of a mount.
      await nextTick(mount, 17_000)
      const pid = mount.health().pid!
      const back = nextState(mount, 'mounted', 10_000)
      const killed = performance.now()
      process.kill(pid, 'SIGKILL')
      times.push((await back) - killed)
      if (mount.health().pid === pid) throw new Error('the mount came back with the same rclone pid')
      await withTimeout(mount.unmount(), 30_000, `unmount ${mount.localPath}`)
    }
  } finally {
    await unmountManaged(mount, true)
  }
  const m = median(times)
  add('2', 'Recovery after `kill -9` of rclone, to `mounted` event, median of 5', `${ms(m)} ${samples(times)}`, '< 250 ms', m < 250)
}

/**
 * Freezes the server and times the 'degraded' event. The probe ticks once a second, so the result depends on where
 * in the tick cycle the hang starts; the three samples start it at 1/6, 3/6 and 5/6 of the cycle after a tick (an
 * even spread, the median being the mid-cycle case) instead of at random, which with three samples would be noise.
 */
async function hangDetection(mount: RemoteMount, server: TestServer, name: string): Promise<number[]> {
  const times: number[] = []
  const interval = mount.options.probeIntervalMs
  await controlWindow(name, 2000)
  for (const phase of [1 / 6, 3 / 6, 5 / 6]) {
    await nextTick(mount, 17_000)
    await sleep(interval * phase)
    const degraded = nextState(mount, 'degraded', 15_000)
    try {
      server.freeze()
      const frozeAt = performance.now()
      lagWindowStart()
      times.push((await degraded) - frozeAt)
    } finally {
      lagWindowEnd(`${name} frozen`)
      server.thaw()
    }
    reasons.add(`${name} frozen: ${mount.health().reason}`)
    await nextState(mount, 'mounted', 15_000)
  }
  return times
}

/**
 * Stops the server, waits for 'degraded', restarts it on the same port and times restart() resolving to 'mounted'.
 * Also returns the stop-to-degraded times.
 */
async function serverRestart(mount: RemoteMount, server: TestServer, name: string): Promise<RestartTimes> {
  const back: number[] = []
  const detect: number[] = []
  const restartMs: number[] = []
  for (let i = 0; i < 3; i++) {
    await nextTick(mount, 17_000)
    const degraded = nextState(mount, 'degraded', 15_000)
    await server.stop()
    const stopped = performance.now()
    lagWindowStart()
    try {
      detect.push((await degraded) - stopped)
    } finally {
      lagWindowEnd(`${name} stopped`)
    }
    reasons.add(`${name} stopped: ${mount.health().reason}`)
    // Listen before restart() resolves: the mount may well come back before this code runs again.
    const mounted = nextState(mount, 'mounted', 15_000)
    const restarting = performance.now()
    await server.restart()
    const restarted = performance.now()
    restartMs.push(restarted - restarting)
    // 0 when the mount was back before restart() resolved (restart() waits for its own probe of the server).
    back.push(Math.max(0, (await mounted) - restarted))
  }
  return { back, detect, restartMs }
}

async function benchHangS3(): Promise<void> {
  const mount = managed(s3Remote, bucket, 'hang')
  try {
    await mount.mount()
    const times = await hangDetection(mount, s3, 'S3')
    const m = median(times)
    add('3', 'Hung S3 (s3rver SIGSTOP) to `degraded`, median of 3', `${ms(m)} ${samples(times)}`, '< 2.5 s', m < 2500)
  } finally {
    await unmountManaged(mount, true)
  }
}

interface RestartTimes {
  back: number[]
  detect: number[]
  restartMs: number[]
}

function addRestartRows(name: string, { back, detect, restartMs }: RestartTimes): void {
  const m = median(back)
  add(
    '5',
    `${name} server stopped, then restarted: restart() resolved to \`mounted\`, median of 3`,
    `${ms(m)} ${samples(back)}`,
    '< 2 s',
    m < 2000,
  )
  add('5', `(info) ${name} server stop() resolved to \`degraded\`, median of 3`, `${ms(median(detect))} ${samples(detect)}`)
  add(
    '5',
    `(info) ${name} server restart() call to resolved (the harness's own start-up wait)`,
    `${ms(median(restartMs))} ${samples(restartMs)}`,
  )
}

async function benchHangSftp(): Promise<void> {
  const sshd = await startSshd()
  guardDir(dirname(sshd.rootDir))
  const remote: RemoteInput = {
    type: 'sftp',
    host: '127.0.0.1',
    port: sshd.port,
    user: sshd.user,
    keyFile: sshd.keyFile,
    knownHostsFile: sshd.knownHostsFile,
  }
  const mount = managed(remote, sshd.rootDir, 'sftp')
  try {
    await mount.mount()
    const times = await hangDetection(mount, sshd, 'SFTP')
    const m = median(times)
    add('3', 'Hung SFTP (sshd SIGSTOP) to `degraded`, median of 3', `${ms(m)} ${samples(times)}`, '< 2.5 s', m < 2500)
    addRestartRows('SFTP (sshd)', await serverRestart(mount, sshd, 'SFTP'))
  } finally {
    await unmountManaged(mount, true)
    await sshd.stop()
  }
}

async function benchServerRestart(): Promise<void> {
  const mount = managed(s3Remote, bucket, 'restart')
  try {
    await mount.mount()
    addRestartRows('S3 (s3rver)', await serverRestart(mount, s3, 'S3'))
  } finally {
    // A failed sample must not leave the server down for the sections after this one.
    if (s3.pids().length === 0) await s3.restart()
    await unmountManaged(mount, true)
  }
}

async function benchIdle(): Promise<void> {
  const mounts: RemoteMount[] = []
  const results: { n: number; cpu: number; rss: number; helperRss: number; rcloneRss: number; notMounted: number }[] = []
  try {
    // 0 mounts: what this process costs with only the test servers as children, to subtract by eye.
    for (const n of [0, 1, 10, 50]) {
      // Parallel batches of five, as an app starting with many saved mounts would do.
      const mountStarted = performance.now()
      while (mounts.length < n) {
        const batch = Array.from({ length: Math.min(5, n - mounts.length) }, () => managed(s3Remote, bucket, 'idle'))
        mounts.push(...batch)
        await Promise.all(batch.map((mount) => mount.mount()))
      }
      log(`idle: ${n} mounted (${((performance.now() - mountStarted) / 1000).toFixed(1)} s for this step); settling`)
      await sleep(n ? 2000 : 500)
      let leftService = 0
      const onState = (state: MountState) => {
        if (state !== 'mounted') leftService++
      }
      for (const mount of mounts) mount.on('state', onState)
      const cpu0 = process.cpuUsage()
      const t0 = performance.now()
      await sleep(n ? 15_000 : 10_000)
      const cpu = process.cpuUsage(cpu0)
      const wallUs = (performance.now() - t0) * 1000
      for (const mount of mounts) mount.off('state', onState)
      const helpers = await probeHelperPids()
      const rclones = mounts.map((mount) => mount.health().pid).filter((pid): pid is number => pid !== null)
      const [helperRss, rcloneRss] = await Promise.all([
        Promise.all(helpers.map(rssOf)).then((values) => values.reduce((a, b) => a + b, 0)),
        Promise.all(rclones.map(rssOf)).then((values) => values.reduce((a, b) => a + b, 0)),
      ])
      const notMounted = mounts.filter((mount) => mount.state !== 'mounted').length
      results.push({
        n,
        cpu: ((cpu.user + cpu.system) / wallUs) * 100,
        rss: process.memoryUsage().rss,
        helperRss,
        rcloneRss,
        notMounted: Math.max(notMounted, leftService),
      })
      if (helpers.length !== 1) notes.push(`With ${n} mounts ${helpers.length} FsProbe helper processes were found (expected 1).`)
    }
  } finally {
    // Batches of ten: fifty drains at once would be fine for the engine but make this machine's numbers for later sections worse.
    for (let i = 0; i < mounts.length; i += 10) await Promise.allSettled(mounts.slice(i, i + 10).map((mount) => unmountManaged(mount)))
  }
  for (const r of results) {
    const target = r.n === 50 ? '< 1 %' : '—'
    const what = r.n ? `${r.n} idle mount${r.n > 1 ? 's' : ''} (15 s)` : 'no mount, servers only (10 s, info)'
    add('6', `Supervisor CPU, ${what}`, `${r.cpu.toFixed(2)} % of a core`, target, r.n === 50 ? r.cpu < 1 : null)
  }
  for (const r of results) {
    if (r.n === 0) continue
    add(
      '6',
      `RSS with ${r.n} mount${r.n > 1 ? 's' : ''}: supervisor / FsProbe helper / all rclone (info)`,
      `${mib(r.rss)} / ${mib(r.helperRss)} / ${mib(r.rcloneRss)}`,
    )
  }
  const flapping = results.filter((r) => r.notMounted > 0)
  for (const r of flapping)
    notes.push(`With ${r.n} idle mounts, ${r.notMounted} state change(s) away from 'mounted' happened during the idle window.`)
}

const tputBytes = 64 * 1024 * 1024
const chunk = randomBytes(1024 * 1024)

/** Flushes the machine's dirty pages, so that the timed fsync pays for this file only. */
async function syncDisks(): Promise<void> {
  const code = await exited(spawnTied('sync', [], { stdio: 'ignore' }))
  if (code !== 0) throw new Error(`sync exited with ${code}`)
}

async function writeFileTimed(path: string): Promise<number> {
  await syncDisks()
  const started = performance.now()
  const handle = await open(path, 'w')
  try {
    for (let written = 0; written < tputBytes; written += chunk.length) await handle.write(chunk, 0, chunk.length)
    await handle.sync()
  } finally {
    await handle.close()
  }
  return performance.now() - started
}

async function readFileTimed(path: string): Promise<number> {
  const buffer = Buffer.allocUnsafe(1024 * 1024)
  const started = performance.now()
  const handle = await open(path, 'r')
  let total = 0
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null)
      if (bytesRead === 0) break
      total += bytesRead
    }
  } finally {
    await handle.close()
  }
  if (total !== tputBytes) throw new Error(`read ${total} bytes of ${path}, expected ${tputBytes}`)
  return performance.now() - started
}

/**
 * What is measured. One managed and one plain mount of the same bucket are up side by side, and the operations
 * alternate between them (A B, B A, ...), so that a busy spell of this shared machine hits both sides alike.
 * - Write: a new 64 MiB file in 1 MiB writes, fsync, close. In `writes` cache mode that is FUSE plus rclone's local
 *   cache file; the upload would start after the 5 s write-back delay, but the file is deleted untimed right after
 *   the measurement, which cancels it, so no upload runs behind a later measurement.
 * - Read: `source-<run>.bin`, uploaded with `rclone copy` before either mount existed and read once per mount. In
 *   `writes` mode reads are not cached, so this streams from s3rver through rclone and FUSE; it is never served from
 *   the mount's VFS cache (s3rver's own file is in the page cache for both sides alike).
 * Run 0 warms up the disk, rclone and s3rver and is not counted: in trials the first run of either side was the
 * slowest by a third.
 */
async function benchThroughput(): Promise<void> {
  const tputBucket = 'tput'
  const runs = 8
  const sourceDir = join(baseDir, 'sources')
  await mkdir(sourceDir)
  const handle = await open(join(sourceDir, 'source-0.bin'), 'w')
  for (let written = 0; written < tputBytes; written += chunk.length) await handle.write(randomBytes(chunk.length))
  await handle.close()
  for (let i = 1; i < runs; i++) await link(join(sourceDir, 'source-0.bin'), join(sourceDir, `source-${i}.bin`))
  const rclone = await findRclone()
  const backend = backendConfig(remoteSchema.parse(s3Remote), rclone, { caBundle: caBundle() })
  const copy = spawnTied(rclone.path, ['copy', '--config', '/dev/null', ...backend.args, sourceDir, fsString(tputBucket)], {
    env: childEnv(process.env, backend.env),
    stdio: 'ignore',
  })
  const code = await exited(copy)
  if (code !== 0) throw new Error(`rclone copy of the read sources exited with ${code}`)
  await rm(sourceDir, { recursive: true })

  const mount = managed(s3Remote, tputBucket, 'tput')
  await mount.mount()
  const plain = await plainMount(s3Remote, tputBucket, 'tput-plain')
  const roots = { managed: mount.localPath, plain: plain.mount.localPath }
  const result = { managed: { write: [] as number[], read: [] as number[] }, plain: { write: [] as number[], read: [] as number[] } }
  const mibPerS = (elapsedMs: number) => tputBytes / 1024 / 1024 / (elapsedMs / 1000)
  try {
    for (let i = 0; i < runs; i++) {
      for (const kind of i % 2 ? (['plain', 'managed'] as const) : (['managed', 'plain'] as const)) {
        const written = join(roots[kind], `written-${i}.bin`)
        const write = mibPerS(await writeFileTimed(written))
        await rm(written)
        const read = mibPerS(await readFileTimed(join(roots[kind], `source-${i}.bin`)))
        if (i > 0) {
          result[kind].write.push(write)
          result[kind].read.push(read)
        }
      }
    }
  } finally {
    await unmountManaged(mount, true)
    await stopPlain(plain.mount)
  }
  for (const op of ['write', 'read'] as const) {
    const m = median(result.managed[op])
    const p = median(result.plain[op])
    const fmt = (values: number[]) => `(${values.map((v) => v.toFixed(0)).join(', ')})`
    const name = op === 'write' ? 'Write' : 'Read'
    add('7', `${name} 64 MiB, managed mount, median of ${runs - 1}`, `${m.toFixed(1)} MiB/s ${fmt(result.managed[op])}`)
    add('7', `${name} 64 MiB, plain rclone mount, median of ${runs - 1}`, `${p.toFixed(1)} MiB/s ${fmt(result.plain[op])}`)
    add('7', `${name} throughput ratio managed / plain`, `${(m / p).toFixed(3)}`, '>= 0.95', m / p >= 0.95)
    // A ratio is only as good as the samples under it: say so when they scatter more than the margin being tested.
    const spread = (values: number[]) => (Math.max(...values) - Math.min(...values)) / median(values)
    const worst = Math.max(spread(result.managed[op]), spread(result.plain[op]))
    if (worst > 0.1)
      notes.push(
        `${name} samples of one side spread by ${(worst * 100).toFixed(0)} % (max − min over median), so the ${op} ratio's 5 % margin is within this machine's noise.`,
      )
  }
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * The last line of defence: a small detached process that outlives this one. If this process dies without saying
 * 'done' (SIGKILL; or tsx, which SIGKILLs a child that takes over 30 ms to acknowledge a relayed Ctrl-C, as a busy
 * cleanup can), it kills the rclone processes whose command line names one of our dirs, lazy-unmounts every FUSE
 * mount under them and removes them. It runs in its own process group, so Ctrl-C does not reach it.
 */
const watchdogSource = `'use strict'
const fs = require('fs')
const { execFileSync } = require('child_process')
const dirs = []
let done = false
let carry = ''
process.stdin.setEncoding('utf8')
process.stdin.on('data', (chunk) => {
  carry += chunk
  let nl
  while ((nl = carry.indexOf('\\n')) !== -1) {
    const line = carry.slice(0, nl)
    carry = carry.slice(nl + 1)
    if (line === 'done') done = true
    // Only temp dirs this bench made (rmount-*): a garbled line must never name anything else for deletion.
    else if (/^dir \\/.*\\/rmount-[^/]+$/.test(line)) dirs.push(line.slice(4))
  }
})
process.stdin.on('end', () => {
  if (!done && dirs.length) cleanup()
  process.exit(0)
})
const under = (path) => dirs.some((dir) => path === dir || path.startsWith(dir + '/'))
function mountPoints() {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\\n').filter((line) => line.includes(' - fuse')).map((line) => line.split(' ')[4]).filter((p) => p && under(p))
}
function cleanup() {
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\\d+$/.test(name)) continue
    try {
      if (fs.readFileSync('/proc/' + name + '/comm', 'utf8').trim() !== 'rclone') continue
      const cmdline = fs.readFileSync('/proc/' + name + '/cmdline', 'utf8')
      if (dirs.some((dir) => cmdline.includes(dir))) process.kill(Number(name), 'SIGKILL')
    } catch {}
  }
  for (const point of mountPoints()) {
    for (const fusermount of ['fusermount3', 'fusermount']) {
      try {
        execFileSync(fusermount, ['-uz', point], { stdio: 'ignore', timeout: 10000 })
        break
      } catch {}
    }
  }
  // Never delete through a mount that is still there: that would delete files on the remote.
  if (mountPoints().length === 0) for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
}
`
let watchdog: ChildProcess | null = null

function startWatchdog(): void {
  // Plain spawn, not spawnTied: this one must outlive us.
  watchdog = spawn(process.execPath, ['-e', watchdogSource], { detached: true, stdio: ['pipe', 'ignore', 'ignore'], cwd: '/' })
  watchdog.stdin!.on('error', () => undefined)
  watchdog.unref()
  ;(watchdog.stdin as unknown as { unref?: () => void }).unref?.()
}

/** Tells the watchdog about a temp dir to clean up if this process dies. */
function guardDir(dir: string): void {
  watchdog?.stdin?.write(`dir ${dir}\n`)
}

let cleaning: Promise<void> | null = null

/** Idempotent: the normal end, a failed section and Ctrl-C all come through here. */
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await Promise.allSettled([...liveMounts].map((mount) => unmountManaged(mount, true)))
    await Promise.allSettled([...plainMounts].map((mount) => stopPlain(mount)))
    // Whatever a failure above left: lazy-unmount our mount points, then end our rclone processes, by pid.
    if (baseDir) {
      for (const entry of await mountTable()) if (entry.mountPoint.startsWith(baseDir + '/')) await fuseUnmount(entry.mountPoint, true)
    }
    for (const pid of rclonePids) if (await isOurRclone(pid)) process.kill(pid, 'SIGKILL')
    sharedFsProbe().close()
    gcObserver.disconnect()
    // Only now: stopAllServers() deletes the temp dirs, and a live FUSE mount inside one would be deleted through.
    await stopAllServers().catch((error: unknown) => log(`cleanup: ${String(error)}`))
    watchdog?.stdin?.end('done\n')
    log('cleanup done')
  })()
  return cleaning
}

let signalled = false

async function onSignal(signal: NodeJS.Signals): Promise<void> {
  // Ctrl-C reaches this process from the terminal and again relayed by tsx: the handler stays installed, so the
  // second one does not kill the process in the middle of its cleanup.
  if (signalled) return
  signalled = true
  log(`${signal}: cleaning up`)
  s3?.thaw()
  await withTimeout(cleanup(), 60_000, 'cleanup').catch((error: unknown) => log(String(error)))
  process.exit(signal === 'SIGINT' ? 130 : 143)
}
process.on('SIGINT', (signal) => void onSignal(signal))
process.on('SIGTERM', (signal) => void onSignal(signal))

async function section(name: string, what: string, run: () => Promise<void>): Promise<void> {
  if (only && !only.includes(name)) return
  const started = performance.now()
  log(`${name}: ${what}`)
  try {
    await run()
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    add('!', `${what}: section failed`, message.split('\n')[0]!.slice(0, 200), '—', false)
    log(`${name} failed: ${error instanceof Error ? error.stack : message}`)
  }
  log(`${name}: ${((performance.now() - started) / 1000).toFixed(1)} s`)
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0]!
  const rclone = await findRclone()
  startWatchdog()
  baseDir = await tempDir('rmount-bench-')
  guardDir(baseDir)
  await writeFile(join(baseDir, 'README'), 'Temp dir of bench/bench.ts; removed at its end.\n')
  s3 = await startS3({ buckets: [bucket, 'tput'] })
  guardDir(dirname(s3.dataDir))
  s3Remote = { type: 's3', provider: 'Minio', endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }
  try {
    await section('mount', 'time to mounted', benchMountTime)
    await section('recovery', 'recovery after kill -9', benchRecovery)
    await section('hang', 'hung S3 detection', benchHangS3)
    await section('hang-sftp', 'hung SFTP detection', benchHangSftp)
    await section('restart', 'S3 server restart', benchServerRestart)
    addLoopDelayRow()
    await section('idle', 'idle CPU and memory with 1, 10, 50 mounts', benchIdle)
    await section('tput', 'throughput', benchThroughput)
  } finally {
    await cleanup()
  }
  const order = ['1', '2', '3', '4', '5', '6', '7', '!']
  rows.sort((a, b) => order.indexOf(a.item) - order.indexOf(b.item))
  const cpu = cpus()
  const out: string[] = []
  out.push(
    `Environment: rclone ${rclone.version} (${rclone.path}), Node ${process.version}, ${cpu.length} cores (${cpu[0]?.model.trim() ?? '?'}), Linux ${release()}, load average ${loadBefore.toFixed(2)} before / ${loadavg()[0]!.toFixed(2)} after, bench ran ${((performance.now() - benchStart) / 1000).toFixed(0)} s`,
  )
  out.push('')
  out.push('| # | Measurement | Result | Target | Meets |')
  out.push('|---|---|---|---|---|')
  for (const row of rows)
    out.push(`| ${row.item} | ${row.measurement} | ${row.result.replaceAll('|', '\\|')} | ${row.target} | ${row.meets} |`)
  if (reasons.size) notes.push(...[...reasons].map((reason) => `Degraded because (${reason.replace(/\s+/g, ' ')})`))
  if (notes.length) out.push('', ...notes.map((note) => `- ${note}`))
  out.push('', 'bench: done')
  process.stdout.write(out.join('\n') + '\n')
}

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    log(`bench: ${error instanceof Error ? error.stack : String(error)}`)
    await cleanup().catch(() => undefined)
    process.stdout.write('bench: done\n')
    process.exit(0)
  },
)
