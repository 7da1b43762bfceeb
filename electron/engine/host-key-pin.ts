/**
 * Pinning an SSH server: by the fingerprint a person was given, or on first use. The key is fetched with
 * ssh-keyscan, compared, and written to a private known_hosts file for rclone (which can only pin by file
 * and, given one, checks the server's key before it sends a password).
 */
import { execFile } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
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

/** Reads the host keys `host` presents on `port` with ssh-keyscan (which runs the key exchange: no password is ever sent). */
export async function scanHostKeys(host: string, port: number, timeoutSeconds = 5): Promise<ReturnType<typeof parseKeyscan>> {
  const bare = host.replace(/^\[|\]$/g, '')
  const output = await new Promise<string>((resolve, reject) => {
    execFile(
      'ssh-keyscan',
      ['-T', String(timeoutSeconds), '-p', String(port), bare],
      { timeout: (timeoutSeconds + 2) * 1000 },
      (error, stdout) => {
        if (error && !stdout) {
          const missing = (error as NodeJS.ErrnoException).code === 'ENOENT'
          reject(
            new RmountError(
              missing ? 'INVALID_CONFIG' : 'REMOTE_UNREACHABLE',
              missing
                ? 'Checking SSH host keys needs ssh-keyscan: install the OpenSSH client (Debian/Ubuntu: sudo apt install openssh-client), or pin with a known_hosts file.'
                : `Could not read the host key of ${bare} on port ${port}: check the host name and port, and that the SSH server runs.`,
            ),
          )
        } else resolve(stdout)
      },
    )
  })
  const keys = parseKeyscan(output)
  if (keys.length === 0)
    throw new RmountError('REMOTE_UNREACHABLE', `${bare} on port ${port} sent no SSH host key: check that an SSH server listens there.`)
  return keys
}

/** Writes a private known_hosts file for rclone holding `keys` of the remote's host. */
async function writeKnownHosts(file: string, remote: Pick<SftpRemote, 'host' | 'port'>, keys: Array<{ type: string; key: string }>) {
  const name = knownHostsName(remote.host, remote.port)
  await writeFile(file, keys.map((k) => `${name} ${k.type} ${k.key}\n`).join(''), { mode: 0o600 })
}

/**
 * Pins the remote's host key to `remote.hostKeyFingerprint`: the key is fetched, compared, and written to
 * `knownHostsFile` for rclone, which checks it before authenticating. A mismatch is HOST_KEY_MISMATCH.
 */
export async function pinHostKey(remote: SftpRemote, knownHostsFile: string, timeoutSeconds = 5): Promise<void> {
  const host = remote.host.replace(/^\[|\]$/g, '')
  const keys = await scanHostKeys(remote.host, remote.port, timeoutSeconds)
  const match = keys.find((k) => k.fingerprint === remote.hostKeyFingerprint)
  if (!match) {
    throw new RmountError(
      'HOST_KEY_MISMATCH',
      `The host key of ${host} (${keys.map((k) => k.fingerprint).join(', ')}) does not match the pinned ${remote.hostKeyFingerprint}. If the server was reinstalled, pin its new key; otherwise someone may be intercepting the connection.`,
    )
  }
  await writeKnownHosts(knownHostsFile, remote, [match])
}

/** Where pins are kept for hosts whose remote names no fingerprint (the CLI's state folder; the desktop's store). */
export interface HostKeyPins {
  /** The fingerprint pinned for `name` (`knownHostsName`), if any. */
  get(name: string): Promise<string | undefined>
  /** Records the fingerprint seen at the first successful connection to `name`. */
  set(name: string, fingerprint: string): Promise<void>
  /** Refuse a host with no pin (HOST_KEY_UNKNOWN) instead of trusting it on first use. */
  readonly requirePin?: boolean
}

/** The key types in the order RMount pins them when a server offers several. */
const keyPreference = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
]

/** The key a first use pins among those a server offers: the strongest type it has. */
export function preferredKey<K extends { type: string }>(keys: readonly K[]): K | undefined {
  const rank = (k: K) => (keyPreference.indexOf(k.type) + keyPreference.length + 1) % (keyPreference.length + 1)
  return [...keys].sort((a, b) => rank(a) - rank(b))[0]
}

/**
 * Makes `knownHostsFile` hold what rclone must accept for an SFTP remote, and says which fingerprint that is:
 * the remote's own pin, else the one in `pins`, else (first use, unless `pins.requirePin`) the keys the server
 * shows now, whose preferred fingerprint the caller records in `pins` once the connection succeeded.
 */
export async function prepareHostKey(
  remote: SftpRemote,
  knownHostsFile: string,
  pins?: HostKeyPins,
): Promise<{ fingerprint: string; firstUse: boolean; name: string }> {
  const name = knownHostsName(remote.host, remote.port)
  const pinned = remote.hostKeyFingerprint ?? (await pins?.get(name))
  if (pinned) {
    await pinHostKey({ ...remote, hostKeyFingerprint: pinned }, knownHostsFile)
    return { fingerprint: pinned, firstUse: false, name }
  }
  if (pins?.requirePin)
    throw new RmountError(
      'HOST_KEY_UNKNOWN',
      `${name} has no pinned host key, and pins are required: add its hostKeyFingerprint (ssh-keygen -lf on the server prints it) to the remote, or run without --require-pin once to pin it.`,
    )
  const keys = await scanHostKeys(remote.host, remote.port)
  // Every key the server showed, so the connection works whichever type rclone negotiates; one is recorded.
  await writeKnownHosts(knownHostsFile, remote, keys)
  return { fingerprint: preferredKey(keys)!.fingerprint, firstUse: true, name }
}

/** Pins kept in a JSON file (`{ "[host]:port": "SHA256:..." }`, mode 0600): `rmount up`'s, in its state folder. */
export function fileHostKeyPins(file: string, options: { requirePin?: boolean } = {}): HostKeyPins {
  const read = async (): Promise<Record<string, string>> => {
    try {
      const parsed: unknown = JSON.parse(await readFile(file, 'utf8'))
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, string>) : {}
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
      throw new RmountError(
        'INVALID_CONFIG',
        `The host key pins in ${file} cannot be read: fix or delete that file (hosts are then pinned again).`,
      )
    }
  }
  return {
    requirePin: options.requirePin,
    get: async (name) => {
      const value = (await read())[name]
      return typeof value === 'string' ? value : undefined
    },
    async set(name, fingerprint) {
      const pins = { ...(await read()), [name]: fingerprint }
      await mkdir(dirname(file), { recursive: true, mode: 0o700 })
      await writeFile(file, JSON.stringify(pins, null, 2) + '\n', { mode: 0o600 })
    },
  }
}
