/**
 * How changes made on the remote by other clients reach the mount. Neither S3 nor SFTP can tell
 * rclone about changes (no ChangeNotify in rclone; `--poll-interval` only logs "not supported by this
 * remote"), so rclone sees a change only when it lists the folder again, and it trusts a cached
 * listing for `--dir-cache-time` (5 minutes by default). That time is the mount's "look for changes
 * every N s". It costs nothing while nobody looks: a listing is redone only when a folder is read
 * after it expired. The kernel adds at most `--attr-timeout` (1 s) for names it looked up already.
 */

/** The rclone flags for a mount that looks for remote changes every `seconds`. */
export function changeCheckArgs(seconds: number): string[] {
  return ['--dir-cache-time', `${seconds}s`]
}

/**
 * The rc call that makes every change on the remote visible at once: rclone forgets all cached
 * listings and lists each folder again when it is next read. Cheaper than `vfs/refresh`, which
 * lists now (and, recursively, every folder of the tree).
 */
export const refreshCall = { method: 'vfs/forget', params: {} } as const
