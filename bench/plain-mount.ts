/**
 * The baseline: `rclone mount` run by hand with exactly the command line and environment the engine gave one of
 * its own rclones, read back from /proc, with only the mount folder and state folder swapped. So the baseline
 * follows whatever the engine's launch recipe becomes, and compares like with like.
 */
import type { ChildProcess } from 'node:child_process'
import { mkdir, readFile } from 'node:fs/promises'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { exited, findMount, fuseUnmount, parseMountinfo, spawnTied, type MountEntry, type RemoteMount } from '../electron/engine/index.js'

/** A running baseline rclone. */
export interface PlainMount {
  child: ChildProcess
  pid: number
  localPath: string
  stateDir: string
  exit: Promise<number>
}

/** rclone's argv (argv[0] the binary) and environment as the engine started it, and the two folders they name. */
export interface LaunchRecipe {
  argv: string[]
  env: Record<string, string>
  localPath: string
  stateDir: string
}

const live = new Set<PlainMount>()

/** The mount table, read fresh (the engine's reader shares reads for 20 ms, which would blur the baseline's timing). */
export async function mountTable(): Promise<MountEntry[]> {
  return parseMountinfo(await readFile('/proc/self/mountinfo', 'utf8'))
}

/** The command line and environment of the mount's running rclone. */
export async function launchRecipe(mount: RemoteMount): Promise<LaunchRecipe> {
  const pid = mount.health().pid
  if (!pid) throw new Error(`${mount.localPath} has no running rclone to copy the launch recipe from`)
  const [cmdline, environ] = await Promise.all([readFile(`/proc/${pid}/cmdline`, 'utf8'), readFile(`/proc/${pid}/environ`, 'utf8')])
  const argv = cmdline.split('\0').filter(Boolean)
  const env: Record<string, string> = {}
  for (const entry of environ.split('\0').filter(Boolean)) {
    const eq = entry.indexOf('=')
    env[entry.slice(0, eq)] = entry.slice(eq + 1)
  }
  return { argv, env, localPath: mount.localPath, stateDir: mount.paths.stateDir }
}

/** Replaces a path in an argument where it stands as a whole path or a prefix of one (`/a/mnt-1` never hits `/a/mnt-10`). */
function swapPath(arg: string, from: string, to: string): string {
  const escaped = from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return arg.replace(new RegExp(`${escaped}(?=/|$)`, 'g'), to)
}

/** The recipe's argv as the shape of the command line, paths of the mount replaced, for comparing two recipes. */
export function recipeShape(recipe: LaunchRecipe): string {
  return recipe.argv.map((arg) => swapPath(swapPath(arg, recipe.stateDir, '<state>'), recipe.localPath, '<mnt>')).join(' ')
}

/**
 * Starts a plain rclone with a managed mount's recipe on `localPath`/`stateDir`; resolves once the kernel lists the
 * mount, with the time from spawn to then.
 */
export async function plainMount(recipe: LaunchRecipe, localPath: string, stateDir: string): Promise<{ mount: PlainMount; ms: number }> {
  const args = recipe.argv.slice(1).map((arg) => swapPath(swapPath(arg, recipe.stateDir, stateDir), recipe.localPath, localPath))
  await mkdir(stateDir, { recursive: true, mode: 0o700 })
  const cacheDirAt = args.indexOf('--cache-dir')
  if (cacheDirAt >= 0) await mkdir(args[cacheDirAt + 1]!, { recursive: true, mode: 0o700 })
  await mkdir(localPath, { recursive: true })
  const started = performance.now()
  const child = spawnTied(recipe.argv[0]!, args, { env: recipe.env, stdio: 'ignore', detached: true })
  const mount: PlainMount = { child, pid: child.pid ?? -1, localPath, stateDir, exit: exited(child) }
  live.add(mount)
  let code: number | null = null
  void mount.exit.then((c) => (code = c))
  for (;;) {
    if (findMount(await mountTable(), localPath)?.fsType === 'fuse.rclone') return { mount, ms: performance.now() - started }
    if (code !== null) throw new Error(`plain rclone mount exited with ${code}; see the log in ${stateDir}`)
    if (performance.now() - started > 30_000) throw new Error('plain rclone mount did not come up within 30 s')
    await sleep(5)
  }
}

/** fusermount -u, then SIGTERM and SIGKILL by pid if rclone does not exit, then a lazy unmount if anything is left. */
export async function stopPlain(mount: PlainMount): Promise<void> {
  const gone = (ms: number) => Promise.race([mount.exit.then(() => true), sleep(ms).then(() => false)])
  await fuseUnmount(mount.localPath, false)
  if (!(await gone(5000))) {
    mount.child.kill('SIGTERM')
    if (!(await gone(5000))) mount.child.kill('SIGKILL')
    await mount.exit
  }
  if (findMount(await mountTable(), mount.localPath)) await fuseUnmount(mount.localPath, true)
  live.delete(mount)
}

/** Stops every baseline still running; for cleanup. */
export async function stopAllPlain(): Promise<void> {
  await Promise.allSettled([...live].map(stopPlain))
}
