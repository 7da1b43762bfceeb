/** The bucket and folder picker's listing: one level of a remote that need not be mounted. */
import type { RemoteInput } from '../../shared/config.js'
import { listFolders } from './preflight.js'
import { withBackend } from './test-connection.js'

/**
 * The folders one level below `remotePath` (the buckets, at the top of an S3 remote), names ending
 * in `/`. Bounded in time and count; rejects with the same RmountError codes as Test connection.
 */
export function listRemote(
  remote: RemoteInput,
  remotePath: string,
  options: { rclonePath?: string; timeoutMs?: number } = {},
): Promise<{ entries: string[]; truncated: boolean }> {
  return withBackend(remote, options.rclonePath, (rclone, parsed, backend, redact) =>
    listFolders(rclone, parsed, remotePath, backend, redact, options.timeoutMs ?? 15_000),
  )
}
