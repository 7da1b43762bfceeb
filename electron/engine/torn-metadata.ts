/**
 * Cache files whose metadata rclone was writing when it was killed. rclone rewrites an item's metadata
 * JSON in place (create and truncate, then encode, vfs/vfscache/item.go `_save`), and saves it again when
 * the kernel sends RELEASE, which comes just after the writer's close() returns. A SIGKILL between the
 * truncate and the encode leaves the file empty; at its next start rclone reads it as corrupt and deletes
 * the data file with it ("removed cache file as failed to load metadata"), so a file closed a moment before
 * the kill was lost. Before rclone starts, such data files are moved aside; once it runs, each one is
 * uploaded where the remote has no file of that name, or dropped where the remote holds the same bytes.
 * One that differs from the remote's is kept aside and reported, never written over it: it may be a new
 * write or a half-finished download, and the metadata that told the two apart is gone.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, readFile, rename, rm } from 'node:fs/promises'
import { dirname, join, sep } from 'node:path'
import { files } from './cache-carry-over.js'
import type { RcClient } from './rc-client.js'

/** True when rclone would reject this metadata file as corrupt (empty or cut short). */
export function isTornMetadata(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text)
    return typeof parsed !== 'object' || parsed === null
  } catch {
    return true
  }
}

/**
 * Moves every data file whose metadata is torn from `<cacheDir>/vfs/…` to the same path under `heldDir`, and
 * removes the torn metadata. rclone must not be running on this cache. Returns the paths moved (relative to
 * `vfs/`, so starting with the options folder `rmount{hash}`).
 */
export async function holdTornItems(cacheDir: string, heldDir: string): Promise<string[]> {
  const metaRoot = join(cacheDir, 'vfsMeta')
  const held: string[] = []
  for await (const path of files(metaRoot)) {
    const meta = join(metaRoot, path)
    const text = await readFile(meta, 'utf8').catch(() => null)
    if (text === null || !isTornMetadata(text)) continue
    const to = join(heldDir, path)
    await mkdir(dirname(to), { recursive: true, mode: 0o700 })
    const moved = await rename(join(cacheDir, 'vfs', path), to).then(
      () => true,
      () => false,
    )
    await rm(meta, { force: true })
    if (moved) held.push(path)
  }
  return held
}

async function md5Of(path: string): Promise<string> {
  const hash = createHash('md5')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

interface StatItem {
  Size: number
  Hashes?: { md5?: string }
}

/** What became of one held file. */
export interface SettledFile {
  path: string
  outcome: 'uploaded' | 'same-on-remote' | 'kept-differs' | 'kept-error'
  error?: string
}

/**
 * Settles the held files of the running rclone: `cacheRoot` is `<options folder>/<remote root>` (from the
 * `pathMeta` of its vfs/stats) and `remoteFs` the fs string it mounts. Files of other options folders stay
 * held for the rclone that uses them.
 */
export async function settleHeldFiles(
  rc: RcClient,
  heldDir: string,
  cacheRoot: string,
  remoteFs: string,
  timeoutMs: number,
): Promise<SettledFile[]> {
  const root = join(heldDir, cacheRoot)
  const settled: SettledFile[] = []
  for await (const path of files(root)) {
    if (path.startsWith(`..${sep}`)) continue
    const local = join(root, path)
    const remote = path.split(sep).join('/')
    try {
      const { item } = await rc.call<{ item: StatItem | null }>(
        'operations/stat',
        { fs: remoteFs, remote, opt: { showHash: true, hashTypes: ['md5'] } },
        timeoutMs,
      )
      if (!item) {
        await rc.call('operations/copyfile', { srcFs: root, srcRemote: remote, dstFs: remoteFs, dstRemote: remote }, timeoutMs)
        await rm(local, { force: true })
        settled.push({ path: remote, outcome: 'uploaded' })
      } else if (item.Hashes?.md5 && item.Hashes.md5 === (await md5Of(local))) {
        await rm(local, { force: true })
        settled.push({ path: remote, outcome: 'same-on-remote' })
      } else settled.push({ path: remote, outcome: 'kept-differs' })
    } catch (error) {
      settled.push({ path: remote, outcome: 'kept-error', error: error instanceof Error ? error.message : String(error) })
    }
  }
  return settled
}
