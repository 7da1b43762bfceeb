/**
 * Where a mount's rclone serves its remote control. A unix socket inside the mount's private (0700)
 * folder when rclone checks credentials on sockets (1.69 on; 1.61 to 1.68 served sockets without
 * auth): no TCP port any local user can reach. Loopback TCP with auth otherwise. Either way the
 * credentials stay: the folder's mode is one guard, auth the second.
 */
import { join } from 'node:path'
import { atLeast, features, type RcloneInfo } from './rclone-binary.js'

/** A unix socket's path must fit `sun_path` (108 bytes on Linux, with its terminating NUL). */
const maxSocketPathBytes = 107

/** `socketPath` for a unix socket, `null` for loopback TCP (the port is read from rclone's log). */
export interface RcEndpoint {
  socketPath: string | null
  /** The value of `--rc-addr`. */
  addr: string
}

/** The endpoint a mount whose private files live in `stateDir` uses with `rclone`. */
export function rcEndpoint(rclone: Pick<RcloneInfo, 'semver'>, stateDir: string): RcEndpoint {
  const socketPath = join(stateDir, 'rc.sock')
  // A state folder too deep for a socket path keeps the old way rather than moving the socket out of it.
  if (atLeast(rclone.semver, features.rcUnixSocket) && Buffer.byteLength(socketPath) <= maxSocketPathBytes)
    return { socketPath, addr: `unix://${socketPath}` }
  return { socketPath: null, addr: '127.0.0.1:0' }
}
