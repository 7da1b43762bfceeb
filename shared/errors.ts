/** Error codes shared by the engine, the CLI and the UI: stable strings a program can branch on. */
export const errorCodes = [
  'RCLONE_NOT_FOUND',
  'RCLONE_TOO_OLD',
  'FUSE_UNAVAILABLE',
  'INVALID_CONFIG',
  'MOUNTPOINT_INVALID',
  'MOUNTPOINT_NOT_EMPTY',
  'MOUNTPOINT_BUSY',
  'AUTH_FAILED',
  'HOST_KEY_MISMATCH',
  'HOST_KEY_UNKNOWN',
  'REMOTE_UNREACHABLE',
  'REMOTE_NOT_FOUND',
  'MOUNT_TIMEOUT',
  'PENDING_UPLOADS',
  'RESTART_LIMIT',
  'RCLONE_EXITED',
  'SERVER_FAILED',
] as const
export type ErrorCode = (typeof errorCodes)[number]

/** Codes that retrying will not fix: the mount stops and says why instead of looping. */
export const permanentErrorCodes: ReadonlySet<ErrorCode> = new Set([
  'RCLONE_NOT_FOUND',
  'RCLONE_TOO_OLD',
  'FUSE_UNAVAILABLE',
  'INVALID_CONFIG',
  'MOUNTPOINT_INVALID',
  'MOUNTPOINT_NOT_EMPTY',
  'MOUNTPOINT_BUSY',
  'AUTH_FAILED',
  'HOST_KEY_MISMATCH',
  'HOST_KEY_UNKNOWN',
  'REMOTE_NOT_FOUND',
  'RESTART_LIMIT',
])

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
