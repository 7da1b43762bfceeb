/**
 * Error codes shared by the engine, the CLI and the UI: stable strings a program can branch on.
 * `permanent` marks failures that retrying will not fix: the mount stops and says why instead of looping.
 */
const catalog = {
  RCLONE_NOT_FOUND: { permanent: true },
  RCLONE_TOO_OLD: { permanent: true },
  FUSE_UNAVAILABLE: { permanent: true },
  INVALID_CONFIG: { permanent: true },
  MOUNTPOINT_INVALID: { permanent: true },
  MOUNTPOINT_NOT_EMPTY: { permanent: true },
  MOUNTPOINT_BUSY: { permanent: true },
  AUTH_FAILED: { permanent: true },
  HOST_KEY_MISMATCH: { permanent: true },
  HOST_KEY_UNKNOWN: { permanent: true },
  /** The SFTP key file is missing or cannot be read: found before any connection is tried. */
  KEY_FILE_UNREADABLE: { permanent: true },
  REMOTE_UNREACHABLE: { permanent: false },
  REMOTE_NOT_FOUND: { permanent: true },
  MOUNT_TIMEOUT: { permanent: false },
  PENDING_UPLOADS: { permanent: false },
  /** The mount works but rclone's uploads keep failing (it retries them forever): the files wait in the cache. */
  UPLOAD_FAILING: { permanent: false },
  RESTART_LIMIT: { permanent: true },
  RCLONE_EXITED: { permanent: false },
  SERVER_FAILED: { permanent: false },
  /** A helper program (the folder probe, setpriv) could not be started at all: ENOENT, EACCES. */
  SPAWN_FAILED: { permanent: true },
  /** The disk holding a mount's cache is full: writes fail until space returns; the mount stays up. */
  CACHE_FULL: { permanent: false },
  /** Share links exist only where the storage signs URLs (S3); SFTP has none. */
  LINK_UNSUPPORTED: { permanent: true },
  /** A request came from a frame that is not RMount's own page: it is refused unread. */
  UNTRUSTED_SENDER: { permanent: true },
  /** The request names a mount or remote id that does not exist (deleted meanwhile, or a stale window). */
  NOT_FOUND: { permanent: true },
  /** The window's bridge to the main process failed (a closed channel, a crashed main process): not an answer from RMount. */
  BRIDGE_FAILED: { permanent: false },
  /** A bug in RMount, not something the user can fix: the details go to the log, not across IPC. */
  INTERNAL: { permanent: false },
} as const satisfies Record<string, { permanent: boolean }>

export type ErrorCode = keyof typeof catalog
export const errorCodes = Object.keys(catalog) as ErrorCode[]
export const permanentErrorCodes: ReadonlySet<ErrorCode> = new Set(errorCodes.filter((code) => catalog[code].permanent))

/** An error as it crosses process boundaries (IPC, JSON output). */
export interface ErrorInfo {
  code: ErrorCode
  message: string
  /** The last lines of rclone's log, secrets removed, when they help. */
  logTail?: string[]
}

/** Every failure of RMount: a stable `code` and a message that says what to do next. */
export class RmountError extends Error {
  readonly code: ErrorCode
  readonly logTail: string[]

  constructor(code: ErrorCode, message: string, options: { logTail?: string[]; cause?: unknown } = {}) {
    super(message, { cause: options.cause })
    this.name = 'RmountError'
    this.code = code
    this.logTail = options.logTail ?? []
  }

  toJSON(): ErrorInfo {
    return { code: this.code, message: this.message, ...(this.logTail.length ? { logTail: this.logTail } : {}) }
  }
}
