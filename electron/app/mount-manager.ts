/**
 * The desktop app's mounts: one engine `RemoteMount` per saved mount, keyed by the mount's id, kept
 * in step with the stored config. Secrets are decrypted only when a mount starts, here in the main
 * process; the renderer never sees them.
 */
import { EventEmitter } from 'node:events'
import { mountOptionsSchema, type Remote, type RemoteInput, type SavedMount } from '../../shared/config.js'
import { permanentErrorCodes, RmountError, type ErrorInfo } from '../../shared/errors.js'
import type { LogLine, MountHealth, MountState } from '../../shared/mount-state.js'
import {
  RemoteMount,
  type UnmountResult,
  isAlive,
  describeRemote,
  isLive,
  findMount,
  readMountTable,
  mountArgs,
  mountPaths,
  backendArgs,
  caBundleFromEnv,
} from '../engine/index.js'
import { mergeLogs, stateLine, withLogLevel } from './mount-events-log.js'
import type { StoredConfig, StoredRemote } from './contracts.js'

/** Events of the manager; the app core forwards them to the windows. */
export interface MountManagerEvents {
  health: [id: string, health: MountHealth]
  log: [id: string, line: LogLine]
}

/** What the manager needs from the app: how to decrypt a stored remote. */
export interface MountManagerOptions {
  /**
   * Turns a stored remote into the engine's shape, decrypting its secrets: the store's
   * `toEngineRemote` bound to the app's cipher. Called only when a mount starts.
   */
  resolveRemote(remote: StoredRemote): Promise<RemoteInput>
  /** How often quitAll reports progress, in ms. */
  progressIntervalMs?: number
  /** Saves the host key an SFTP remote without one showed at its first successful connection (pin on first use). */
  pinHostKey?: (remoteId: string, fingerprint: string) => Promise<void>
}

/**
 * What `reconcile` did. A mount that is not idle (anything but unmounted or failed) keeps running
 * with the settings it was started with: rclone cannot take new options while mounted, and restarting
 * it behind the user's back could cut uploads short. The new settings apply at its next mount.
 */
export interface ReconcileResult {
  added: string[]
  /** Changed while idle: the next mount uses the new settings. */
  updated: string[]
  removed: string[]
  /** Changed or removed while mounted: applied once the mount is unmounted. */
  deferred: string[]
}

/** Progress of quitAll: what each mount still waits for, as the `quit:progress` event carries it. */
export interface QuitProgress {
  /** Files waiting to upload (or uploading), per mount still unmounting. */
  pending: Record<string, number>
  forced: boolean
}

/** What quitAll leaves behind. */
export interface QuitResult {
  /** Files left in each mount's cache; they upload at the next mount of the same folder. */
  pendingFiles: Record<string, string[]>
  /** Mounts that could not be unmounted gracefully (files open, uploads stuck); quitting again forces them. */
  failed: Record<string, ErrorInfo>
}

interface Entry {
  mount: SavedMount
  remote: StoredRemote
  rclonePath: string | undefined
  /** The settings this entry stands for; differs from `engineKey` once the config changed under a running engine. */
  key: string
  engine: RemoteMount | null
  engineKey: string | null
  detach: (() => void) | null
  /** Engine creation under way, so two mount() calls build one engine. */
  creating: Promise<RemoteMount> | null
  /** The user (or mountAtStart) asked for it to be mounted and has not unmounted it since: probeAll brings it back. */
  wanted: boolean
  /** Gone from the config while still mounted; dropped once unmounted. */
  removed: boolean
  /** A failure before the engine existed (a secret that does not decrypt, an invalid remote). */
  setupError: RmountError | null
  since: number
  /** RMount's own log lines about this mount (state changes), newest last. */
  events: LogLine[]
}

/** RMount's own lines kept per mount: every state change of a long day, bounded. */
const ownLogLimit = 200

/** States in which no rclone runs, so an engine can be replaced. */
const idleStates: ReadonlySet<MountState> = new Set(['unmounted', 'failed'])

/** JSON with sorted keys, so the same settings give the same key whatever order the store wrote them in. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  )
}

function settingsKey(mount: SavedMount, remote: StoredRemote, rclonePath: string | undefined): string {
  return stableJson({ remote: remote.remote, remotePath: mount.remotePath, localPath: mount.localPath, options: mount.options, rclonePath })
}

function asRmountError(error: unknown): RmountError {
  if (error instanceof RmountError) return error
  return new RmountError('INVALID_CONFIG', `The mount could not be set up: ${error instanceof Error ? error.name : 'unknown error'}.`, {
    cause: error,
  })
}

/**
 * Failures that may pass by themselves, so a resume or a network change is worth another try.
 * RESTART_LIMIT is permanent for the engine (it stops looping) but only ever follows passing failures.
 */
function worthRetrying(error: ErrorInfo | null): boolean {
  return error !== null && (error.code === 'RESTART_LIMIT' || !permanentErrorCodes.has(error.code))
}

/** Owns the app's mounts: creates, mounts, watches, re-probes and unmounts them, keyed by mount id. */
export class MountManager extends EventEmitter<MountManagerEvents> {
  private readonly entries = new Map<string, Entry>()
  private readonly resolveRemote: (remote: StoredRemote) => Promise<RemoteInput>
  private readonly progressIntervalMs: number
  private readonly pinHostKey: MountManagerOptions['pinHostKey']
  private quitting: Promise<QuitResult> | null = null
  private quitForced = false
  private quitRequests = 0
  /** Engines being let go, by folder: a new engine for the same folder waits, so the old one's cleanup cannot unmount it. */
  private readonly retiring = new Map<string, Promise<void>>()

  constructor(options: MountManagerOptions) {
    super()
    this.resolveRemote = options.resolveRemote
    this.progressIntervalMs = options.progressIntervalMs ?? 250
    this.pinHostKey = options.pinHostKey
  }

  /** Brings the mounts in line with the config; see ReconcileResult for what waits for an unmount. */
  reconcile(config: StoredConfig): ReconcileResult {
    const result: ReconcileResult = { added: [], updated: [], removed: [], deferred: [] }
    const remotes = new Map(config.remotes.map((r) => [r.id, r]))
    const rclonePath = config.settings.rclonePath || undefined
    const present = new Set<string>()
    for (const mount of config.mounts) {
      const remote = remotes.get(mount.remoteId)
      if (!remote) continue
      present.add(mount.id)
      const key = settingsKey(mount, remote, rclonePath)
      const entry = this.entries.get(mount.id)
      if (!entry) {
        this.entries.set(mount.id, {
          mount,
          remote,
          rclonePath,
          key,
          engine: null,
          engineKey: null,
          detach: null,
          creating: null,
          wanted: false,
          removed: false,
          setupError: null,
          since: Date.now(),
          events: [],
        })
        result.added.push(mount.id)
        this.emit('health', mount.id, this.health(mount.id))
        continue
      }
      const wasRemoved = entry.removed
      Object.assign(entry, { mount, remote, rclonePath, removed: false })
      if (entry.key === key && !wasRemoved) continue
      entry.key = key
      entry.setupError = null
      if (entry.engine && !idleStates.has(entry.engine.state)) {
        result.deferred.push(mount.id)
        // The window shows that the running mount no longer matches what was saved.
        this.emit('health', mount.id, this.health(mount.id))
      } else result.updated.push(mount.id)
    }
    for (const [id, entry] of this.entries) {
      if (present.has(id)) continue
      if (entry.engine && !idleStates.has(entry.engine.state)) {
        entry.removed = true
        entry.wanted = false
        result.deferred.push(id)
      } else {
        void this.retire(entry)
        this.entries.delete(id)
        result.removed.push(id)
      }
    }
    return result
  }

  /** Mounts every mount marked mountAtStart, together; failures show in their health, never as a rejection. */
  async mountAtStart(): Promise<Record<string, MountHealth>> {
    const ids = [...this.entries].filter(([, e]) => e.mount.mountAtStart && !e.removed).map(([id]) => id)
    await Promise.allSettled(ids.map((id) => this.mount(id)))
    return Object.fromEntries(ids.map((id) => [id, this.health(id)]))
  }

  /** Mounts and resolves once mounted and answering; rejects with the RmountError that stopped it. */
  async mount(id: string): Promise<MountHealth> {
    const entry = this.entry(id)
    entry.wanted = true
    const engine = await this.engineFor(entry)
    await engine.mount()
    return engine.health()
  }

  /** Unmounts (after pending uploads unless forced); settings changed meanwhile apply from the next mount. */
  async unmount(id: string, options: { force?: boolean } = {}): Promise<UnmountResult> {
    const entry = this.entries.get(id)
    if (!entry) throw this.unknown(id)
    entry.wanted = false
    const engine = entry.engine
    if (!engine) return { pendingFiles: [] }
    const result = await engine.unmount({ force: options.force ?? false })
    if (entry.engine === engine && (entry.removed || entry.engineKey !== entry.key)) {
      await this.retire(entry)
      if (entry.removed) this.entries.delete(id)
    }
    if (this.entries.has(id)) this.emit('health', id, this.health(id))
    return result
  }

  /** Mounts again: a failed or restarting mount is first unmounted at once, cutting any backoff short. */
  async retry(id: string): Promise<MountHealth> {
    const entry = this.entry(id)
    entry.wanted = true
    const state = entry.engine?.state
    if (entry.engine && (state === 'failed' || state === 'restarting')) await entry.engine.unmount({ force: true })
    return this.mount(id)
  }

  /** Shows changes made on the remote now; a mount with no rclone running has nothing cached, so nothing to do. */
  async refresh(id: string): Promise<void> {
    await this.entry(id).engine?.refresh()
  }

  /** The mount's health; one that never started reports `unmounted` (or `failed` when it could not be set up). */
  health(id: string): MountHealth {
    const entry = this.entries.get(id)
    if (!entry) throw this.unknown(id)
    if (entry.engine) return this.withPending(entry, entry.engine.health())
    const { mount, remote, setupError } = entry
    return {
      state: setupError ? 'failed' : 'unmounted',
      reason: setupError ? setupError.message : 'Not mounted.',
      localPath: mount.localPath,
      // The description uses only non-secret fields (type, host, user, port, endpoint, provider).
      remote: describeRemote(remote.remote as unknown as Remote, mount.remotePath),
      pid: null,
      restarts: 0,
      mountedAt: null,
      stateSince: entry.since,
      lastError: setupError?.toJSON() ?? null,
      lastErrorAt: setupError ? entry.since : null,
      pendingUploads: 0,
      uploadsInProgress: 0,
      transfer: { bytes: 0, speed: 0, transferring: 0, errors: 0 },
      lastProbeOk: null,
      rcloneVersion: null,
    }
  }

  /** Health of every mount, keyed by id. */
  healthAll(): Record<string, MountHealth> {
    return Object.fromEntries([...this.entries.keys()].map((id) => [id, this.health(id)]))
  }

  /** The mount's recent log lines, oldest first, secrets already removed by the engine. */
  logs(id: string): LogLine[] {
    const entry = this.entries.get(id)
    if (!entry) throw this.unknown(id)
    return mergeLogs((entry.engine?.recentLogs() ?? []).map(withLogLevel), entry.events)
  }

  /** The state of the mount's engine, `unmounted` when none was created yet. */
  state(id: string): MountState {
    return this.health(id).state
  }

  /**
   * The rclone arguments the mount runs (or would run) with. Secrets are never among them: they go
   * through rclone's environment. Throws INVALID_CONFIG when the extra arguments are not allowed.
   */
  rcloneArgs(id: string): string[] {
    const entry = this.entries.get(id)
    if (!entry) throw this.unknown(id)
    const engine = entry.engine
    const options = engine?.options ?? mountOptionsSchema.parse({ ...entry.mount.options, rclonePath: entry.rclonePath })
    const paths = engine?.paths ?? mountPaths(entry.mount.localPath, options.stateDir)
    const args = backendArgs(entry.remote.remote.type, caBundleFromEnv())
    return mountArgs(entry.mount.remotePath, entry.mount.localPath, options, paths, { env: {}, secrets: [], args })
  }

  /**
   * For resume, unlock and network changes, when a mount may have died while nobody watched or given
   * up while the network was away. Each mount the user wants mounted is mounted again when:
   * - it is live (mounted or degraded) but its rclone is gone or its folder is missing from
   *   /proc/self/mountinfo (the engine notices those too; this closes the gap after a suspend), or
   * - it failed for a reason that may have passed: RESTART_LIMIT (which only follows passing
   *   failures), an unreachable remote, a timeout, an rclone exit.
   * Mounts failed for a reason only the user can fix (wrong key, missing bucket, host key) are left
   * alone, as are restarting ones (their engine is already on it) and those the user unmounted.
   * Returns the ids it mounted again; their outcome shows in their health.
   */
  async probeAll(): Promise<string[]> {
    if (this.quitting) return []
    const table = await readMountTable()
    const due: string[] = []
    for (const [id, entry] of this.entries) {
      const engine = entry.engine
      if (!entry.wanted || entry.removed || !engine) continue
      if (isLive(engine.state)) {
        const pid = engine.health().pid
        const mounted = findMount(table, entry.mount.localPath)?.fsType === 'fuse.rclone'
        if (pid === null || !isAlive(pid) || !mounted) due.push(id)
      } else if (engine.state === 'failed' && worthRetrying(engine.health().lastError)) {
        due.push(id)
      }
    }
    await Promise.allSettled(
      due.map(async (id) => {
        const engine = this.entries.get(id)?.engine
        // Forced: whatever the cache holds stays there and uploads at the mount that follows at once.
        if (engine && engine.state !== 'unmounted') await engine.unmount({ force: true })
        await this.mount(id)
      }),
    )
    return due
  }

  /**
   * Unmounts every mount for the app to quit, each after its pending uploads, reporting what is
   * still pending every `progressIntervalMs`. A second call (while the first waits, or after it
   * returned failures) forces: mounts go at once and their unsent files stay in the cache.
   */
  quitAll(onProgress: (progress: QuitProgress) => void = () => undefined): Promise<QuitResult> {
    this.quitRequests++
    if (this.quitRequests > 1) this.quitForced = true
    if (this.quitting) {
      if (this.quitForced) for (const entry of this.entries.values()) entry.engine?.unmount({ force: true }).catch(() => undefined)
      return this.quitting
    }
    const quit = this.doQuitAll(onProgress).finally(() => {
      if (this.quitting === quit) this.quitting = null
    })
    this.quitting = quit
    return quit
  }

  private async doQuitAll(onProgress: (progress: QuitProgress) => void): Promise<QuitResult> {
    const active = [...this.entries].filter(([, e]) => e.engine && e.engine.state !== 'unmounted')
    const running = new Set(active.map(([id]) => id))
    const report = () => {
      const pending: Record<string, number> = {}
      for (const id of running) {
        const health = this.entries.get(id)?.engine?.health()
        pending[id] = (health?.pendingUploads ?? 0) + (health?.uploadsInProgress ?? 0)
      }
      onProgress({ pending, forced: this.quitForced })
    }
    report()
    const timer = setInterval(report, this.progressIntervalMs)
    const result: QuitResult = { pendingFiles: {}, failed: {} }
    try {
      await Promise.all(
        active.map(async ([id, entry]) => {
          entry.wanted = false
          try {
            const { pendingFiles } = await entry.engine!.unmount({ force: this.quitForced })
            if (pendingFiles.length) result.pendingFiles[id] = pendingFiles
          } catch (error) {
            result.failed[id] = asRmountError(error).toJSON()
          } finally {
            running.delete(id)
          }
        }),
      )
    } finally {
      clearInterval(timer)
    }
    report()
    return result
  }

  /** The engine for the entry's current settings, replacing an idle one built from older settings. */
  private async engineFor(entry: Entry): Promise<RemoteMount> {
    while (entry.creating) await entry.creating.catch(() => undefined)
    const current = entry.engine
    if (current && (entry.engineKey === entry.key || !idleStates.has(current.state))) return current
    const creating = (async () => {
      if (current) await this.retire(entry)
      await this.retiring.get(entry.mount.localPath)
      entry.setupError = null
      try {
        const remote = await this.resolveRemote(entry.remote)
        const { mount } = entry
        const pin = this.pinHostKey
        const remoteId = entry.remote.id
        const engine = new RemoteMount(remote, mount.remotePath, mount.localPath, {
          ...mount.options,
          rclonePath: entry.rclonePath,
          // The store is where a desktop pin lives (the remote's hostKeyFingerprint), so there is none to look up here.
          // A pin that cannot be saved (a store from a newer RMount) is tried again at the next mount; it must not fail this one.
          ...(pin
            ? { hostKeyPins: { get: async () => undefined, set: (_name: string, fp: string) => pin(remoteId, fp).catch(() => undefined) } }
            : {}),
        })
        this.attach(entry, engine)
        return engine
      } catch (error) {
        entry.setupError = asRmountError(error)
        entry.since = Date.now()
        this.emit('health', entry.mount.id, this.health(entry.mount.id))
        throw entry.setupError
      }
    })()
    entry.creating = creating
    try {
      return await creating
    } finally {
      entry.creating = null
    }
  }

  /** Marks a running mount's health when the saved settings changed under it (they apply at its next mount). */
  private withPending(entry: Entry, health: MountHealth): MountHealth {
    return entry.engineKey !== entry.key && !idleStates.has(health.state) ? { ...health, settingsPending: true } : health
  }

  private attach(entry: Entry, engine: RemoteMount): void {
    const id = entry.mount.id
    let previous = engine.state
    const onState = (state: MountState, health: MountHealth) => {
      const line = stateLine(previous, state, health.reason, health.stateSince)
      previous = state
      if (line) {
        entry.events = [...entry.events.slice(-(ownLogLimit - 1)), line]
        this.emit('log', id, line)
      }
      this.emit('health', id, this.withPending(entry, health))
    }
    const onHealth = (health: MountHealth) => this.emit('health', id, this.withPending(entry, health))
    const onLog = (line: LogLine) => this.emit('log', id, withLogLevel(line))
    engine.on('state', onState)
    engine.on('health', onHealth)
    engine.on('log', onLog)
    entry.engine = engine
    entry.engineKey = entry.key
    entry.detach = () => {
      engine.off('state', onState)
      engine.off('health', onHealth)
      engine.off('log', onLog)
    }
  }

  /**
   * Lets go of the entry's engine. A failed engine is unmounted first: that waits for the cleanup it
   * queued when it gave up, which would otherwise clear the folder under its successor.
   */
  private async retire(entry: Entry): Promise<void> {
    const engine = entry.engine
    if (!engine) return
    entry.detach?.()
    entry.engine = null
    entry.engineKey = null
    entry.detach = null
    entry.since = Date.now()
    if (engine.state === 'unmounted') return
    const folder = engine.localPath
    const done = engine.unmount({ force: true }).then(
      () => undefined,
      () => undefined,
    )
    this.retiring.set(folder, done)
    await done
    if (this.retiring.get(folder) === done) this.retiring.delete(folder)
  }

  private entry(id: string): Entry {
    const entry = this.entries.get(id)
    if (!entry || entry.removed) throw this.unknown(id)
    return entry
  }

  private unknown(id: string): RmountError {
    return new RmountError(
      'NOT_FOUND',
      `No mount has the id "${id}": it may have been deleted. Reopen the window to see the current mounts.`,
    )
  }
}
