/**
 * The window's state: a projection of what the main process holds (snapshot, then events), the
 * bounded log of each mount, and what the window is showing. Built from the `window.rmount` API
 * it is given, so tests hand it an in-memory one.
 */
import { createStore, type StoreApi } from 'zustand/vanilla'
import type { ErrorInfo } from '../../shared/errors.js'
import type {
  AppSnapshot,
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
import type { WindowTarget } from '../../shared/window-link.js'

/** Lines kept per mount: enough to read what led to a failure, bounded so a chatty mount cannot grow the window. */
export const logLimit = 500

export type View =
  | { name: 'mounts' }
  | { name: 'remotes' }
  | { name: 'settings' }
  | { name: 'logs'; mountId: string }
  | { name: 'remote-editor'; remoteId: string | null; type?: 's3' | 'sftp' }
  | { name: 'mount-editor'; mountId: string | null; remoteId?: string; remotePath?: string }

/** A failed request, as the window shows it. */
export interface ShownError extends ErrorInfo {
  /** What was being done, e.g. "Saving settings". */
  action: string
}

export interface AppState {
  phase: 'loading' | 'ready' | 'failed'
  remotes: RemoteView[]
  mounts: MountView[]
  health: Record<string, MountHealth>
  settings: Settings
  secretStorage: AppSnapshot['secretStorage']
  storeNotice: string | null
  /** While the app quits: files each mount still uploads, and whether a second Quit forced it. */
  quitting: EventPayloads['quit:progress'] | null
  logs: Record<string, LogLine[]>
  view: View
  /** The views Back and an editor's Cancel return to, newest last; the sidebar starts afresh. */
  history: View[]
  /** The open editor holds changes not saved yet: leaving it through `leave` asks first. */
  editorDirty: boolean
  /** Where the person asked to go while the editor was dirty, waiting for "Discard changes". */
  leaving: View | 'back' | null
  /** The mount the list brings into view and focuses: the one last opened, or the one the tray pointed at. */
  selectedMountId: string | null
  /** The last failed request that is not shown next to what caused it. */
  error: ShownError | null
  /** Mount id → the action under way, so its buttons wait. */
  busy: Record<string, 'mount' | 'unmount' | 'retry' | 'delete'>
  /** Mount id → why its last action failed (e.g. PENDING_UPLOADS, with a forced unmount on offer). */
  actionErrors: Record<string, ErrorInfo>
  /** Mount id → files a forced unmount left in the cache (they upload at the next mount), until dismissed. */
  leftInCache: Record<string, string[]>
  /** Mount id → the last error the person dismissed (by its time, or its message when it has none). */
  dismissedErrors: Record<string, string>

  /** Loads the snapshot, then follows events. Safe to call again after a failure. */
  init(): Promise<void>
  /** Stops following events. */
  dispose(): void
  /** Shows a view; a view of one mount (its log, its editor) also selects that mount. */
  navigate(view: View): void
  /** Opens what the shell pointed the window at (see window-link.ts): a mount in the list, or its log. */
  openTarget(target: WindowTarget): void
  /** Back to the view before the current one (an editor's Cancel). */
  back(): void
  /** Leaves the current view, asking first when an editor holds unsaved changes (see `leaving`). */
  leave(to: View | 'back'): void
  /** The answer to "Discard your changes?": go where the person asked, or stay. */
  settleLeave(discard: boolean): void
  setEditorDirty(dirty: boolean): void
  /**
   * After a new remote is saved: back to the mount editor it was added from, or on to a new mount of
   * it, with the bucket or folder Test connection checked as the mount's remote path.
   */
  remoteSaved(remoteId: string, remotePath?: string): void
  dismissError(): void
  mount(id: string): Promise<void>
  unmount(id: string, force?: boolean): Promise<void>
  /** Unmounts (waiting for uploads) and mounts again, so changed settings apply now. */
  remount(id: string): Promise<void>
  /** Mounts every unmounted (or failed) mount, or unmounts every active one, all at once. */
  mountAll(): Promise<void>
  unmountAll(): Promise<void>
  dismissLastError(id: string, key: string): void
  dismissLeftInCache(id: string): void
  retry(id: string): Promise<void>
  openFolder(id: string): Promise<void>
  /** Shows changes made on the remote by other clients now. */
  refresh(id: string): Promise<void>
  deleteMount(id: string): Promise<boolean>
  deleteRemote(id: string): Promise<boolean>
  /** Loads a mount's recent log lines; live lines keep arriving through events. */
  loadLogs(id: string): Promise<void>
  setSettings(patch: RequestPayload<'settings:set'>): Promise<void>
  /**
   * A request whose error the caller shows next to its cause (forms, Test connection): the result as it
   * came, nothing stored. Requests that change config are followed by 'config:changed' from the main process.
   */
  call<C extends RequestChannel>(channel: C, payload: RequestPayload<C>): Promise<IpcResult<RequestResponses[C]>>
}

export type AppStore = StoreApi<AppState>

/** Enough steps back for any path through the window (list, editor, remote editor, log). */
const historyLimit = 20

/** The sidebar's sections: going to one starts a fresh trail. */
function isSection(view: View): boolean {
  return view.name === 'mounts' || view.name === 'remotes' || view.name === 'settings'
}

/** States with an rclone running or on its way: what "Unmount all" unmounts and "Mount all" leaves alone. */
export function isLiveState(state: MountState): boolean {
  return state !== 'unmounted' && state !== 'failed'
}

const defaultSettings: Settings = {
  startOnLogin: false,
  rclonePath: '',
  theme: 'system',
  allowPlaintextSecrets: false,
  fileManagerBookmarks: true,
}

/** Appends to a mount's log, dropping the oldest lines past `logLimit`. */
function appendLine(lines: LogLine[] | undefined, line: LogLine): LogLine[] {
  const next = lines ? lines.slice(lines.length >= logLimit ? lines.length - logLimit + 1 : 0) : []
  next.push(line)
  return next
}

/** Keeps only the entries of mounts that still exist. */
function keepIds<T>(record: Record<string, T>, ids: Set<string>): Record<string, T> {
  const kept = Object.entries(record).filter(([id]) => ids.has(id))
  return kept.length === Object.keys(record).length ? record : Object.fromEntries(kept)
}

function without<T>(record: Record<string, T>, id: string): Record<string, T> {
  if (!(id in record)) return record
  const { [id]: _, ...rest } = record
  return rest
}

/** Turns a rejected request (a broken bridge, not an RMount error) into the same `{ code, message }` shape. */
async function settle<T>(promise: Promise<IpcResult<T>>): Promise<IpcResult<T>> {
  try {
    return await promise
  } catch (error) {
    return {
      ok: false,
      error: { code: 'BRIDGE_FAILED', message: `The app did not answer: ${error instanceof Error ? error.message : String(error)}` },
    }
  }
}

export interface AppStoreOptions {
  /**
   * Runs the callback before the next paint: requestAnimationFrame in the window. Tests pass one that
   * runs it at once, or when they say.
   */
  scheduleFrame?: (callback: () => void) => void
}

export function createAppStore(api: RmountApi, options: AppStoreOptions = {}): AppStore {
  const scheduleFrame = options.scheduleFrame ?? ((callback: () => void) => void requestAnimationFrame(() => callback()))
  let unsubscribe: Array<() => void> = []

  return createStore<AppState>()((set, get) => {
    const call: AppState['call'] = (channel, payload) => settle(api.request(channel, payload))

    // Health comes in bursts: one shared ticker reports every mount each second, each report an IPC
    // message of its own. Applied one by one, 50 mounts cost 50 renders before the next frame (in
    // headless Chromium here, p99 frame 66-83 ms); gathered, one render per frame (p99 33-50 ms).
    // While the window is hidden there are no frames: the newest health of each mount waits, unrendered.
    const pendingHealth = new Map<string, MountHealth>()
    let flushScheduled = false
    function queueHealth(id: string, health: MountHealth) {
      pendingHealth.set(id, health)
      if (flushScheduled) return
      flushScheduled = true
      scheduleFrame(() => {
        flushScheduled = false
        const batch = Object.fromEntries(pendingHealth)
        pendingHealth.clear()
        set((s) => ({ health: { ...s.health, ...batch } }))
      })
    }

    /** A request whose failure goes to the window's error banner. */
    async function run<C extends RequestChannel>(action: string, channel: C, payload: RequestPayload<C>) {
      const result = await call(channel, payload)
      if (!result.ok) set({ error: { ...result.error, action } })
      return result
    }

    /** A mount action: its buttons wait, its result updates the row, its error stays on the row. */
    async function mountAction<C extends 'mount:mount' | 'mount:retry' | 'mount:unmount'>(
      id: string,
      kind: 'mount' | 'retry' | 'unmount',
      channel: C,
      payload: RequestPayload<C>,
    ) {
      set((s) => ({ busy: { ...s.busy, [id]: kind }, actionErrors: without(s.actionErrors, id) }))
      const result = await call(channel, payload)
      set((s) => {
        const next: Partial<AppState> = { busy: without(s.busy, id) }
        if (!result.ok) next.actionErrors = { ...s.actionErrors, [id]: result.error }
        else if (channel === 'mount:unmount') {
          const { pendingFiles } = result.value as RequestResponses['mount:unmount']
          next.leftInCache = pendingFiles.length ? { ...s.leftInCache, [id]: pendingFiles } : without(s.leftInCache, id)
        } else {
          // The answer is newer than any health event that came before it and still waits for a frame.
          pendingHealth.delete(id)
          next.health = { ...s.health, [id]: result.value as MountHealth }
        }
        return next
      })
    }

    /** Leaves the current view for `to`, unguarded: the editor being left is done with. */
    function go(to: View | 'back') {
      set((s) => {
        if (to !== 'back') {
          // A sidebar section starts a fresh trail; a view opened from within one can go back to it.
          const history = isSection(to) ? [] : [...s.history, s.view].slice(-historyLimit)
          const selectedMountId = to.name === 'logs' || (to.name === 'mount-editor' && to.mountId) ? to.mountId : s.selectedMountId
          return { view: to, history, selectedMountId, editorDirty: false, leaving: null }
        }
        return { view: s.history.at(-1) ?? { name: 'mounts' }, history: s.history.slice(0, -1), editorDirty: false, leaving: null }
      })
    }

    function applyConfig(remotes: RemoteView[], mounts: MountView[], settings: Settings) {
      const ids = new Set(mounts.map((m) => m.id))
      set((s) => ({
        remotes,
        mounts,
        settings,
        health: keepIds(s.health, ids),
        logs: keepIds(s.logs, ids),
        actionErrors: keepIds(s.actionErrors, ids),
        leftInCache: keepIds(s.leftInCache, ids),
      }))
    }

    return {
      phase: 'loading',
      remotes: [],
      mounts: [],
      health: {},
      settings: defaultSettings,
      secretStorage: { encrypted: true, backend: '' },
      storeNotice: null,
      quitting: null,
      logs: {},
      view: { name: 'mounts' },
      history: [],
      editorDirty: false,
      leaving: null,
      selectedMountId: null,
      error: null,
      busy: {},
      actionErrors: {},
      leftInCache: {},
      dismissedErrors: {},

      async init() {
        get().dispose()
        set({ phase: 'loading' })
        const result = await call('app:snapshot', undefined)
        if (!result.ok) {
          set({ phase: 'failed', error: { ...result.error, action: 'Loading your mounts' } })
          return
        }
        const { remotes, mounts, health, settings, secretStorage, storeNotice } = result.value
        set({ phase: 'ready', remotes, mounts, health, settings, secretStorage, storeNotice, error: null })
        // Subscribed in the same task the snapshot arrived in: events are delivered as tasks of their
        // own, so none can fall between the snapshot and the subscription, and none older than it is applied.
        unsubscribe = [
          api.on('mount:health', ({ id, health }) => queueHealth(id, health)),
          api.on('mount:log', ({ id, line }) => set((s) => ({ logs: { ...s.logs, [id]: appendLine(s.logs[id], line) } }))),
          api.on('config:changed', ({ remotes, mounts, settings }) => applyConfig(remotes, mounts, settings)),
          api.on('quit:progress', (quitting) => set({ quitting })),
        ]
      },

      dispose() {
        for (const off of unsubscribe) off()
        unsubscribe = []
      },

      navigate: (view) => go(view),
      openTarget(target) {
        get().navigate(target.view === 'logs' ? { name: 'logs', mountId: target.mountId } : { name: 'mounts' })
        set({ selectedMountId: target.mountId })
      },
      back: () => go('back'),
      leave(to) {
        if (get().editorDirty) set({ leaving: to })
        else go(to)
      },
      settleLeave(discard) {
        const to = get().leaving
        if (discard && to) go(to)
        else set({ leaving: null })
      },
      setEditorDirty: (editorDirty) => set({ editorDirty }),
      remoteSaved(remoteId, remotePath) {
        const { history } = get()
        const from = history.at(-1)
        const chosen = { remoteId, ...(remotePath ? { remotePath } : {}) }
        if (from?.name === 'mount-editor') set({ view: { ...from, ...chosen }, history: history.slice(0, -1), editorDirty: false })
        // Replacing the remote editor, so Cancel returns to where the person was before it.
        else set({ view: { name: 'mount-editor', mountId: null, ...chosen }, editorDirty: false })
      },
      dismissError: () => set({ error: null }),

      mount: (id) => mountAction(id, 'mount', 'mount:mount', { id }),
      retry: (id) => mountAction(id, 'retry', 'mount:retry', { id }),
      unmount: (id, force = false) => mountAction(id, 'unmount', 'mount:unmount', { id, force }),
      async remount(id) {
        await get().unmount(id)
        if (!get().actionErrors[id]) await get().mount(id)
      },
      async mountAll() {
        const { mounts, health } = get()
        const idle = mounts.filter((m) => !isLiveState(health[m.id]?.state ?? 'unmounted'))
        await Promise.all(idle.map((m) => get().mount(m.id)))
      },
      async unmountAll() {
        const { mounts, health } = get()
        const live = mounts.filter((m) => isLiveState(health[m.id]?.state ?? 'unmounted'))
        await Promise.all(live.map((m) => get().unmount(m.id)))
      },
      dismissLastError: (id, key) => set((s) => ({ dismissedErrors: { ...s.dismissedErrors, [id]: key } })),
      dismissLeftInCache: (id) => set((s) => ({ leftInCache: without(s.leftInCache, id) })),

      async openFolder(id) {
        await run('Opening the folder', 'mount:open-folder', { id })
      },

      async refresh(id) {
        await run('Refreshing', 'mount:refresh', { id })
      },

      async deleteMount(id) {
        set((s) => ({ busy: { ...s.busy, [id]: 'delete' } }))
        const result = await run('Deleting the mount', 'mount:delete', { id })
        set((s) => ({ busy: without(s.busy, id) }))
        if (result.ok) set((s) => ({ mounts: s.mounts.filter((m) => m.id !== id), health: without(s.health, id) }))
        return result.ok
      },

      async deleteRemote(id) {
        const result = await run('Deleting the remote', 'remote:delete', { id })
        if (result.ok) set((s) => ({ remotes: s.remotes.filter((r) => r.id !== id) }))
        return result.ok
      },

      async loadLogs(id) {
        const result = await run('Loading the log', 'mount:logs', { id })
        if (!result.ok) return
        // Lines that arrived live while the request was under way are newer than every fetched line.
        set((s) => {
          const fetched = result.value.slice(-logLimit)
          const newest = fetched.at(-1)?.time ?? -Infinity
          const live = (s.logs[id] ?? []).filter((line) => line.time > newest)
          return { logs: { ...s.logs, [id]: [...fetched, ...live].slice(-logLimit) } }
        })
      },

      async setSettings(patch) {
        const result = await run('Saving settings', 'settings:set', patch)
        if (result.ok) set({ settings: result.value })
      },

      call,
    }
  })
}
