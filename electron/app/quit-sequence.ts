/**
 * Quitting without losing a written byte. Every way out (the tray's Quit, Cmd+Q and app.quit, SIGINT,
 * SIGTERM, logout or shutdown) calls `requestQuit(source)`, and they all move one state machine:
 *
 *   running ──request──▶ draining ──all unmounted──▶ exit
 *                          │  │
 *                          │  └──a mount would not go (files open, uploads stuck)──▶ blocked
 *                          ▼                                                           │
 *                       forcing ◀──────────────────────request──────────────────────────┘
 *                          │
 *                          └──all unmounted (unsent files stay in the cache)──▶ exit
 *
 * Draining waits for every pending upload; a second request forces: mounts go at once and their
 * unsent files stay in rclone's cache, to upload at the next mount of the same folder.
 */
import type { ErrorInfo } from '../../shared/errors.js'
import type { QuitProgress, QuitResult } from './mount-manager.js'

/** Where the quit is. */
export type QuitPhase = 'running' | 'draining' | 'blocked' | 'forcing' | 'exit'

/** What asked to quit. */
export type QuitSource = 'tray' | 'window' | 'app' | 'SIGINT' | 'SIGTERM' | 'logout'

/**
 * What the sequence needs of the mount manager: unmount everything after pending uploads, reporting
 * progress; called again while that runs (or after it returned failures), force.
 */
export interface QuitAll {
  quitAll(onProgress: (progress: QuitProgress) => void): Promise<QuitResult>
}

/** Everything the shell shows about a quit under way. */
export interface QuitStatus {
  phase: QuitPhase
  source: QuitSource
  /** One paragraph for a person: what is happening and what quitting again would do. */
  message: string
  /** Files still to upload, per mount. */
  pending: Record<string, number>
  /** After a forced quit: files left in each mount's cache. */
  pendingFiles: Record<string, string[]>
  /** Mounts that would not unmount gracefully, and why. */
  failed: Record<string, ErrorInfo>
}

export interface QuitSequenceOptions {
  manager: QuitAll
  /** The name a person knows a mount by. */
  nameOf?: (id: string) => string
  /** Every change of phase or progress. */
  onStatus?: (status: QuitStatus) => void
  /** Called once, when every mount is unmounted: the shell exits then. */
  onExit: (status: QuitStatus) => void
  /**
   * Requests from two different sources this close together count as one (default 500 ms): one
   * Ctrl-C may reach the app both as SIGINT and as Electron's own before-quit, and must not force.
   * Two requests from the same source always count twice: that is a person asking again.
   */
  coalesceMs?: number
  now?: () => number
}

/** The quit state machine; see the diagram above. */
export interface QuitSequence {
  /** Moves the machine on one step and returns the phase it is in now. Safe to call at any time, any number of times. */
  requestQuit(source: QuitSource): QuitPhase
  readonly phase: QuitPhase
  readonly status: QuitStatus | null
}

function total(pending: Record<string, number>): number {
  return Object.values(pending).reduce((sum, n) => sum + n, 0)
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

function message(status: Omit<QuitStatus, 'message'>, nameOf: (id: string) => string): string {
  switch (status.phase) {
    case 'running':
      return ''
    case 'draining': {
      const pending = total(status.pending)
      return pending > 0
        ? `Waiting for ${plural(pending, 'file')} to upload before quitting. Quit again to quit at once: they would stay in the cache and upload at the next mount.`
        : 'Unmounting before quitting. Quit again to quit at once.'
    }
    case 'blocked': {
      const refusals = Object.entries(status.failed).map(([id, error]) => `${nameOf(id)}: ${error.message}`)
      return `${refusals.join('\n')}\nQuit again to unmount at once: files not uploaded yet stay in rclone's cache and upload at the next mount of the same folder.`
    }
    case 'forcing':
      return "Unmounting at once. Files not uploaded yet stay in rclone's cache and upload at the next mount of the same folder."
    case 'exit': {
      const left = Object.entries(status.pendingFiles)
      if (left.length === 0) return 'Every mount is unmounted and every file is on its remote.'
      const line = ([id, files]: [string, string[]]) =>
        `${plural(files.length, 'file')} of ${nameOf(id)} ${files.length === 1 ? 'stays' : 'stay'} in the cache and upload${files.length === 1 ? 's' : ''} at its next mount: ${files.join(', ')}`
      return left.map(line).join('\n')
    }
  }
}

/** Creates the quit state machine over the mount manager. */
export function createQuitSequence(options: QuitSequenceOptions): QuitSequence {
  const nameOf = options.nameOf ?? ((id: string) => id)
  let phase: QuitPhase = 'running'
  let source: QuitSource = 'app'
  let pending: Record<string, number> = {}
  const pendingFiles: Record<string, string[]> = {}
  let failed: Record<string, ErrorInfo> = {}
  let status: QuitStatus | null = null
  const now = options.now ?? Date.now
  const coalesceMs = options.coalesceMs ?? 500
  let last = { source: null as QuitSource | null, at: -Infinity }

  const publish = (): void => {
    const base = { phase, source, pending, pendingFiles: { ...pendingFiles }, failed }
    status = { ...base, message: message(base, nameOf) }
    options.onStatus?.(status)
  }

  const onProgress = (progress: QuitProgress): void => {
    if (phase === 'exit') return
    pending = progress.pending
    publish()
  }

  const collect = (result: QuitResult): void => {
    for (const [id, files] of Object.entries(result.pendingFiles))
      pendingFiles[id] = [...new Set([...(pendingFiles[id] ?? []), ...files])].sort()
    failed = result.failed
  }

  const finish = (): void => {
    phase = 'exit'
    pending = {}
    publish()
    options.onExit(status!)
  }

  // A quitAll that fails outright is a bug in the manager; leaving the app running with no way out
  // would be worse, so it is reported as a failed quit (no error code fits; the message is what
  // shows) and the next request forces.
  const asResult = (error: unknown): QuitResult => ({
    pendingFiles: {},
    failed: { RMount: { code: 'MOUNTPOINT_BUSY', message: error instanceof Error ? error.message : String(error) } },
  })

  const drain = async (): Promise<void> => {
    const result = await options.manager.quitAll(onProgress).catch(asResult)
    if (phase !== 'draining') return // forcing took over; it finishes the quit.
    collect(result)
    if (Object.keys(result.failed).length === 0) return finish()
    phase = 'blocked'
    publish()
  }

  const force = async (running: boolean): Promise<void> => {
    // While a graceful quitAll runs, calling it again forces it and returns it; once it settles, one
    // more (forced) call sweeps up any mount it had given up on before the force arrived.
    if (running) collect(await options.manager.quitAll(onProgress).catch(asResult))
    collect(await options.manager.quitAll(onProgress).catch(asResult))
    finish()
  }

  return {
    requestQuit(from) {
      const at = now()
      if (phase !== 'running' && from !== last.source && at - last.at < coalesceMs) return phase
      last = { source: from, at }
      switch (phase) {
        case 'running':
          phase = 'draining'
          source = from
          publish()
          void drain()
          break
        case 'draining':
        case 'blocked': {
          const running = phase === 'draining'
          phase = 'forcing'
          publish()
          void force(running)
          break
        }
        case 'forcing':
        case 'exit':
          // Forcing takes seconds at most; exit is already on its way.
          break
      }
      return phase
    },
    get phase() {
      return phase
    },
    get status() {
      return status
    },
  }
}

/** Whether the shell should show the window for a quit: when the person who asked can answer it. */
export function quitShowsWindow(status: QuitStatus): boolean {
  if (status.phase === 'blocked') return true
  const interactive = status.source === 'tray' || status.source === 'window' || status.source === 'app'
  return interactive && status.phase === 'draining' && total(status.pending) > 0
}
