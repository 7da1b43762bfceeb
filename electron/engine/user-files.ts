/** Files RMount writes among the person's own: where they live (XDG) and how they are replaced whole. */
import { randomBytes } from 'node:crypto'
import { chmod, open, rename, rm } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join } from 'node:path'

/** `$XDG_CONFIG_HOME` when it is an absolute path (the spec ignores a relative one), else `~/.config`. */
export function configHome(env: NodeJS.ProcessEnv, homeDir: string): string {
  const fromEnv = env.XDG_CONFIG_HOME
  return fromEnv && isAbsolute(fromEnv) ? fromEnv : join(homeDir, '.config')
}

/** Writes `data` to `path` through a temporary file and a rename, so a reader sees the old file or the new, whole. */
export async function writeAtomically(path: string, data: Buffer | string, mode: number): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  const handle = await open(temp, 'wx', mode)
  try {
    await handle.writeFile(data)
    await handle.sync()
  } catch (error) {
    await handle.close()
    await rm(temp, { force: true })
    throw error
  }
  await handle.close()
  // open's mode passes through the umask; the old file's mode is kept exactly.
  await chmod(temp, mode)
  await rename(temp, path)
}
