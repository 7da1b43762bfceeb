/** FUSE on this machine: is it usable, and unmounting through fusermount. */
import { execFile } from 'node:child_process'
import { access, constants } from 'node:fs/promises'
import { delimiter, join } from 'node:path'

export interface UnmountOutcome {
  ok: boolean
  /** Files are still open on the mount (EBUSY). */
  busy: boolean
  message: string
}

let fusermountPath: Promise<string | null> | null = null

/** fusermount3 (fuse3) or fusermount (fuse2), from PATH and the usual places. */
export function findFusermount(): Promise<string | null> {
  fusermountPath ??= (async () => {
    const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/bin'].filter(Boolean)
    for (const name of ['fusermount3', 'fusermount'])
      for (const dir of dirs) {
        try {
          await access(join(dir, name), constants.X_OK)
          return join(dir, name)
        } catch {
          // try the next place
        }
      }
    return null
  })()
  return fusermountPath
}

export async function fuseDeviceAvailable(): Promise<boolean> {
  try {
    await access('/dev/fuse', constants.R_OK | constants.W_OK)
    return true
  } catch {
    return false
  }
}

/**
 * `fusermount -u` (or `-uz`, lazy: detaches even a hung or busy mount at once). A plain unmount
 * fails with EBUSY while a program holds a file open, which is what keeps its unsaved data safe.
 */
export async function fuseUnmount(mountPoint: string, lazy: boolean): Promise<UnmountOutcome> {
  const fusermount = await findFusermount()
  if (!fusermount) return { ok: false, busy: false, message: 'fusermount was not found: install fuse3.' }
  return new Promise((resolve) => {
    execFile(fusermount, [lazy ? '-uz' : '-u', mountPoint], { timeout: 10_000 }, (error, _stdout, stderr) => {
      if (!error) resolve({ ok: true, busy: false, message: '' })
      else resolve({ ok: false, busy: /busy/i.test(stderr), message: stderr.trim() || error.message })
    })
  })
}
