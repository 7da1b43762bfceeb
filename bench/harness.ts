/**
 * The bench's harness: the rclones under test, the shared test server, the sections' runner, and the bookkeeping
 * that ends every mount and process the bench started (by pid), even after a failed section or Ctrl-C.
 */
import { execFileSync } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fuseUnmount, RemoteMount, sharedFsProbe, type MountOptionsInput, type RemoteInput } from '../electron/engine/index.js'
import { startS3, startSshd, stopAllServers, tempDir, type S3Server, type SshdServer } from '../test/servers/index.js'
import { stopLagObserver } from './loop-lag.js'
import { mountTable, plainMount, stopAllPlain, type LaunchRecipe, type PlainMount } from './plain-mount.js'
import { isRcloneUnder } from './proc.js'
import type { Row } from './rows.js'
import { withTimeout } from './timing.js'
import { guardDir, releaseWatchdog, startWatchdog } from './watchdog.js'

/** One rclone binary the bench runs every per-rclone section with: one column of the report. */
export interface RcloneUnderTest {
  /** The column heading, e.g. `v1.75.2 (vendor/bin)`. */
  label: string
  path: string
  version: string
}

/** The shared S3 server and the remote that reaches a bucket of it. */
export interface S3Setup {
  server: S3Server
  /** The remote for s3rver; the bucket goes in the remote path. */
  remote: RemoteInput
  /** The same remote reached through another address (a proxy in front of s3rver). */
  remoteAt(endpoint: string): RemoteInput
}

/** What a section gets: the rclone for this column, the server, and where its rows go. */
export interface SectionContext {
  rclone: RcloneUnderTest
  s3: S3Setup
  /** Records a row of this section in this rclone's column. */
  add(row: Omit<Row, 'section' | 'column'>): void
  /** A remark printed under the table. */
  note(text: string): void
  /** Command-line settings. */
  settings: BenchSettings
}

/** A part of the bench: `npm run bench -- --section <name>` runs just it. */
export interface Section {
  name: string
  title: string
  /** Runs once per rclone under test, or only with the first (the one that ships). */
  perRclone: boolean
  run(ctx: SectionContext): Promise<void>
}

/** Command-line settings of a run. */
export interface BenchSettings {
  sections: string[] | null
  /** `vendor`, `system`, or both. */
  rclones: string[]
  /** Length of each idle-CPU window, in seconds. */
  idleWindowS: number
  /** Length of each request-counting window, in seconds (scaled to a minute in the report). */
  requestWindowS: number
  /** Extra mount options for the request-count section, e.g. a change-polling interval. */
  requestMountOptions: MountOptionsInput
}

/** Buckets the s3rver is started with: the sections' own, plus fifty for fifty distinct remotes. */
export const manyBuckets = Array.from({ length: 50 }, (_, i) => `many-${String(i).padStart(2, '0')}`)

const benchStart = performance.now()
const liveMounts = new Set<RemoteMount>()
/** Every rclone pid a managed mount ever had: a restart replaces it, and cleanup must find strays. */
const rclonePids = new Set<number>()
let baseDir = ''
let counter = 0
let s3: S3Setup | null = null

/** Progress on stderr, so that stdout holds only the report. */
export function log(message: string): void {
  process.stderr.write(`[bench ${((performance.now() - benchStart) / 1000).toFixed(1).padStart(6)} s] ${message}\n`)
}

/** Seconds since the bench started. */
export function elapsedS(): number {
  return (performance.now() - benchStart) / 1000
}

/** The rclones to compare: the vendored one the app ships, and the system's (the compatibility floor). */
export function rclonesUnderTest(wanted: readonly string[]): RcloneUnderTest[] {
  const candidates = [
    { key: 'vendor', path: join(import.meta.dirname, '..', 'vendor', 'bin', 'rclone'), where: 'vendor/bin' },
    { key: 'system', path: '/usr/bin/rclone', where: '/usr/bin' },
  ]
  return candidates
    .filter((candidate) => wanted.includes(candidate.key))
    .map((candidate) => {
      const output = execFileSync(candidate.path, ['version'], { encoding: 'utf8', env: { ...process.env, RCLONE_CONFIG: '/dev/null' } })
      const version = /rclone (v\S+)/.exec(output)?.[1] ?? '?'
      return { label: `rclone ${version} (${candidate.where})`, path: candidate.path, version }
    })
}

/** Starts the watchdog, the temp dir and the shared s3rver. */
export async function setUp(): Promise<S3Setup> {
  startWatchdog()
  baseDir = await tempDir('rmount-bench-')
  guardDir(baseDir)
  await writeFile(join(baseDir, 'README'), 'Temp dir of npm run bench; removed at its end.\n')
  const server = await startS3({ buckets: ['bench', 'tput', 'crash', ...manyBuckets] })
  guardDir(dirname(server.dataDir))
  const remoteAt = (endpoint: string): RemoteInput => ({
    type: 's3',
    provider: 'Minio',
    endpoint,
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
  })
  s3 = { server, remote: remoteAt(server.endpoint), remoteAt }
  return s3
}

/** An OpenSSH sshd for one section, and the remote that reaches its folder; stop it when done. */
export async function startSftp(): Promise<{ server: SshdServer; remote: RemoteInput; remotePath: string }> {
  const server = await startSshd()
  guardDir(dirname(server.rootDir))
  const remote: RemoteInput = {
    type: 'sftp',
    host: '127.0.0.1',
    port: server.port,
    user: server.user,
    keyFile: server.keyFile,
    knownHostsFile: server.knownHostsFile,
  }
  return { server, remote, remotePath: server.rootDir }
}

/** A fresh mount folder and state folder under this run's temp dir. */
export function nextPaths(tag: string): { localPath: string; stateDir: string } {
  const n = ++counter
  return { localPath: join(baseDir, `mnt-${tag}-${n}`), stateDir: join(baseDir, `state-${tag}-${n}`) }
}

/** A plain `rclone mount` with a managed mount's recipe on fresh folders; see plain-mount.ts. */
export function plainBaseline(recipe: LaunchRecipe, tag: string): Promise<{ mount: PlainMount; ms: number }> {
  const { localPath, stateDir } = nextPaths(tag)
  return plainMount(recipe, localPath, stateDir)
}

/** A RemoteMount on the given rclone, registered for cleanup. */
export function managed(
  rclone: RcloneUnderTest,
  remote: RemoteInput,
  remotePath: string,
  tag: string,
  options: MountOptionsInput = {},
): RemoteMount {
  const { localPath, stateDir } = nextPaths(tag)
  const mount = new RemoteMount(remote, remotePath, localPath, { ...options, stateDir, rclonePath: rclone.path })
  liveMounts.add(mount)
  mount.on('state', (_state, health) => {
    if (health.pid) rclonePids.add(health.pid)
  })
  return mount
}

/** Unmounts (waiting for uploads unless forced) and forgets the mount. */
export async function unmountManaged(mount: RemoteMount, force = false): Promise<void> {
  const pid = mount.health().pid
  if (pid) rclonePids.add(pid)
  await withTimeout(mount.unmount({ force, timeoutMs: 60_000 }), 90_000, `unmount ${mount.localPath}`)
  liveMounts.delete(mount)
}

/** Unmounts in batches of ten: fifty drains at once would load this machine for the sections after. */
export async function unmountAll(mounts: readonly RemoteMount[], force = false): Promise<void> {
  for (let i = 0; i < mounts.length; i += 10) await Promise.allSettled(mounts.slice(i, i + 10).map((mount) => unmountManaged(mount, force)))
}

/** Runs a section for each rclone it wants; a throw becomes a failed row, and the bench goes on. */
export async function runSection(
  section: Section,
  rclones: readonly RcloneUnderTest[],
  settings: BenchSettings,
  rows: Row[],
  notes: string[],
): Promise<void> {
  for (const rclone of section.perRclone ? rclones : rclones.slice(0, 1)) {
    const started = performance.now()
    log(`${section.name} (${rclone.label}): ${section.title}`)
    const ctx: SectionContext = {
      rclone,
      s3: s3!,
      settings,
      add: (row) => rows.push({ ...row, section: section.name, column: rclone.label }),
      note: (text) => notes.push(`${section.name}, ${rclone.label}: ${text}`),
    }
    try {
      await section.run(ctx)
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      rows.push({
        section: section.name,
        name: `${section.title}: section failed`,
        column: rclone.label,
        value: null,
        unit: 'ms',
        error: message.split('\n')[0]!.slice(0, 300),
      })
      log(`${section.name} failed: ${error instanceof Error ? error.stack : message}`)
      // A failed section may leave mounts behind; the next one starts clean.
      await Promise.allSettled([...liveMounts].map((mount) => unmountManaged(mount, true)))
      if (s3 && s3.server.pids().length === 0) await s3.server.restart()
    }
    log(`${section.name} (${rclone.label}): ${((performance.now() - started) / 1000).toFixed(1)} s`)
  }
}

let cleaning: Promise<void> | null = null

/** Idempotent: the normal end, a failed run and Ctrl-C all come through here. */
export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    s3?.server.thaw()
    await Promise.allSettled([...liveMounts].map((mount) => unmountManaged(mount, true)))
    await stopAllPlain()
    // Whatever a failure above left: lazy-unmount our mount points, then end our rclone processes, by pid.
    if (baseDir) {
      for (const entry of await mountTable()) if (entry.mountPoint.startsWith(baseDir + '/')) await fuseUnmount(entry.mountPoint, true)
    }
    for (const pid of rclonePids) if (await isRcloneUnder(pid, baseDir)) process.kill(pid, 'SIGKILL')
    sharedFsProbe().close()
    stopLagObserver()
    // Only now: stopAllServers() deletes the temp dirs, and a live FUSE mount inside one would be deleted through.
    await stopAllServers().catch((error: unknown) => log(`cleanup: ${String(error)}`))
    releaseWatchdog()
    log('cleanup done')
  })()
  return cleaning
}
