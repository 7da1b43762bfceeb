/**
 * A mount's state folder holds its cache, its log and its pinned host key, and RMount writes there
 * freely (a known_hosts file among others). So it must be a folder RMount owns: a state folder
 * naming someone else's folder (`~/.ssh`, a home folder) would have RMount overwrite their files.
 */
import { lstat, mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { RmountError } from '../../shared/errors.js'

/** The file that marks a folder as an RMount state folder. */
export const stateMarker = '.rmount-state'

async function isDirectory(path: string): Promise<boolean> {
  return lstat(path).then(
    (s) => s.isDirectory(),
    () => false,
  )
}

/**
 * Creates the state folder, or takes an existing one when it is RMount's: marked, empty, or laid out
 * as RMount's before the marker existed (a cache folder beside rclone.log). Anything else is refused
 * with INVALID_CONFIG before a byte is written there.
 */
export async function claimStateFolder(dir: string): Promise<void> {
  let entries: string[]
  try {
    entries = await readdir(dir)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'ENOENT')
      throw new RmountError(
        'INVALID_CONFIG',
        `The state folder ${dir} cannot be used (${code}): give a new folder as stateDir, or leave it out.`,
      )
    entries = []
  }
  const owned =
    entries.length === 0 || entries.includes(stateMarker) || (entries.includes('rclone.log') && (await isDirectory(join(dir, 'cache'))))
  if (!owned)
    throw new RmountError(
      'INVALID_CONFIG',
      `The state folder ${dir} already holds files RMount did not make, which it could overwrite: give a new or empty folder as stateDir, or leave it out.`,
    )
  await mkdir(dir, { recursive: true, mode: 0o700 })
  if (!entries.includes(stateMarker))
    await writeFile(join(dir, stateMarker), 'This folder holds the cache, log and host key of one RMount mount.\n', { mode: 0o600 })
}
