/**
 * Performance bench of the mount supervisor against local test servers (s3rver, OpenSSH sshd).
 * Prints one markdown table: each measurement, its target, and whether it meets it.
 *
 * Run with `npm run bench`. `BENCH_ONLY=mount,recovery,...` runs a subset while working on one section.
 * Progress goes to stderr so that stdout holds only the report.
 */
import { type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises'
import { cpus, release } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { RemoteMount, mountOptionsSchema, remoteSchema, type MountState, type RemoteInput } from '../electron/engine/index.js'
import { exited, spawnTied } from '../electron/engine/child-process.js'
import { sharedFsProbe } from '../electron/engine/fs-probe.js'
import { fuseUnmount } from '../electron/engine/fuse.js'
import { findMount, parseMountinfo, type MountEntry } from '../electron/engine/mountinfo.js'
import { findRclone } from '../electron/engine/rclone-binary.js'
import { backendConfig, childEnv, fsString, mountArgs, mountPaths } from '../electron/engine/rclone-config.js'
import { processTree, startS3, startSshd, stopAllServers, tempDir, type S3Server, type SshdServer } from '../test/servers/index.js'

interface Row {
  item: string
  measurement: string
  result: string
  target: string
  meets: string
}

const rows: Row[] = []
const notes: string[] = []
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

function managed(remote: RemoteInput, remotePath: string, tag: string, options: { restartWindowMs?: number } = {}): RemoteMount {
  const { localPath, stateDir } = nextPaths(tag)
  const mount = new RemoteMount(remote, remotePath, localPath, { stateDir, ...options })
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

/** Resolves at the end of the mount's next health tick. */
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
  const backend = backendConfig(remoteSchema.parse(remote), rclone)
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
    if (info.ppid !== process.pid) continue
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
let maxLoopDelayMs = 0
let loopDelayWindows = 0

function lagWindowStart(): void {
  loopDelay.reset()
  loopDelay.enable()
}

function lagWindowEnd(): void {
  loopDelay.disable()
  if (loopDelay.count > 0) maxLoopDelayMs = Math.max(maxLoopDelayMs, loopDelay.max / 1e6)
  loopDelayWindows++
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
  for (let i = 0; i < 5; i++) {
    const mount = managed(s3Remote, bucket, 'time')
    const started = performance.now()
    await mount.mount()
    managedMs.push(performance.now() - started)
    await unmountManaged(mount)
    const plain = await plainMount(s3Remote, bucket, 'time-plain')
    plainMs.push(plain.ms)
    await stopPlain(plain.mount)
  }
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
      await nextTick(mount, 5000)
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
async function hangDetection(mount: RemoteMount, server: { freeze(): void; thaw(): void }): Promise<number[]> {
  const times: number[] = []
  const interval = mount.options.probeIntervalMs
  for (const phase of [1 / 6, 3 / 6, 5 / 6]) {
    await nextTick(mount, 5000)
    await sleep(interval * phase)
    const degraded = nextState(mount, 'degraded', 15_000)
    lagWindowStart()
    let frozeAt = 0
    try {
      server.freeze()
      frozeAt = performance.now()
      times.push((await degraded) - frozeAt)
    } finally {
      lagWindowEnd()
      server.thaw()
    }
    await nextState(mount, 'mounted', 15_000)
  }
  return times
}

async function benchHangS3(): Promise<void> {
  const mount = managed(s3Remote, bucket, 'hang')
  try {
    await mount.mount()
    const times = await hangDetection(mount, s3)
    const m = median(times)
    add('3', 'Hung S3 (s3rver SIGSTOP) to `degraded`, median of 3', `${ms(m)} ${samples(times)}`, '< 2.5 s', m < 2500)
  } finally {
    await unmountManaged(mount, true)
  }
}

async function benchHangSftp(): Promise<void> {
  let sshd: SshdServer | null = null
  sshd = await startSshd()
  const remote: RemoteInput = { type: 'sftp', host: '127.0.0.1', port: sshd.port, user: sshd.user, keyFile: sshd.keyFile, knownHostsFile: sshd.knownHostsFile }
  const mount = managed(remote, sshd.rootDir, 'hang-sftp')
  try {
    await mount.mount()
    const times = await hangDetection(mount, sshd)
    const m = median(times)
    add('3', 'Hung SFTP (sshd SIGSTOP) to `degraded`, median of 3', `${ms(m)} ${samples(times)}`, '< 2.5 s', m < 2500)
  } finally {
    await unmountManaged(mount, true)
    await sshd.stop()
  }
}

async function benchServerRestart(): Promise<void> {
  const mount = managed(s3Remote, bucket, 'restart')
  const times: number[] = []
  const detect: number[] = []
  try {
    await mount.mount()
    for (let i = 0; i < 3; i++) {
      await nextTick(mount, 5000)
      const degraded = nextState(mount, 'degraded', 15_000)
      const stopped = performance.now()
      lagWindowStart()
      try {
        await s3.stop()
        detect.push((await degraded) - stopped)
      } finally {
        lagWindowEnd()
      }
      // Listen before restart() resolves: the mount may well come back before this code runs again.
      const mounted = nextState(mount, 'mounted', 15_000)
      await s3.restart()
      const restarted = performance.now()
      times.push(Math.max(0, (await mounted) - restarted))
    }
  } finally {
    // A failed sample must not leave the server down for the sections after this one.
    if (s3.pids().length === 0) await s3.restart()
    await unmountManaged(mount, true)
  }
  const m = median(times)
  add('5', 'S3 server stopped then restarted: restart() resolved to `mounted`, median of 3', `${ms(m)} ${samples(times)}`, '< 2 s', m < 2000)
  add('5', '(info) S3 server stopped to `degraded`, median of 3', `${ms(median(detect))} ${samples(detect)}`)
}

async function benchIdle(): Promise<void> {
  const mounts: RemoteMount[] = []
  const results: { n: number; cpu: number; rss: number; helperRss: number; rcloneRss: number; notMounted: number }[] = []
  try {
    for (const n of [1, 10, 50]) {
      // Parallel batches of five, as an app starting with many saved mounts would do.
      const mountStarted = performance.now()
      while (mounts.length < n) {
        const batch = Array.from({ length: Math.min(5, n - mounts.length) }, () => managed(s3Remote, bucket, 'idle'))
        mounts.push(...batch)
        await Promise.all(batch.map((mount) => mount.mount()))
      }
      log(`idle: ${n} mounted (${((performance.now() - mountStarted) / 1000).toFixed(1)} s for this step); settling`)
      await sleep(2000)
      let leftService = 0
      const onState = (state: MountState) => {
        if (state !== 'mounted') leftService++
      }
      for (const mount of mounts) mount.on('state', onState)
      const cpu0 = process.cpuUsage()
      const t0 = performance.now()
      await sleep(15_000)
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
      results.push({ n, cpu: ((cpu.user + cpu.system) / wallUs) * 100, rss: process.memoryUsage().rss, helperRss, rcloneRss, notMounted: notMounted + leftService })
      if (helpers.length !== 1) notes.push(`With ${n} mounts ${helpers.length} FsProbe helper processes were found (expected 1).`)
    }
  } finally {
    // Batches of ten: fifty drains at once would be fine for the engine but make this machine's numbers for later sections worse.
    for (let i = 0; i < mounts.length; i += 10) await Promise.allSettled(mounts.slice(i, i + 10).map((mount) => unmountManaged(mount)))
  }
  for (const r of results) {
    const target = r.n === 50 ? '< 1 %' : '—'
    add('6', `Supervisor CPU, ${r.n} idle mount${r.n > 1 ? 's' : ''} (15 s)`, `${r.cpu.toFixed(2)} % of a core`, target, r.n === 50 ? r.cpu < 1 : null)
  }
  for (const r of results) {
    add('6', `RSS with ${r.n} mount${r.n > 1 ? 's' : ''}: supervisor / FsProbe helper / all rclone (info)`, `${mib(r.rss)} / ${mib(r.helperRss)} / ${mib(r.rcloneRss)}`)
  }
  const flapping = results.filter((r) => r.notMounted > 0)
  for (const r of flapping) notes.push(`With ${r.n} idle mounts, ${r.notMounted} state change(s) away from 'mounted' happened during the idle window.`)
}

const tputBytes = 64 * 1024 * 1024
const chunk = randomBytes(1024 * 1024)

async function writeFileTimed(path: string): Promise<number> {
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
 * What is measured: each run mounts afresh (new cache dir), writes a new 64 MiB file in 1 MiB writes, fsyncs and
 * closes it (in `writes` cache mode that is the speed of FUSE plus the local cache; the upload starts after the 5 s
 * write-back delay, so it does not overlap), then reads `source.bin`, which was uploaded with `rclone copyto` before
 * any mount existed, so the read streams from s3rver through FUSE and never from this mount's VFS cache. The mount
 * is then unmounted without waiting for the written file's upload. Managed and plain runs alternate.
 */
async function benchThroughput(): Promise<void> {
  const tputBucket = 'tput'
  const local = join(baseDir, 'source.bin')
  const handle = await open(local, 'w')
  for (let written = 0; written < tputBytes; written += chunk.length) await handle.write(randomBytes(chunk.length))
  await handle.close()
  const rclone = await findRclone()
  const backend = backendConfig(remoteSchema.parse(s3Remote), rclone)
  const copy = spawnTied(rclone.path, ['copyto', '--config', '/dev/null', ...backend.args, local, fsString(`${tputBucket}/source.bin`)], {
    env: childEnv(process.env, backend.env),
    stdio: 'ignore',
  })
  const code = await exited(copy)
  if (code !== 0) throw new Error(`rclone copyto of the read source exited with ${code}`)
  await rm(local)

  const result = { managed: { write: [] as number[], read: [] as number[] }, plain: { write: [] as number[], read: [] as number[] } }
  const order: ('managed' | 'plain')[][] = [
    ['managed', 'plain'],
    ['plain', 'managed'],
    ['managed', 'plain'],
  ]
  for (const [i, pair] of order.entries()) {
    for (const kind of pair) {
      let root: string
      let stateDir: string
      let stop: () => Promise<void>
      if (kind === 'managed') {
        const mount = managed(s3Remote, tputBucket, 'tput')
        await mount.mount()
        root = mount.localPath
        stateDir = mount.paths.stateDir
        stop = () => unmountManaged(mount, true)
      } else {
        const plain = await plainMount(s3Remote, tputBucket, 'tput-plain')
        root = plain.mount.localPath
        stateDir = plain.mount.stateDir
        stop = () => stopPlain(plain.mount)
      }
      try {
        result[kind].write.push(tputBytes / 1024 / 1024 / ((await writeFileTimed(join(root, `written-${kind}-${i}.bin`))) / 1000))
        result[kind].read.push(tputBytes / 1024 / 1024 / ((await readFileTimed(join(root, 'source.bin'))) / 1000))
      } finally {
        await stop()
      }
      // The unsent 64 MiB written file sits in the cache; this run is done with it.
      if (!findMount(await mountTable(), root)) await rm(stateDir, { recursive: true, force: true })
    }
  }
  for (const op of ['write', 'read'] as const) {
    const m = median(result.managed[op])
    const p = median(result.plain[op])
    const fmt = (values: number[]) => `(${values.map((v) => v.toFixed(0)).join(', ')})`
    add('7', `${op === 'write' ? 'Write' : 'Read'} 64 MiB, managed mount, median of 3`, `${m.toFixed(1)} MiB/s ${fmt(result.managed[op])}`)
    add('7', `${op === 'write' ? 'Write' : 'Read'} 64 MiB, plain rclone mount, median of 3`, `${p.toFixed(1)} MiB/s ${fmt(result.plain[op])}`)
    add('7', `${op === 'write' ? 'Write' : 'Read'} throughput ratio managed / plain`, `${(m / p).toFixed(3)}`, '>= 0.95', m / p >= 0.95)
  }
}

// ---------------------------------------------------------------------------------------------------------------

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
    // Only now: stopAllServers() deletes the temp dirs, and a live FUSE mount inside one would be deleted through.
    await stopAllServers().catch((error: unknown) => log(`cleanup: ${String(error)}`))
  })()
  return cleaning
}

async function onSignal(signal: NodeJS.Signals): Promise<void> {
  log(`${signal}: cleaning up`)
  s3?.thaw()
  await withTimeout(cleanup(), 60_000, 'cleanup').catch((error: unknown) => log(String(error)))
  process.exit(signal === 'SIGINT' ? 130 : 143)
}
process.once('SIGINT', (signal) => void onSignal(signal))
process.once('SIGTERM', (signal) => void onSignal(signal))

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
  const rclone = await findRclone()
  baseDir = await tempDir('rmount-bench-')
  await writeFile(join(baseDir, 'README'), 'Temp dir of bench/bench.ts; removed at its end.\n')
  s3 = await startS3({ buckets: [bucket, 'tput'] })
  s3Remote = { type: 's3', provider: 'Minio', endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }
  try {
    await section('mount', 'time to mounted', benchMountTime)
    await section('recovery', 'recovery after kill -9', benchRecovery)
    await section('hang', 'hung S3 detection', benchHangS3)
    await section('hang-sftp', 'hung SFTP detection', benchHangSftp)
    await section('restart', 'S3 server restart', benchServerRestart)
    if (loopDelayWindows > 0) {
      add('4', `Event-loop delay, max over ${loopDelayWindows} hang/outage windows (1 ms sampling, includes the 1 ms interval)`, `${maxLoopDelayMs.toFixed(1)} ms`, '< 20 ms', maxLoopDelayMs < 20)
    }
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
    `Environment: rclone ${rclone.version} (${rclone.path}), Node ${process.version}, ${cpu.length} cores (${cpu[0]?.model.trim() ?? '?'}), Linux ${release()}, bench ran ${((performance.now() - benchStart) / 1000).toFixed(0)} s`,
  )
  out.push('')
  out.push('| # | Measurement | Result | Target | Meets |')
  out.push('|---|---|---|---|---|')
  for (const row of rows) out.push(`| ${row.item} | ${row.measurement} | ${row.result.replaceAll('|', '\\|')} | ${row.target} | ${row.meets} |`)
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
