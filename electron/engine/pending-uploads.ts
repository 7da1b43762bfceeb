/** Files waiting in rclone's VFS cache: read from its metadata, so it works with or without a running rclone. */
import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'

async function* walk(dir: string): AsyncGenerator<string> {
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch {
    return
  }
  for (const entry of entries) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield* walk(path)
    else if (entry.isFile()) yield path
  }
}

/**
 * Paths of the files whose cache metadata says `"Dirty": true` (written, not yet uploaded), relative
 * to the mount root when `pathMeta` (from vfs/stats) is known, else to the cache's metadata folder.
 */
export async function listDirtyFiles(cacheDir: string, pathMeta: string | null): Promise<string[]> {
  const metaRoot = join(cacheDir, 'vfsMeta')
  const dirty: string[] = []
  for await (const file of walk(metaRoot)) {
    try {
      const meta = JSON.parse(await readFile(file, 'utf8')) as { Dirty?: boolean }
      if (meta.Dirty) dirty.push(relative(pathMeta ?? metaRoot, file))
    } catch {
      // A metadata file being rewritten right now: the next look sees it whole.
    }
  }
  return dirty.sort()
}
