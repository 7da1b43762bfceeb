/**
 * Pinning an SSH server by the fingerprint a person was given: the key is fetched with ssh-keyscan,
 * compared, and written to a private known_hosts file for rclone (which can only pin by file).
 */
import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import type { SftpRemote } from '../../shared/config.js'
import { RmountError } from '../../shared/errors.js'
import { fingerprintOf } from './host-key.js'

/** The name known_hosts uses for a host: `[host]:port` unless the port is 22. */
export function knownHostsName(host: string, port: number): string {
  const bare = host.replace(/^\[|\]$/g, '')
  return port === 22 ? bare : `[${bare}]:${port}`
}

/** Keys in ssh-keyscan output (`host type base64`) with their fingerprints. */
export function parseKeyscan(output: string): Array<{ type: string; key: string; fingerprint: string }> {
  return output
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 3)
    .map(([, type, key]) => ({ type: type!, key: key!, fingerprint: fingerprintOf(Buffer.from(key!, 'base64')) }))
}

export async function pinHostKey(remote: SftpRemote, knownHostsFile: string, timeoutSeconds = 5): Promise<void> {
  const host = remote.host.replace(/^\[|\]$/g, '')
  const output = await new Promise<string>((resolve, reject) => {
    execFile(
      'ssh-keyscan',
      ['-T', String(timeoutSeconds), '-p', String(remote.port), host],
      { timeout: (timeoutSeconds + 2) * 1000 },
      (error, stdout) => {
        if (error && !stdout) {
          reject(
            new RmountError(
              (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'INVALID_CONFIG' : 'REMOTE_UNREACHABLE',
              (error as NodeJS.ErrnoException).code === 'ENOENT'
                ? 'Pinning a host key by fingerprint needs ssh-keyscan: install the OpenSSH client (Debian/Ubuntu: sudo apt install openssh-client), or pin with a known_hosts file.'
                : `Could not read the host key of ${host} on port ${remote.port}: check the host name and port, and that the SSH server runs.`,
            ),
          )
        } else resolve(stdout)
      },
    )
  })
  const keys = parseKeyscan(output)
  if (keys.length === 0)
    throw new RmountError(
      'REMOTE_UNREACHABLE',
      `${host} on port ${remote.port} sent no SSH host key: check that an SSH server listens there.`,
    )
  const match = keys.find((k) => k.fingerprint === remote.hostKeyFingerprint)
  if (!match) {
    throw new RmountError(
      'HOST_KEY_MISMATCH',
      `The host key of ${host} (${keys.map((k) => k.fingerprint).join(', ')}) does not match the pinned ${remote.hostKeyFingerprint}. If the server was reinstalled, pin its new key; otherwise someone may be intercepting the connection.`,
    )
  }
  await writeFile(knownHostsFile, `${knownHostsName(host, remote.port)} ${match.type} ${match.key}\n`, { mode: 0o600 })
}
