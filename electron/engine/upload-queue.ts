/** What a running rclone has left to upload, read the best way its version allows. */
import type { RcClient, VfsQueue, VfsStats } from './rc-client.js'
import { atLeast, features, type RcloneInfo } from './rclone-binary.js'

export interface UploadQueue {
  /** Files closed and waiting for their turn. */
  queued: number
  inProgress: number
  /** Each waiting or uploading file, relative to the mount root; `null` when rclone cannot list them (before 1.68). */
  files: string[] | null
  /** rclone's folder of cache metadata for this mount, when the answer came from vfs/stats. */
  pathMeta: string | null
  /** rclone's own word that the cache disk is full, when the answer came from vfs/stats (vfs/queue does not say). */
  outOfSpace?: boolean
}

/**
 * From 1.68, `vfs/queue`: it names each file, and it only takes the upload queue's lock, so it still
 * answers while a hung remote holds a folder's lock (vfs/stats walks the folder tree and then blocks).
 * Before 1.68, the counts of `vfs/stats`.
 */
export async function readUploadQueue(rc: RcClient, rclone: Pick<RcloneInfo, 'semver'>, timeoutMs: number): Promise<UploadQueue> {
  if (atLeast(rclone.semver, features.vfsQueue)) {
    const { queue } = await rc.call<VfsQueue>('vfs/queue', {}, timeoutMs)
    const inProgress = queue.filter((item) => item.uploading).length
    return { queued: queue.length - inProgress, inProgress, files: queue.map((item) => item.name).sort(), pathMeta: null }
  }
  const { diskCache } = await rc.call<VfsStats>('vfs/stats', {}, timeoutMs)
  if (!diskCache) return { queued: 0, inProgress: 0, files: null, pathMeta: null }
  return {
    queued: diskCache.uploadsQueued,
    inProgress: diskCache.uploadsInProgress,
    files: null,
    pathMeta: diskCache.pathMeta,
    outOfSpace: diskCache.outOfSpace,
  }
}
