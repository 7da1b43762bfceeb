/**
 * Is a mount's cache disk full? Programs writing to the folder then get "No space left on device" while the remote
 * is fine, so the mount must say so (CACHE_FULL) instead of looking healthy. Two signs, either is enough: rclone's own
 * `vfs/stats` flag (set when a cache write failed for lack of space) and the free space of the cache's filesystem.
 */
import { statfs } from 'node:fs/promises'
import { RmountError } from '../../shared/errors.js'

/** Less free space than this on the cache's filesystem counts as full: a write of any size may fail. */
export const cacheFullBelowBytes = 512 * 1024

/** Free bytes for an unprivileged writer on the filesystem holding `dir`; null when it cannot be read. */
export async function freeBytes(dir: string): Promise<number | null> {
  try {
    const stats = await statfs(dir)
    return stats.bavail * stats.bsize
  } catch {
    return null
  }
}

/** True when either sign says the cache disk is full. */
export function isCacheFull(free: number | null, outOfSpace: boolean | undefined): boolean {
  return outOfSpace === true || (free !== null && free < cacheFullBelowBytes)
}

/** The CACHE_FULL error of one mount, with what to do. */
export function cacheFullError(localPath: string, cacheDir: string): RmountError {
  return new RmountError(
    'CACHE_FULL',
    `The disk holding the cache of ${localPath} (${cacheDir}) is full, so programs writing to the folder get "No space left on device". Free space on that disk; files already saved stay in the cache and upload as usual, and the mount recovers by itself.`,
  )
}
