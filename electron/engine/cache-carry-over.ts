/**
 * Files left waiting for upload under older options. rclone names a cache folder after the remote
 * and a hash of its options (`vfs/rmount{hash}/…`, `vfsMeta/rmount{hash}/…`): a new key or any other
 * option change gives a new folder, and the files still dirty in the old one would never upload.
 * Before such a mount goes into service they are moved under the current name, where rclone queues
 * them at its next start, and so upload with the new credentials.
 */
import { lstat, mkdir, readdir, readFile, rename, stat } from 'node:fs/promises'
import { dirname, join, relative, sep } from 'node:path'
import { remoteName } from './rclone-config.js'

/** A dirty file in another options folder: the folder's name and the file's path inside it. */
export interface StrandedUpload {
  fsName: string
  path: string
}

/** The options folder (`rmount{hash}`) a running rclone uses, from the `pathMeta` of its vfs/stats. */
export function cacheFsName(cacheDir: string, pathMeta: string): string | null {
  const inside = relative(join(cacheDir, 'vfsMeta'), pathMeta)
  if (!inside || inside.startsWith('..')) return null
  return inside.split(sep)[0]!
}

/** Every file below `dir`, as a path relative to `base`; a folder that cannot be read counts as empty. */
export async function* files(dir: string, base = dir): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  for (const entry of entries) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield* files(path, base)
    else if (entry.isFile()) yield relative(base, path)
  }
}

async function isDirty(metaFile: string): Promise<boolean> {
  try {
    return (JSON.parse(await readFile(metaFile, 'utf8')) as { Dirty?: boolean }).Dirty === true
  } catch {
    return false
  }
}

/** Dirty files of this remote in options folders other than `current`, oldest layout first. */
export async function findStrandedUploads(cacheDir: string, current: string): Promise<StrandedUpload[]> {
  const metaRoot = join(cacheDir, 'vfsMeta')
  const folders = await readdir(metaRoot, { withFileTypes: true }).catch(() => [])
  const stranded: StrandedUpload[] = []
  for (const folder of folders) {
    // Only this remote's folders: `rmount` or `rmount{hash}`.
    if (!folder.isDirectory() || folder.name === current || !new RegExp(`^${remoteName}(\\{[^}]*\\})?$`).test(folder.name)) continue
    for await (const path of files(join(metaRoot, folder.name)))
      if (await isDirty(join(metaRoot, folder.name, path))) stranded.push({ fsName: folder.name, path })
  }
  return stranded
}

async function mtimeOf(path: string): Promise<number> {
  return stat(path).then(
    (s) => s.mtimeMs,
    () => -1,
  )
}

/**
 * Moves each stranded file, data and metadata, under the `current` options folder; rclone must not
 * run on this cache meanwhile. Where the current folder holds the same file still dirty, the newer
 * write stays and the older one is left where it was. Returns the paths moved.
 */
export async function carryOverUploads(cacheDir: string, current: string, stranded: readonly StrandedUpload[]): Promise<string[]> {
  const moved: string[] = []
  for (const { fsName, path } of stranded) {
    const from = { data: join(cacheDir, 'vfs', fsName, path), meta: join(cacheDir, 'vfsMeta', fsName, path) }
    const to = { data: join(cacheDir, 'vfs', current, path), meta: join(cacheDir, 'vfsMeta', current, path) }
    // Without its data the metadata is of no use to rclone; leave both for a person to look at.
    if (
      !(await lstat(from.data).then(
        (s) => s.isFile(),
        () => false,
      ))
    )
      continue
    if ((await isDirty(to.meta)) && (await mtimeOf(to.data)) >= (await mtimeOf(from.data))) continue
    await mkdir(dirname(to.data), { recursive: true, mode: 0o700 })
    await mkdir(dirname(to.meta), { recursive: true, mode: 0o700 })
    await rename(from.data, to.data)
    await rename(from.meta, to.meta)
    moved.push(path)
  }
  return moved
}
