/**
 * One supervised mount: one rclone process, watched, restarted when it can be, and stopped without
 * losing a written byte. Every decision that needs no I/O lives in a pure module beside this one;
 * this class sequences the I/O and keeps the mount's state.
 */
import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { existsSync } from 'node:fs'
import { chmod, mkdir, open, rename, rm, stat } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  mountOptionsSchema,
  remoteSchema,
  describeIssues,
  normalizeFolderPath,
  type MountOptions,
  type MountOptionsInput,
  type Remote,
  type RemoteInput,
} from '../../shared/config.js'
import { permanentErrorCodes, RmountError, type ErrorCode } from '../../shared/errors.js'
import type { LogLine, MountHealth, MountState } from '../../shared/mount-state.js'
import { cacheFullError, freeBytes, isCacheFull } from './cache-space.js'
import { cacheFsName, carryOverUploads, findStrandedUploads } from './cache-carry-over.js'
import { holdTornItems, settleHeldFiles } from './torn-metadata.js'
import { describeExit, exited, spawnErrorOf } from './child-process.js'
import { refreshCalls } from './change-check.js'
import { classifyRcloneError, describeRemote, failureMessage } from './classify-error.js'
import { sharedFsProbe, type FsProbe } from './fs-probe.js'
import { fuseDeviceAvailable, findFusermount, fuseUnmount } from './fuse.js'
import { prepareHostKey, type HostKeyPins } from './host-key-pin.js'
import { checkKeyFile } from './key-file-check.js'
import { LogTail } from './log-tail.js'
import { spawnWatched } from './mount-watchdog.js'
import { canTransition, isLive } from './mount-states.js'
import { prepareMountFolder, resolveMountFolder } from './mount-folder.js'
import { findMount, readMountTable } from './mountinfo.js'
import { listDirtyFiles } from './pending-uploads.js'
import { claimStateFolder } from './state-folder.js'
import { preflight } from './preflight.js'
import { RcClient, RcError, type CoreStats, type VfsStats } from './rc-client.js'
import { rcEndpoint } from './rc-endpoint.js'
import { findRclone, type RcloneInfo } from './rclone-binary.js'
import {
  backendConfig,
  caBundleFromEnv,
  childEnv,
  fsString,
  mountArgs,
  mountPaths,
  requireFlagSupport,
  type BackendConfig,
  type MountPaths,
} from './rclone-config.js'
import { formatLogLine, parseLogLine, Ring } from './rclone-log.js'
import { makeRedactor } from './redact.js'
import { decideRestart, defaultRestartPolicy, type RestartPolicy } from './restart-policy.js'
import { joinProbeGroup, probeGroupKey, probeRound, type ProbeMember } from './remote-probe-group.js'
import { ProbeRounds } from './probe-rounds.js'
import { onTick } from './shared-ticker.js'
import { UploadFailures, uploadFailingMessage } from './upload-failures.js'
import { readUploadQueue, type UploadQueue } from './upload-queue.js'

export interface UnmountOptions {
  /** Do not wait for pending uploads; they stay in the cache and upload at the next mount of this folder. */
  force?: boolean
  /** How long to wait for pending uploads before giving up with PENDING_UPLOADS (default 5 minutes). */
  timeoutMs?: number
}

export interface UnmountResult {
  /** Files still in rclone's cache, waiting for the next mount of this folder to upload them. */
  pendingFiles: string[]
}

export interface RemoteMountEvents {
  state: [state: MountState, health: MountHealth]
  health: [health: MountHealth]
  log: [line: LogLine]
  error: [error: RmountError]
}

/** The per-run parts: they change at every restart. */
interface Run {
  child: ChildProcess
  pid: number
  rc: RcClient | null
  tail: LogTail
  exit: Promise<number>
  /** Error lines of this run, to explain an exit. */
  errors: string[]
}

const rcPortLine = /Serving remote control on http:\/\/127\.0\.0\.1:(\d+)\//
const logCapacity = 500
/** While idle, stats and the folder are checked every this many health rounds. */
const idleRoundsPerFullRound = 15
const uploadActivity = /^vfs cache: (queuing for upload|upload succeeded|failed to upload)/
/** Stands for a call not made this round; updateStats ignores rejected calls. */
const skipped = Promise.reject<never>(new Error('skipped this round'))
skipped.catch(() => undefined)
const maxLogBytes = 2 * 1024 * 1024

export class RemoteMount extends EventEmitter<RemoteMountEvents> {
  readonly remote: Remote
  readonly remotePath: string
  readonly options: MountOptions
  readonly paths: MountPaths

  /** The mount folder: normalised at construction, its symlinked parents resolved at each mount(). */
  private folder: string
  private stateValue: MountState = 'unmounted'
  private reason = 'Not mounted yet.'
  private stateSince = Date.now()
  private lastError: RmountError | null = null
  private lastErrorAt: number | null = null
  private restartTimes: number[] = []
  private mountedAt: number | null = null
  private lastProbeOk: number | null = null
  private stats = {
    pendingUploads: 0,
    uploadsInProgress: 0,
    /** Named by vfs/queue (rclone 1.68 on), else null. */
    pendingFiles: null as string[] | null,
    transfer: { bytes: 0, speed: 0, transferring: 0, errors: 0 },
  }
  private readonly logs = new Ring<LogLine>(logCapacity)
  private readonly uploadFailures = new UploadFailures()
  private readonly probe: FsProbe
  private readonly policy: RestartPolicy
  private redact: (text: string) => string = (text) => text

  private rclone: RcloneInfo | null = null
  private backend: BackendConfig | null = null
  private run: Run | null = null
  private stopTicking: (() => void) | null = null
  private readonly probeKey: string
  /** This mount's part in its remote's shared probe: one HEAD (S3) or stat (SFTP) of a name that does not exist. */
  private readonly probeMember: ProbeMember = {
    probeRemote: (timeoutMs) => {
      const rc = this.run?.rc
      if (!rc) return null
      const call = rc.call(
        'operations/stat',
        { fs: fsString(this.remotePath), remote: '.rmount-probe', opt: { filesOnly: true } },
        timeoutMs,
      )
      return call.then(
        (value): PromiseSettledResult<unknown> => ({ status: 'fulfilled', value }),
        (reason: unknown): PromiseSettledResult<unknown> => ({ status: 'rejected', reason }),
      )
    },
  }
  private readonly rounds = new ProbeRounds()
  private statsDue = true
  private restartTimer: NodeJS.Timeout | null = null
  private pathMeta: string | null = null
  /** Files held back from a torn cache are still waiting (torn-metadata.ts). */
  private heldPending = true
  /** Serialises mount() and unmount(): each waits for the one before. */
  private operation: Promise<unknown> = Promise.resolve()
  /** Set by unmount() to stop a mount or restart under way. */
  private abort = new AbortController()
  private forceNow = false
  /** Where an SFTP host without a fingerprint of its own is pinned on first use; without it, any host key is accepted. */
  private readonly hostKeyPins: HostKeyPins | undefined
  /** This mount()'s host key, recorded in `hostKeyPins` once the first connection succeeded. */
  private hostKey: Awaited<ReturnType<typeof prepareHostKey>> | null = null

  constructor(
    remote: RemoteInput,
    remotePath: string,
    localPath: string,
    options: MountOptionsInput & { fsProbe?: FsProbe; hostKeyPins?: HostKeyPins } = {},
  ) {
    super()
    const { fsProbe, hostKeyPins, ...mountOptions } = options
    this.hostKeyPins = hostKeyPins
    const parsedRemote = remoteSchema.safeParse(remote)
    if (!parsedRemote.success) throw new RmountError('INVALID_CONFIG', `The remote is not valid:\n${describeIssues(parsedRemote.error)}`)
    const parsedOptions = mountOptionsSchema.safeParse(mountOptions)
    if (!parsedOptions.success)
      throw new RmountError('INVALID_CONFIG', `The mount options are not valid:\n${describeIssues(parsedOptions.error)}`)
    this.remote = parsedRemote.data
    this.remotePath = remotePath
    this.folder = normalizeFolderPath(localPath)
    this.options = parsedOptions.data
    this.paths = mountPaths(this.folder, this.options.stateDir)
    this.probe = fsProbe ?? sharedFsProbe()
    this.policy = { ...defaultRestartPolicy, maxRestarts: this.options.maxRestarts, windowMs: this.options.restartWindowMs }
    this.probeKey = `${this.options.probeIntervalMs}:${probeGroupKey(this.remote, this.remotePath)}`
  }

  get state(): MountState {
    return this.stateValue
  }

  /** The folder the remote is mounted on, as the kernel's mount table shows it once mount() has resolved it. */
  get localPath(): string {
    return this.folder
  }

  /** A snapshot of the mount, plain data. */
  health(): MountHealth {
    return {
      state: this.stateValue,
      reason: this.reason,
      localPath: this.localPath,
      remote: describeRemote(this.remote, this.remotePath),
      pid: this.run?.pid ?? null,
      restarts: this.restartTimes.length,
      mountedAt: this.mountedAt,
      stateSince: this.stateSince,
      lastError: this.lastError?.toJSON() ?? null,
      lastErrorAt: this.lastErrorAt,
      pendingUploads: this.stats.pendingUploads,
      uploadsInProgress: this.stats.uploadsInProgress,
      ...(this.stats.pendingFiles ? { pendingFiles: [...this.stats.pendingFiles] } : {}),
      transfer: { ...this.stats.transfer },
      lastProbeOk: this.lastProbeOk,
      rcloneVersion: this.rclone?.version ?? null,
    }
  }

  /** The last lines of this mount's log, oldest first, secrets removed. */
  recentLogs(): LogLine[] {
    return this.logs.toArray()
  }

  /** Mounts, and resolves once the folder is mounted and answers; rejects with RmountError. */
  mount(): Promise<void> {
    return this.serialise(() => this.doMount())
  }

  /** Waits until pending uploads are on the remote, then unmounts; `force` does not wait. */
  unmount(options: UnmountOptions = {}): Promise<UnmountResult> {
    // A mount or restart under way is cut short rather than waited for.
    this.abort.abort()
    // A forced unmount also cuts short a graceful one that is waiting for uploads.
    if (options.force) this.forceNow = true
    if (this.restartTimer) clearTimeout(this.restartTimer)
    this.restartTimer = null
    return this.serialise(() => this.doUnmount(options))
  }

  /**
   * Makes changes made on the remote by other clients visible now rather than at the next change
   * check (`changeCheckSeconds`): rclone drops its cached listings and reads again the folders that
   * hold files waiting to upload (see refreshCalls). Without a running rclone nothing is cached, so
   * there is nothing to do.
   */
  async refresh(): Promise<void> {
    const run = this.run
    if (!run?.rc) return
    const rc = run.rc
    // Rereading a folder is a listing on the remote: allow for rclone's bounded network timeouts.
    const timeoutMs = 20_000
    try {
      const queued = await readUploadQueue(rc, this.rclone!, this.options.probeTimeoutMs).then(
        (queue) => queue.files ?? [],
        () => [],
      )
      for (const call of refreshCalls([...queued, ...(await this.pendingFiles())])) {
        const answer = await rc.call<{ result?: Record<string, string> }>(call.method, call.params, timeoutMs)
        // vfs/refresh answers 200 with a word per folder; the root's tells whether the remote could be listed.
        const root = answer.result?.['']
        if (root !== undefined && root !== 'OK') throw new Error(root)
      }
    } catch (cause) {
      throw new RmountError(
        'REMOTE_UNREACHABLE',
        `The remote's folders could not be read again (${this.redact(cause instanceof Error ? cause.message : String(cause))}): check the mount's state and log, and try again.`,
        { cause, logTail: this.logTail() },
      )
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.unmount()
  }

  private serialise<T>(task: () => Promise<T>): Promise<T> {
    const next = this.operation.then(task, task)
    this.operation = next.catch(() => undefined)
    return next
  }

  private setState(state: MountState, reason: string, error: RmountError | null = null): void {
    if (state === this.stateValue && reason === this.reason) return
    if (state !== this.stateValue && !canTransition(this.stateValue, state)) {
      throw new Error(`RemoteMount: no transition from ${this.stateValue} to ${state} (${reason})`)
    }
    this.stateValue = state
    this.reason = reason
    this.stateSince = Date.now()
    if (error) {
      this.lastError = error
      this.lastErrorAt = this.stateSince
    }
    if (state === 'mounted' && !this.mountedAt) this.mountedAt = Date.now()
    if (state === 'unmounted' || state === 'failed') this.mountedAt = null
    this.emit('state', state, this.health())
    if (error && state === 'failed' && this.listenerCount('error') > 0) this.emit('error', error)
  }

  private fail(error: RmountError): RmountError {
    this.setState('failed', error.message, error)
    return error
  }

  private async doMount(): Promise<void> {
    if (isLive(this.stateValue)) return
    this.abort = new AbortController()
    this.forceNow = false
    this.restartTimes = []
    this.setState('mounting', `Mounting ${describeRemote(this.remote, this.remotePath)} on ${this.localPath}.`)
    try {
      if (this.remote.type === 's3' && !this.remotePath.split('/').filter(Boolean)[0]) {
        throw new RmountError(
          'INVALID_CONFIG',
          'The remote path of an S3 mount starts with the bucket name, like my-bucket or my-bucket/folder.',
        )
      }
      this.folder = await resolveMountFolder(this.folder, this.probe)
      await this.prepare()
      await this.startBesidePreflight()
      if (this.hostKey?.firstUse) await this.hostKeyPins?.set(this.hostKey.name, this.hostKey.fingerprint)
      await this.carryOverStrandedUploads()
    } catch (error) {
      const rmountError = this.asRmountError(error)
      if (this.stateValue === 'mounting') throw this.fail(rmountError)
      throw rmountError
    }
    this.setState('mounted', `Mounted ${describeRemote(this.remote, this.remotePath)} on ${this.localPath}.`)
    this.startMonitor()
  }

  /** Everything a start needs that stays the same across restarts: found, checked and built once per mount(). */
  private async prepare(): Promise<void> {
    this.rclone = await findRclone(this.options.rclonePath)
    requireFlagSupport(this.options.extraArgs, this.rclone)
    await claimStateFolder(this.paths.stateDir)
    if (!(await fuseDeviceAvailable()) || !(await findFusermount())) {
      throw new RmountError('FUSE_UNAVAILABLE', failureMessage('FUSE_UNAVAILABLE', this.remote, this.remotePath))
    }
    await mkdir(this.paths.cacheDir, { recursive: true, mode: 0o700 })
    await chmod(this.paths.stateDir, 0o700)
    // A local problem first, named as such: rclone would report a missing key as a refused login.
    await checkKeyFile(this.remote)
    let knownHostsFile: string | undefined
    this.hostKey = null
    if (this.remote.type === 'sftp' && !this.remote.knownHostsFile && (this.remote.hostKeyFingerprint || this.hostKeyPins)) {
      this.hostKey = await prepareHostKey(this.remote, this.paths.knownHostsFile, this.hostKeyPins)
      knownHostsFile = this.paths.knownHostsFile
    }
    this.backend = backendConfig(this.remote, this.rclone, { knownHostsFile, caBundle: caBundleFromEnv() })
    this.redact = makeRedactor(this.backend.secrets)
  }

  /**
   * Checks the remote (the preflight) while rclone starts, so a mount takes about as long as a plain
   * `rclone mount` instead of the two one after the other. The preflight's specific errors still win:
   * its failure stops the starting rclone, clears any mount it made, and is what mount() reports. A
   * folder problem comes first, being the local one; rclone starts only on a ready folder.
   */
  private async startBesidePreflight(): Promise<void> {
    const stopStart = new AbortController()
    const remoteCheck = preflight(this.rclone!, this.remote, this.remotePath, this.backend!, this.redact)
    remoteCheck.catch(() => stopStart.abort())
    const folder = prepareMountFolder(this.localPath, this.options.allowNonEmpty, this.probe)
    const started = folder.then(() => this.start(stopStart.signal))
    const [folderReady, remote, run] = await Promise.allSettled([folder, remoteCheck, started])
    if (folderReady.status === 'rejected') throw folderReady.reason
    if (remote.status === 'rejected') {
      await this.stopStartedRun()
      throw remote.reason
    }
    if (run.status === 'rejected') throw run.reason
  }

  /** Ends an rclone started beside a preflight that failed, and the mount it may have made. */
  private async stopStartedRun(): Promise<void> {
    const run = this.run
    if (run) {
      run.child.kill('SIGTERM')
      if (!(await Promise.race([run.exit.then(() => true), sleep(5000).then(() => false)]))) run.child.kill('SIGKILL')
      await run.exit
    }
    if (findMount(await readMountTable(), this.localPath)) await fuseUnmount(this.localPath, true)
  }

  /** Starts rclone and resolves once the folder is mounted and answers; `stop` cuts the start short. */
  private async start(stop?: AbortSignal): Promise<void> {
    const rclone = this.rclone!
    const backend = this.backend!
    const endpoint = rcEndpoint(rclone, this.paths.stateDir)
    const args = mountArgs(this.remotePath, this.localPath, this.options, this.paths, backend, endpoint.addr)
    const logStart = await this.openLog()
    // A socket left by a killed rclone would make this one fail to listen; nobody else uses this private folder.
    if (endpoint.socketPath) await rm(endpoint.socketPath, { force: true })
    // rclone would delete a file whose metadata a kill left torn, even one closed just before (torn-metadata.ts).
    const held = await holdTornItems(this.paths.cacheDir, this.heldDir)
    if (stop?.aborted) throw new RmountError('MOUNT_TIMEOUT', 'The mount was stopped before rclone started.')
    const rcUser = 'rmount'
    const rcPass = randomBytes(24).toString('hex')
    const env = childEnv(process.env, { ...backend.env, RCLONE_RC_USER: rcUser, RCLONE_RC_PASS: rcPass })
    // Under a watchdog that clears the folder if this process dies (mount-watchdog.ts); its own process
    // group, so a Ctrl-C in the terminal reaches the supervisor, which drains the uploads first.
    const { child, pid } = await spawnWatched(rclone.path, args, { mountPoint: this.localPath, env }).catch((error: unknown) => {
      throw (error as NodeJS.ErrnoException).code ? this.notStartedError(error as Error) : error
    })
    const exit = exited(child)
    const run: Run = { child, pid, rc: null, tail: null as unknown as LogTail, exit, errors: [] }
    let port: number | null = null
    const rcReady = () => (endpoint.socketPath ? existsSync(endpoint.socketPath) : port !== null)
    run.tail = new LogTail(this.paths.logFile, logStart, (text) => {
      const line = this.onLogLine(text)
      if (!line) return
      const match = rcPortLine.exec(line.message)
      if (match) port = Number(match[1])
      if (line.level === 'error' || line.level === 'critical') run.errors.push(line.message)
    })
    run.tail.start()
    this.run = run
    void exit.then((code) => this.onExit(run, code))

    const deadline = performance.now() + this.options.mountTimeoutMs
    let exitCode: number | null = null
    void exit.then((code) => (exitCode = code))
    const signal = this.abort.signal
    for (;;) {
      await run.tail.poll()
      if (exitCode !== null) throw this.exitError(run, exitCode)
      if (signal.aborted) throw new RmountError('MOUNT_TIMEOUT', 'The mount was cancelled by an unmount.')
      if (stop?.aborted) throw new RmountError('MOUNT_TIMEOUT', 'The mount was stopped: the remote check failed.')
      if (rcReady() && findMount(await readMountTable(), this.localPath)?.fsType === 'fuse.rclone') break
      if (performance.now() > deadline) {
        child.kill('SIGTERM')
        throw new RmountError(
          'MOUNT_TIMEOUT',
          `The mount did not come up within ${this.options.mountTimeoutMs / 1000} s: check the remote's answers in the log, or raise the mount timeout.`,
          {
            logTail: this.logTail(),
          },
        )
      }
      // rclone needs 60-100 ms to mount here; a short fixed step keeps a restart well under 250 ms.
      await sleep(10)
    }
    run.rc = new RcClient(endpoint.socketPath ? { socketPath: endpoint.socketPath } : { port: port! }, rcUser, rcPass)
    const answer = await this.probe.run({ op: 'lookup', path: `${this.localPath}/.rmount-liveness` }, this.options.probeTimeoutMs * 2)
    if (!answer.ok) {
      child.kill('SIGTERM')
      throw new RmountError('MOUNT_TIMEOUT', `${this.localPath} was mounted but does not answer (${answer.message}).`, {
        logTail: this.logTail(),
      })
    }
    // Learnt now rather than at the first tick: an unmount right after mounting must still name pending files
    // relative to the mount, not by rclone's cache layout (`rmount{hash}/bucket/a.txt`).
    await run.rc.call<VfsStats>('vfs/stats', {}, this.options.probeTimeoutMs).then(
      (vfs) => {
        if (vfs.diskCache) this.pathMeta = vfs.diskCache.pathMeta
      },
      () => undefined,
    )
    if (held.length || this.heldPending) await this.settleHeld(run.rc)
  }

  private get heldDir(): string {
    return join(this.paths.stateDir, 'recovered')
  }

  /** Uploads the files held back from a torn cache (see torn-metadata.ts); what cannot go stays held and is logged. */
  private async settleHeld(rc: RcClient): Promise<void> {
    const current = this.pathMeta ? relative(join(this.paths.cacheDir, 'vfsMeta'), this.pathMeta) : null
    if (!current || current.startsWith('..')) return
    const settled = await settleHeldFiles(rc, this.heldDir, current, fsString(this.remotePath), 30_000)
    this.heldPending = settled.some((file) => file.outcome.startsWith('kept'))
    if (settled.some((file) => file.outcome === 'uploaded')) await rc.call('vfs/forget', {}, 5000).catch(() => undefined)
    for (const file of settled) {
      if (!file.outcome.startsWith('kept')) continue
      const why = file.outcome === 'kept-differs' ? 'the remote holds a different file of that name' : `the upload failed (${file.error})`
      this.emit('log', {
        time: Date.now(),
        level: 'error',
        message: `A file rclone left behind when it was killed was not uploaded because ${why}: it is kept in ${join(this.heldDir, current, file.path)}. Compare it with the remote's copy and keep the one you want.`,
        object: file.path,
      } satisfies LogLine)
    }
  }

  /**
   * Files still waiting to upload from a mount under older options (another key, another chunk
   * size) sit in a cache folder this rclone does not read: it is stopped, they are moved under its
   * folder, and it starts again and uploads them. Only while mounting, before anyone uses the folder.
   */
  private async carryOverStrandedUploads(): Promise<void> {
    const current = this.pathMeta ? cacheFsName(this.paths.cacheDir, this.pathMeta) : null
    if (!current || !this.run) return
    const stranded = await findStrandedUploads(this.paths.cacheDir, current)
    if (stranded.length === 0) return
    await this.stopRun(this.run, true)
    if (findMount(await readMountTable(), this.localPath)) await fuseUnmount(this.localPath, true)
    await carryOverUploads(this.paths.cacheDir, current, stranded)
    await this.start()
  }

  /** Creates the log file private to the user, rotates it when large, and returns where this run's lines start. */
  private async openLog(): Promise<number> {
    const size = await stat(this.paths.logFile).then(
      (s) => s.size,
      () => 0,
    )
    if (size > maxLogBytes) await rename(this.paths.logFile, `${this.paths.logFile}.1`)
    const file = await open(this.paths.logFile, 'a', 0o600)
    await file.close()
    return size > maxLogBytes ? 0 : size
  }

  private onLogLine(text: string): LogLine | null {
    const line = parseLogLine(this.redact(text))
    if (!line) return null
    // A file queued or sent: the next round reads the stats, so pending uploads show within a second.
    if (uploadActivity.test(line.message)) this.statsDue = true
    this.uploadFailures.observe(line)
    this.logs.push(line)
    this.emit('log', line)
    return line
  }

  private logTail(count = 12): string[] {
    return this.logs.tail(count).map(formatLogLine)
  }

  private notStartedError(cause: Error): RmountError {
    return new RmountError(
      'RCLONE_NOT_FOUND',
      `Could not start ${this.rclone?.path ?? 'rclone'} (${cause.message}): check that it exists and is executable, or choose another rclone.`,
    )
  }

  private exitError(run: Run, code: number): RmountError {
    const spawnError = spawnErrorOf(run.child)
    if (spawnError) return this.notStartedError(spawnError)
    const text = run.errors.join('\n')
    const classified = classifyRcloneError(text)
    const logTail = this.logTail()
    if (classified) return new RmountError(classified, failureMessage(classified, this.remote, this.remotePath), { logTail })
    const last = run.errors.at(-1)
    return new RmountError('RCLONE_EXITED', `${describeExit(code)}${last ? `: ${last}` : ''}.`, { logTail })
  }

  private asRmountError(error: unknown): RmountError {
    if (error instanceof RmountError) return error
    return new RmountError('RCLONE_EXITED', this.redact(error instanceof Error ? error.message : String(error)), { cause: error })
  }

  private onExit(run: Run, code: number): void {
    run.rc?.close()
    // The last lines explain the exit, and a fatal one may lack its newline.
    const logged = run.tail.finish()
    if (this.run !== run) return
    this.run = null
    if (!isLive(this.stateValue)) return
    void logged.then(() => this.recover(`${describeExit(code)}.`, this.exitError(run, code)))
  }

  /** Stops trying, and clears the stale mount a dead rclone leaves, so the folder is usable again. */
  private giveUp(error: RmountError): void {
    this.fail(error)
    void this.serialise(async () => {
      if (this.run) await this.run.exit
      if (this.stateValue === 'failed' && findMount(await readMountTable(), this.localPath)) await fuseUnmount(this.localPath, true)
    })
  }

  /** After a crash or a vanished mount: restart with backoff, or give up when retrying cannot help. */
  private recover(reason: string, error: RmountError): void {
    this.stopMonitor()
    if (permanentErrorCodes.has(error.code)) {
      this.giveUp(error)
      return
    }
    const decision = decideRestart(this.policy, this.restartTimes, Date.now())
    if (!decision.restart) {
      this.giveUp(
        new RmountError(
          'RESTART_LIMIT',
          `The mount failed ${this.restartTimes.length + 1} times within ${this.policy.windowMs / 1000} s, so RMount stopped restarting it. Check the log for the cause, fix it, and mount again. Last: ${error.message}`,
          {
            logTail: error.logTail,
          },
        ),
      )
      return
    }
    this.setState('restarting', `${reason} Restarting${decision.delayMs ? ` in ${(decision.delayMs / 1000).toFixed(1)} s` : ''}.`, error)
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null
      void this.serialise(() => this.restart())
    }, decision.delayMs)
  }

  private async restart(): Promise<void> {
    if (this.stateValue !== 'restarting') return
    this.restartTimes.push(Date.now())
    this.abort = new AbortController()
    try {
      if (findMount(await readMountTable(), this.localPath)) await fuseUnmount(this.localPath, true)
      await this.start()
    } catch (error) {
      if (this.stateValue === 'restarting') this.recover('The restart failed.', this.asRmountError(error))
      return
    }
    this.setState('mounted', `Mounted again after ${this.restartTimes.length} restart${this.restartTimes.length > 1 ? 's' : ''}.`)
    this.startMonitor()
  }

  private startMonitor(): void {
    this.stopMonitor()
    const leaveGroup = joinProbeGroup(this.probeKey, this.probeMember)
    const stopTicker = onTick(this.options.probeIntervalMs, (round, woke) => {
      if (woke) this.rounds.woke(performance.now())
      void this.tick(round, woke)
    })
    this.stopTicking = () => {
      stopTicker()
      leaveGroup()
    }
  }

  private stopMonitor(): void {
    this.stopTicking?.()
    this.stopTicking = null
  }

  /** One round of health checks: the mount table, the folder, the remote and the stats, in parallel. */
  private async tick(round: number, woke = false): Promise<void> {
    const run = this.run
    if (!run?.rc || !isLive(this.stateValue)) return
    const startedAt = this.rounds.begin(performance.now(), woke || this.stateValue === 'degraded')
    if (startedAt === null) return
    try {
      const timeout = this.options.probeTimeoutMs
      // The remote is probed every round (that bounds hang detection), once for all mounts of it; stats
      // and the folder, which cost as much again, every round while the mount works, else every few.
      const busy =
        this.stateValue === 'degraded' || this.stats.pendingUploads + this.stats.uploadsInProgress + this.stats.transfer.transferring > 0
      const full = busy || woke || this.statsDue || round % idleRoundsPerFullRound === 0
      if (full) this.statsDue = false
      const [table, remoteOutcome, core, vfs, free] = await Promise.allSettled([
        readMountTable(),
        probeRound(this.probeKey, round, timeout, this.probeMember),
        full ? run.rc.call<CoreStats>('core/stats', {}, timeout) : skipped,
        full ? readUploadQueue(run.rc, this.rclone!, timeout) : skipped,
        full ? freeBytes(this.paths.cacheDir) : skipped,
      ])
      const remote: PromiseSettledResult<unknown> = remoteOutcome.status === 'fulfilled' ? remoteOutcome.value : remoteOutcome
      if (this.run !== run || !isLive(this.stateValue)) return
      if (table.status === 'fulfilled' && findMount(table.value, this.localPath)?.fsType !== 'fuse.rclone') {
        // Unmounted behind our back: rclone may linger, so end it; its exit starts the restart.
        run.child.kill('SIGTERM')
        return
      }
      this.updateStats(core, vfs)
      let problem = this.remoteProblem(remote)
      if (
        !problem &&
        full &&
        isCacheFull(free.status === 'fulfilled' ? free.value : null, vfs.status === 'fulfilled' ? vfs.value.outOfSpace : undefined)
      )
        problem = { reason: 'The cache disk is full.', error: cacheFullError(this.localPath, this.paths.cacheDir) }
      if (!problem && full) {
        // The folder is probed only while the remote answers: a lookup that reaches a hung remote
        // strands the helper in the kernel, and a new helper would be stranded at every round.
        const folder = await this.probe.run({ op: 'lookup', path: `${this.localPath}/.rmount-liveness` }, timeout)
        if (this.run !== run || !isLive(this.stateValue)) return
        if (!folder.ok && folder.code === 'ENOTCONN') {
          killRclone(run)
          return
        }
        if (!folder.ok && folder.code === 'TIMEOUT')
          problem = { reason: `${this.localPath} does not answer within ${timeout} ms.`, error: null }
      }
      if (!this.rounds.speak(startedAt)) return
      if (problem?.error?.code === 'HOST_KEY_MISMATCH') {
        // Another server answers at this address: not one more request to it (a password would be next), and no restart.
        this.stopMonitor()
        this.giveUp(problem.error)
        run.child.kill('SIGTERM')
        return
      }
      problem ??= this.uploadProblem()
      if (problem) {
        this.setState('degraded', problem.reason, problem.error)
      } else {
        this.lastProbeOk = Date.now()
        if (this.stateValue === 'degraded') this.setState('mounted', 'The remote answers again.')
      }
      // Only full rounds bring new numbers; state changes have their own event.
      if (full) this.emit('health', this.health())
    } finally {
      this.rounds.end()
    }
  }

  private remoteProblem(remote: PromiseSettledResult<unknown>): { reason: string; error: RmountError | null } | null {
    if (remote.status === 'fulfilled') return null
    const error = remote.reason as RcError
    if (error.kind === 'timeout') return { reason: `The remote does not answer within ${this.options.probeTimeoutMs} ms.`, error: null }
    const code: ErrorCode = classifyRcloneError(error.message) ?? 'REMOTE_UNREACHABLE'
    return {
      reason: `The remote fails: ${this.redact(error.message)}`,
      error: new RmountError(code, failureMessage(code, this.remote, this.remotePath), { logTail: this.logTail() }),
    }
  }

  /** Uploads that keep failing while the remote answers (a removed bucket, a full disk, a denied write). */
  private uploadProblem(): { reason: string; error: RmountError } | null {
    if (this.stats.pendingUploads + this.stats.uploadsInProgress === 0) this.uploadFailures.clear()
    const failure = this.uploadFailures.current()
    if (!failure) return null
    const error = new RmountError('UPLOAD_FAILING', uploadFailingMessage(failure, this.remote, this.remotePath), {
      logTail: this.logTail(),
    })
    return { reason: error.message, error }
  }

  private updateStats(core: PromiseSettledResult<CoreStats>, uploads: PromiseSettledResult<UploadQueue>): void {
    if (core.status === 'fulfilled') {
      const c = core.value
      this.stats.transfer = { bytes: c.bytes, speed: c.speed, transferring: c.transferring?.length ?? 0, errors: c.errors }
    }
    if (uploads.status === 'fulfilled') {
      this.stats.pendingUploads = uploads.value.queued
      this.stats.uploadsInProgress = uploads.value.inProgress
      this.stats.pendingFiles = uploads.value.files
      if (uploads.value.pathMeta) this.pathMeta = uploads.value.pathMeta
    }
  }

  private async doUnmount(options: UnmountOptions): Promise<UnmountResult> {
    if (options.force) this.forceNow = true
    const previous = this.stateValue
    if (previous === 'unmounted') return { pendingFiles: await this.pendingFiles() }
    this.stopMonitor()
    this.setState('unmounting', options.force ? 'Unmounting without waiting for uploads.' : 'Waiting for pending uploads, then unmounting.')
    const run = this.run
    if (run?.rc && !options.force) {
      try {
        await this.drain(run, options.timeoutMs ?? 5 * 60_000)
      } catch (error) {
        this.backToService(run)
        throw error
      }
    }
    const lastQueue = run?.rc && this.forceNow ? await this.lastQueuedFiles(run) : []
    if (run) {
      const outcome = await this.stopRun(run, this.forceNow)
      if (!outcome.ok) {
        this.backToService(run)
        throw new RmountError(
          'MOUNTPOINT_BUSY',
          `${this.localPath} could not be unmounted because files are open in it (${outcome.message}): close the programs using it and try again, or force the unmount.`,
        )
      }
    }
    if (findMount(await readMountTable(), this.localPath)) await fuseUnmount(this.localPath, true)
    const pendingFiles = [...new Set([...lastQueue, ...(await this.pendingFiles())])].sort()
    this.stats.pendingUploads = pendingFiles.length
    this.stats.uploadsInProgress = 0
    this.stats.pendingFiles = null
    this.setState(
      'unmounted',
      pendingFiles.length ? `Unmounted; ${pendingFiles.length} file(s) wait in the cache for the next mount.` : 'Unmounted.',
    )
    return { pendingFiles }
  }

  private backToService(run: Run): void {
    if (this.run === run) {
      this.setState('mounted', 'The unmount did not happen; the mount stays in service.')
      this.startMonitor()
    }
  }

  /**
   * Waits until rclone has nothing left to upload. rclone itself never waits: SIGTERM or an unmount
   * with uploads queued leaves them in the cache (and, before 1.63, a truncated file on the remote).
   * Files closed a moment ago may reach the queue only after FUSE delivers RELEASE, so an empty queue
   * must also show no dirty file in the cache, twice in a row.
   */
  private async drain(run: Run, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs
    let quietRounds = 0
    while (quietRounds < 2) {
      if (this.run !== run || this.forceNow) return
      const [core, uploads] = await Promise.allSettled([
        run.rc!.call<CoreStats>('core/stats', {}, 2000),
        readUploadQueue(run.rc!, this.rclone!, 2000),
      ])
      this.updateStats(core, uploads)
      const busy =
        uploads.status === 'rejected' ||
        core.status === 'rejected' ||
        this.stats.pendingUploads + this.stats.uploadsInProgress + this.stats.transfer.transferring > 0
      quietRounds = busy ? 0 : (await this.pendingFiles()).length === 0 ? quietRounds + 1 : 0
      this.emit('health', this.health())
      if (quietRounds >= 2) return
      if (Date.now() > deadline) {
        const files = this.stats.pendingFiles?.length ? this.stats.pendingFiles : await this.pendingFiles()
        throw new RmountError(
          'PENDING_UPLOADS',
          `${files.length || this.stats.pendingUploads + this.stats.uploadsInProgress} file(s) are still waiting to upload after ${Math.round(timeoutMs / 1000)} s (${files.slice(0, 5).join(', ') || 'in progress'}): the remote may be slow or unreachable. The mount stays up; try again later, or force the unmount (the files then upload at the next mount).`,
          { logTail: this.logTail() },
        )
      }
      await sleep(250)
    }
  }

  /** fusermount -u, then rclone exits by itself; signals and a lazy unmount only as fallbacks. */
  private async stopRun(run: Run, force: boolean): Promise<{ ok: boolean; message: string }> {
    const graceful = await fuseUnmount(this.localPath, false)
    if (!graceful.ok && graceful.busy && !force) return { ok: false, message: graceful.message }
    if (!graceful.ok) await fuseUnmount(this.localPath, true)
    const timedExit = (ms: number) => Promise.race([run.exit.then(() => true), sleep(ms).then(() => false)])
    if (!(await timedExit(5000))) {
      run.child.kill('SIGTERM')
      if (!(await timedExit(10_000))) killRclone(run)
    }
    await run.exit
    return { ok: true, message: '' }
  }

  /**
   * rclone's own list of what it has yet to upload (1.68 on), asked just before a forced stop. The
   * cache scan after the stop adds any file closed at the last moment, and is all older rclone gives.
   */
  private lastQueuedFiles(run: Run): Promise<string[]> {
    return readUploadQueue(run.rc!, this.rclone!, 1000).then(
      (queue) => queue.files ?? [],
      () => [],
    )
  }

  /** Files rclone marked dirty in this mount's cache: written here, not yet on the remote. */
  private pendingFiles(): Promise<string[]> {
    return listDirtyFiles(this.paths.cacheDir, this.pathMeta, this.remotePath)
  }
}

/** SIGKILL to rclone itself: its watchdog then clears the folder and exits with rclone's status. */
function killRclone(run: Run): void {
  try {
    process.kill(run.pid, 'SIGKILL')
  } catch {
    // Already gone.
  }
}
