import type { ErrorInfo } from './errors.js'

/** The life of one mount; see docs/ARCHITECTURE.md for the transitions. */
export const mountStates = ['unmounted', 'mounting', 'mounted', 'degraded', 'restarting', 'failed', 'unmounting'] as const
export type MountState = (typeof mountStates)[number]

/** A snapshot of one mount, plain data for events, IPC and the CLI. */
export interface MountHealth {
  state: MountState
  /** Why the mount entered this state, in a sentence. */
  reason: string
  localPath: string
  remote: string
  pid: number | null
  restarts: number
  mountedAt: number | null
  stateSince: number
  lastError: ErrorInfo | null
  /** When `lastError` happened (ms since the epoch). */
  lastErrorAt?: number | null
  /** The saved settings differ from those the running mount was started with: they apply at its next mount. */
  settingsPending?: boolean
  /** Files closed but not yet on the remote, and uploads under way. */
  pendingUploads: number
  uploadsInProgress: number
  /** The files waiting or uploading, relative to the mount folder; only with rclone 1.68 or later (vfs/queue). */
  pendingFiles?: string[]
  /** From rclone's core/stats. */
  transfer: { bytes: number; speed: number; transferring: number; errors: number }
  /** Time of the last probe the remote answered. */
  lastProbeOk: number | null
  rcloneVersion: string | null
}

/**
 * A mount whose remote answers but whose uploads keep failing (UPLOAD_FAILING) is degraded too, but
 * "remote not answering" would be untrue, and its folder is safe to open.
 */
export function uploadsFailing(health: Pick<MountHealth, 'state' | 'reason' | 'lastError'>): boolean {
  return health.state === 'degraded' && health.lastError?.code === 'UPLOAD_FAILING' && health.lastError.message === health.reason
}

export const logLevels = ['debug', 'info', 'notice', 'error', 'critical'] as const
export type LogLevel = (typeof logLevels)[number]

/** One line of a mount's log, parsed from rclone's JSON log or its plain-text fatal lines. */
export interface LogLine {
  time: number
  level: LogLevel
  message: string
  /** The file or object the line is about, when rclone names one. */
  object?: string
}
