/**
 * Share links: a pre-signed URL for one file through `rclone link --expire`, which anyone holding it can
 * fetch without credentials until it expires. S3 signs such URLs; SFTP has nothing like it.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path'
import { normalizeFolderPath, type RemoteInput } from '../../shared/config.js'
import { RmountError } from '../../shared/errors.js'
import { runRcloneCommand } from './preflight.js'
import { fsString } from './rclone-config.js'
import { withBackend } from './test-connection.js'

// S3 (signature v4) refuses a pre-signed URL that lives longer than seven days.
const maxExpirySeconds = 7 * 24 * 3600
const unitSeconds: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }

/** An expiry like `90m`, `1h`, `1d` or `7d` in seconds; INVALID_CONFIG saying what to give otherwise. */
export function expirySeconds(expire: string): number {
  const match = /^(\d{1,6})([smhdw])$/.exec(expire.trim())
  const seconds = match ? Number(match[1]) * unitSeconds[match[2]!]! : NaN
  if (!(seconds > 0) || seconds > maxExpirySeconds)
    throw new RmountError('INVALID_CONFIG', `--expire takes a time from 1s to 7d, like 1h, 1d or 7d (not ${JSON.stringify(expire)}).`)
  return seconds
}

/**
 * A pre-signed URL for the file at `remotePath` (`bucket/key` for S3), valid for `expire`. Secrets reach
 * rclone only through its environment, as for Test connection. SFTP: LINK_UNSUPPORTED.
 */
export async function shareLink(
  remote: RemoteInput,
  remotePath: string,
  options: { expire: string; rclonePath?: string; timeoutMs?: number },
): Promise<string> {
  const seconds = expirySeconds(options.expire)
  if (remote.type !== 's3')
    throw new RmountError(
      'LINK_UNSUPPORTED',
      'Share links are not available for SFTP remotes: the server has no signed links. Share the file another way, or keep it on an S3 remote.',
    )
  if (!remotePath.split('/').filter(Boolean)[1])
    throw new RmountError(
      'INVALID_CONFIG',
      `${remotePath || 'The path'} is not a file in a bucket: choose a file, like my-bucket/report.pdf.`,
    )
  return withBackend(remote, options.rclonePath, async (rclone, parsed, backend, redact) => {
    const { stdout } = await runRcloneCommand(
      rclone,
      parsed,
      remotePath,
      ['link', '--expire', `${seconds}s`],
      fsString(remotePath),
      backend,
      redact,
      options.timeoutMs ?? 20_000,
    ).catch((error: unknown) => {
      // rclone says "object not found" for a missing key, which its general classifier does not know.
      if (error instanceof RmountError && error.logTail.some((line) => /object not found/i.test(line)))
        throw new RmountError('REMOTE_NOT_FOUND', `There is no file ${remotePath} on the remote: choose a file that has been uploaded.`, {
          logTail: error.logTail,
        })
      throw error
    })
    const url = stdout.trim().split('\n').at(-1) ?? ''
    if (!/^https?:\/\//.test(url))
      throw new RmountError('RCLONE_EXITED', 'rclone gave no link for this file: try again, or check the file exists.')
    return url
  })
}

/**
 * Which mount and remote path a local file inside a mount's folder is: the mount whose folder holds it
 * (the deepest, when folders nest). INVALID_CONFIG when no mount's folder holds it.
 */
export function linkTarget<M extends { localPath: string; remotePath: string }>(
  mounts: readonly M[],
  localFile: string,
): { mount: M; remotePath: string } {
  const file = normalizeFolderPath(resolve(localFile))
  let best: { mount: M; inside: string } | null = null
  for (const mount of mounts) {
    const inside = relative(normalizeFolderPath(mount.localPath), file)
    if (!inside || inside.startsWith('..') || isAbsolute(inside)) continue
    if (!best || inside.length < best.inside.length) best = { mount, inside }
  }
  if (!best)
    throw new RmountError('INVALID_CONFIG', `${file} is not inside the folder of any mount in the config: give a file in a mounted folder.`)
  const remotePath = [best.mount.remotePath.replace(/\/+$/, ''), best.inside.split(sep).join('/')].filter(Boolean).join('/')
  return { mount: best.mount, remotePath }
}
