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

/**
 * Paths of the files whose cache metadata says `"Dirty": true` (written, not yet uploaded), relative
 * to the mount root. rclone keeps them under `vfsMeta/<fs name>/<remote path>/`; `pathMeta` (from
 * vfs/stats) names that folder exactly, and without a running rclone it is worked out from the layout.
 */
export async function listDirtyFiles(cacheDir: string, pathMeta: string | null, remotePath: string): Promise<string[]> {
  const metaRoot = join(cacheDir, 'vfsMeta')
  const dirty: string[] = []
  for await (const file of walk(metaRoot)) {
    try {
      const meta = JSON.parse(await readFile(file, 'utf8')) as { Dirty?: boolean }
      if (meta.Dirty) dirty.push(pathMeta ? relative(pathMeta, file) : fromLayout(relative(metaRoot, file), remotePath))
    } catch {
      // A metadata file being rewritten right now: the next look sees it whole.
    }
  }
  return dirty.sort()
}

/** `rmount{hash}/bucket/dir/a.txt` with remote path `bucket` → `dir/a.txt`. */
function fromLayout(path: string, remotePath: string): string {
  const [, ...rest] = path.split(sep)
  const root = remotePath.split('/').filter(Boolean)
  const underRoot = root.every((segment, i) => rest[i] === segment)
  return (underRoot ? rest.slice(root.length) : rest).join('/')
}
