/** Files waiting in rclone's VFS cache: read from its metadata, so it works with or without a running rclone. */
import { readdir, readFile } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'

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

/** Each cache metadata file that says `"Dirty": true` (written, not yet uploaded), with the size it records. */
async function* dirtyItems(metaRoot: string): AsyncGenerator<{ file: string; size: number }> {
  for await (const file of walk(metaRoot)) {
    try {
      const meta = JSON.parse(await readFile(file, 'utf8')) as { Dirty?: boolean; Size?: number }
      if (meta.Dirty) yield { file, size: meta.Size ?? 0 }
    } catch {
      // A metadata file being rewritten right now: the next look sees it whole.
    }
  }
}

/**
 * Paths of the files written and not yet uploaded, relative to the mount root. rclone keeps their
 * metadata under `vfsMeta/<fs name>/<remote path>/`; `pathMeta` (from vfs/stats) names that folder
 * exactly, and without a running rclone it is worked out from the layout.
 */
export async function listDirtyFiles(cacheDir: string, pathMeta: string | null, remotePath: string): Promise<string[]> {
  const metaRoot = join(cacheDir, 'vfsMeta')
  const dirty: string[] = []
  for await (const { file } of dirtyItems(metaRoot))
    dirty.push(pathMeta ? relative(pathMeta, file) : fromLayout(relative(metaRoot, file), remotePath))
  return dirty.sort()
}

/** How many files wait in the cache to upload, and how many bytes they hold. */
export async function pendingUploadTotals(cacheDir: string): Promise<{ files: number; bytes: number }> {
  const totals = { files: 0, bytes: 0 }
  for await (const { size } of dirtyItems(join(cacheDir, 'vfsMeta'))) {
    totals.files += 1
    totals.bytes += size
  }
  return totals
}

/** `rmount{hash}/bucket/dir/a.txt` with remote path `bucket` → `dir/a.txt`. */
function fromLayout(path: string, remotePath: string): string {
  const [, ...rest] = path.split(sep)
  const root = remotePath.split('/').filter(Boolean)
  const underRoot = root.every((segment, i) => rest[i] === segment)
  return (underRoot ? rest.slice(root.length) : rest).join('/')
}
