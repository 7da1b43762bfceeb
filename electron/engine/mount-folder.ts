/**
 * Getting the local folder ready for a mount: it must be a usable, empty directory, created when
 * missing; a stale FUSE mount left by a dead rclone is cleared first. Every touch of the folder goes
 * through the FsProbe child, since the folder may be a hung mount.
 */
import { homedir } from 'node:os'
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path'
import { RmountError } from '../../shared/errors.js'
import type { FsProbe } from './fs-probe.js'
import { fuseUnmount } from './fuse.js'
import { findMount, readMountTable } from './mountinfo.js'
import { pseudoFileSystemAt } from './pseudo-filesystems.js'

const timeoutMs = 5000

function probeFailed(localPath: string, what: string, code: string, message: string): RmountError {
  if (code === 'PROBE_FAILED')
    return new RmountError(
      'SPAWN_FAILED',
      `RMount could not start its folder helper while ${what} (${message}): check that setpriv on PATH (from util-linux) and ${process.execPath} can run.`,
    )
  if (code === 'TIMEOUT')
    return new RmountError(
      'MOUNTPOINT_BUSY',
      `${localPath} did not answer within ${timeoutMs / 1000} s while ${what}: a hung mount may sit there. Unmount it (fusermount -uz ${localPath}) and try again.`,
    )
  return new RmountError('MOUNTPOINT_INVALID', `${localPath} cannot be used (${what}: ${message}). Choose a folder you can write to.`)
}

/**
 * The folder as the kernel's mount table will show it: symlinked parents resolved (`/home` is
 * `/var/home` on Fedora Atomic), so the mount is recognised at once and two names of one folder are
 * one folder. A mount folder that is itself a symlink is refused: rclone would mount on its target,
 * somewhere the person did not name.
 */
export async function resolveMountFolder(localPath: string, probe: FsProbe): Promise<string> {
  if (!isAbsolute(localPath)) return localPath
  const answer = await probe.run({ op: 'realpath', path: localPath }, timeoutMs)
  if (!answer.ok) throw probeFailed(localPath, 'resolving its real path', answer.code, answer.message)
  if (answer.isSymlink)
    throw new RmountError('MOUNTPOINT_INVALID', `${localPath} is a symbolic link: mount on the folder it points to, or on a real folder.`)
  const home = await probe.run({ op: 'realpath', path: homedir() }, timeoutMs)
  // The desktop app's demo mounts inside its own data folder, the one place under a hidden folder it may.
  const demo = join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'rmount', 'demo')
  const inDemo = answer.path.startsWith(`${demo}/`)
  const unsafe = inDemo ? null : unsafeMountFolder(answer.path, home.ok ? home.path : homedir())
  if (unsafe) throw new RmountError('MOUNTPOINT_INVALID', unsafe)
  return answer.path
}

const systemFolders = ['/etc', '/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/boot', '/proc', '/sys', '/dev']

/**
 * Why a folder must not be mounted on, or null. Pure, over real paths. A mount puts the remote's
 * files in place of the folder's: over `~/.ssh` the remote's owner supplies authorized_keys, over
 * `~/.config/autostart` or /etc programs that run. So no home folder (or its parents), nothing
 * inside a hidden folder of home, and no system folder, whoever wrote the config.
 */
export function unsafeMountFolder(real: string, home: string): string | null {
  const fix = 'choose a folder of its own, like ~/remote or /mnt/remote.'
  if (real === '/') return `RMount does not mount on /: ${fix}`
  const toHome = relative(real, home)
  if (toHome === '') return `${real} is your home folder, which a mount would hide: ${fix}`
  if (!toHome.startsWith('..') && !isAbsolute(toHome)) return `${real} holds your home folder, which a mount would hide: ${fix}`
  const inHome = relative(home, real)
  if (!inHome.startsWith('..') && !isAbsolute(inHome) && inHome.startsWith('.'))
    return `${real} is inside ${join(home, inHome.split(sep)[0]!)}, where programs keep keys and settings (a mount could replace them): ${fix}`
  const system = systemFolders.find((folder) => real === folder || real.startsWith(`${folder}/`))
  if (system) return `${real} is a system folder (${system}): ${fix}`
  return null
}

export async function prepareMountFolder(localPath: string, allowNonEmpty: boolean, probe: FsProbe): Promise<{ clearedStale: boolean }> {
  if (!isAbsolute(localPath))
    throw new RmountError(
      'MOUNTPOINT_INVALID',
      `The mount folder must be a full path (like /home/me/bucket), not ${JSON.stringify(localPath)}.`,
    )
  let clearedStale = false
  const table = await readMountTable()
  const pseudo = pseudoFileSystemAt(table, localPath)
  if (pseudo)
    throw new RmountError(
      'MOUNTPOINT_INVALID',
      `${localPath} is inside ${pseudo.mountPoint}, which the kernel makes up (${pseudo.fsType}), so nothing can be mounted there: choose a folder in your home, like ~/RMount/${basename(localPath) || 'name'}.`,
    )
  const existing = findMount(table, localPath)
  if (existing) {
    const check = await probe.run({ op: 'stat', path: localPath }, timeoutMs)
    if (existing.fsType.startsWith('fuse') && !check.ok && check.code === 'ENOTCONN') {
      // A dead rclone left this behind ("Transport endpoint is not connected"): nothing can use it.
      const outcome = await fuseUnmount(localPath, true)
      if (!outcome.ok)
        throw new RmountError(
          'MOUNTPOINT_BUSY',
          `A stale mount at ${localPath} could not be cleared (${outcome.message}): run fusermount -uz ${localPath}.`,
        )
      clearedStale = true
    } else {
      throw new RmountError(
        'MOUNTPOINT_BUSY',
        `${localPath} is already a mount point (${existing.fsType} from ${existing.source}): unmount it first, or choose another folder.`,
      )
    }
  }
  const stat = await probe.run({ op: 'stat', path: localPath }, timeoutMs)
  if (!stat.ok && stat.code === 'ENOENT') {
    const made = await probe.run({ op: 'mkdir', path: localPath }, timeoutMs)
    if (!made.ok) throw probeFailed(localPath, `creating it under ${dirname(localPath)}`, made.code, made.message)
    return { clearedStale }
  }
  if (!stat.ok) throw probeFailed(localPath, 'checking it', stat.code, stat.message)
  if (!stat.isDirectory) throw new RmountError('MOUNTPOINT_INVALID', `${localPath} is a file, not a folder: choose a folder to mount on.`)
  const writable = await probe.run({ op: 'access', path: localPath }, timeoutMs)
  if (!writable.ok) throw probeFailed(localPath, 'checking write access', writable.code, writable.message)
  if (!allowNonEmpty) {
    const listing = await probe.run({ op: 'isEmpty', path: localPath }, timeoutMs)
    if (!listing.ok) throw probeFailed(localPath, 'listing it', listing.code, listing.message)
    if (!listing.empty) {
      throw new RmountError(
        'MOUNTPOINT_NOT_EMPTY',
        `${localPath} already holds files, which the mount would hide: choose an empty folder, or allow mounting over a non-empty folder.`,
      )
    }
  }
  return { clearedStale }
}
