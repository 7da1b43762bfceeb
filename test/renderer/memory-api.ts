/**
 * A hand-written, in-memory `RmountApi` for the window's unit tests: it keeps remotes, mounts and
 * settings like the main process would, records every request, and lets a test push events and
 * make the next request to a channel fail.
 */
import type { ErrorInfo } from '../../shared/errors.js'
import type {
  AppSnapshot,
  EventChannel,
  EventPayloads,
  IpcResult,
  MountView,
  RemoteView,
  RequestChannel,
  RequestPayload,
  RequestResponses,
  RmountApi,
  Settings,
} from '../../shared/ipc.js'
import type { LogLine, MountHealth, MountState } from '../../shared/mount-state.js'

export function health(state: MountState, patch: Partial<MountHealth> = {}): MountHealth {
  return {
    state,
    reason: `is ${state}`,
    localPath: '/home/me/bucket',
    remote: 'rmount:bucket',
    pid: state === 'mounted' ? 4242 : null,
    restarts: 0,
    mountedAt: state === 'mounted' ? Date.now() - 60_000 : null,
    stateSince: Date.now() - 60_000,
    lastError: null,
    pendingUploads: 0,
    uploadsInProgress: 0,
    transfer: { bytes: 0, speed: 0, transferring: 0, errors: 0 },
    lastProbeOk: Date.now(),
    rcloneVersion: 'v1.60.1',
    ...patch,
  }
}

export const s3Remote: RemoteView = {
  id: 'photos',
  name: 'Photos',
  remote: { type: 's3', provider: 'Minio', endpoint: 'http://127.0.0.1:9000', accessKeyId: 'AK', secretAccessKey: { set: true } },
}
export const sshRemote: RemoteView = {
  id: 'nas',
  name: 'Home NAS',
  remote: {
    type: 'sftp',
    host: 'nas.lan',
    port: 22,
    user: 'me',
    password: { set: true },
    keyPassphrase: { set: false },
    hostKeyFingerprint: 'SHA256:' + 'a'.repeat(43),
  },
}

export function mountView(id: string, patch: Partial<MountView> = {}): MountView {
  return { id, remoteId: 'photos', remotePath: `bucket/${id}`, localPath: `/home/me/${id}`, mountAtStart: false, options: {}, ...patch }
}

type Handler<C extends RequestChannel> = (payload: RequestPayload<C>) => RequestResponses[C] | Promise<RequestResponses[C]>

export class MemoryApi implements RmountApi {
  snapshot: AppSnapshot
  readonly calls: Array<{ channel: RequestChannel; payload: unknown }> = []
  readonly listeners = new Map<EventChannel, Set<(payload: never) => void>>()
  /** The order in which things happened, to check that init requests before it subscribes. */
  readonly timeline: string[] = []
  private failures = new Map<RequestChannel, ErrorInfo>()
  private handlers: { [C in RequestChannel]?: Handler<C> } = {}
  logs: Record<string, LogLine[]> = {}

  constructor(snapshot: Partial<AppSnapshot> = {}) {
    const settings: Settings = {
      startOnLogin: false,
      rclonePath: '',
      theme: 'system',
      allowPlaintextSecrets: false,
      fileManagerBookmarks: true,
    }
    this.snapshot = {
      remotes: [],
      mounts: [],
      health: {},
      settings,
      secretStorage: { encrypted: true, backend: 'gnome_libsecret' },
      storeNotice: null,
      ...snapshot,
    }
  }

  /** The next request to `channel` fails with this error. */
  failNext(channel: RequestChannel, error: ErrorInfo): void {
    this.failures.set(channel, error)
  }

  /** Answers `channel` with this function instead of the built-in behaviour. */
  handle<C extends RequestChannel>(channel: C, handler: Handler<C>): void {
    ;(this.handlers as Record<string, unknown>)[channel] = handler
  }

  emit<E extends EventChannel>(channel: E, payload: EventPayloads[E]): void {
    for (const listener of this.listeners.get(channel) ?? []) (listener as (p: EventPayloads[E]) => void)(payload)
  }

  listenerCount(channel: EventChannel): number {
    return this.listeners.get(channel)?.size ?? 0
  }

  lastPayload<C extends RequestChannel>(channel: C): RequestPayload<C> | undefined {
    return this.calls.findLast((c) => c.channel === channel)?.payload as RequestPayload<C> | undefined
  }

  on<E extends EventChannel>(channel: E, listener: (payload: EventPayloads[E]) => void): () => void {
    this.timeline.push(`on ${channel}`)
    let set = this.listeners.get(channel)
    if (!set) this.listeners.set(channel, (set = new Set()))
    set.add(listener as (payload: never) => void)
    return () => set.delete(listener as (payload: never) => void)
  }

  async request<C extends RequestChannel>(channel: C, payload: RequestPayload<C>): Promise<IpcResult<RequestResponses[C]>> {
    this.timeline.push(`request ${channel}`)
    this.calls.push({ channel, payload })
    await Promise.resolve()
    const failure = this.failures.get(channel)
    if (failure) {
      this.failures.delete(channel)
      return { ok: false, error: failure }
    }
    const handler = this.handlers[channel] as Handler<C> | undefined
    const value = handler ? await handler(payload) : this.builtIn(channel, payload)
    // As the main process does: a saved change is announced before the request answers.
    if (channel === 'remote:save' || channel === 'mount:save') {
      const { remotes, mounts, settings } = this.snapshot
      this.emit('config:changed', { remotes, mounts, settings })
    }
    return { ok: true, value: value as RequestResponses[C] }
  }

  private builtIn(channel: RequestChannel, payload: unknown): unknown {
    const s = this.snapshot
    const p = payload as Record<string, unknown>
    switch (channel) {
      case 'app:snapshot':
        return structuredClone(s)
      case 'mount:mount':
      case 'mount:retry':
        return (s.health[p.id as string] = health('mounted'))
      case 'mount:unmount':
        s.health[p.id as string] = health('unmounted')
        return { pendingFiles: [] }
      case 'mount:delete':
        s.mounts = s.mounts.filter((m) => m.id !== p.id)
        return undefined
      case 'remote:delete':
        s.remotes = s.remotes.filter((r) => r.id !== p.id)
        return undefined
      case 'mount:logs':
        return this.logs[p.id as string] ?? []
      case 'mount:diagnostics':
        return `diagnostics of ${String(p.id)}`
      case 'settings:set':
        return (s.settings = { ...s.settings, ...(payload as Partial<Settings>) })
      case 'system:check':
        return {
          ok: false,
          items: [
            { name: 'rclone', ok: true, detail: 'rclone v1.60.1 at /usr/bin/rclone' },
            { name: 'fusermount3', ok: false, detail: 'fusermount3 was not found.', fix: 'Install the fuse3 package.' },
          ],
          rclone: { path: '/usr/bin/rclone', version: 'v1.60.1' },
        }
      case 'remote:test':
        return { ok: true, ms: 42 }
      case 'mount:suggest-folder':
        return `/home/me/RMount/${String(p.name)}`
      case 'remote:save': {
        const id = (p.id as string | undefined) ?? 'new-remote'
        const view = { id, name: p.name, remote: p.remote } as RemoteView
        s.remotes = [...s.remotes.filter((r) => r.id !== id), view]
        return view
      }
      case 'mount:save': {
        const view = { id: 'new-mount', ...(payload as object) } as MountView
        s.mounts = [...s.mounts.filter((m) => m.id !== view.id), view]
        return view
      }
      default:
        return null
    }
  }
}
