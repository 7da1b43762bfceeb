/** `rclone serve sftp` with password auth: the SFTP server for tests that need a password login. */
import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { startManaged, tempDir, type ServerSpec, type TestServer } from './managed.js'
import { sshBanner } from './probes.js'
import { generateKey, knownHostsLine } from './ssh-keys.js'

/** A running password-only SFTP server. */
export interface SftpPasswordServer extends TestServer {
  user: string
  /** Plain text; rclone clients need it obscured (`rclone obscure -`). */
  password: string
  /** The served folder, empty at start. */
  rootDir: string
  /** `SHA256:...` of the fixed host key. */
  hostKeyFingerprint: string
  /** One line: `[HOST]:PORT ssh-ed25519 ...`. */
  knownHostsFile: string
  /**
   * Comes back from a restart with a new host key (as a reinstalled or impersonated server would); knownHostsFile and
   * hostKeyFingerprint keep the old one. Resolves once it serves again.
   */
  restartWithNewHostKey(): Promise<void>
}

/**
 * `rclone serve sftp` on 127.0.0.1 (or inside `netns`) with password auth only, serving rootDir; the host key is fixed,
 * so restarts keep it. At `logLevel` DEBUG the log records every password login attempt ("Password login attempt for").
 */
export async function startSftpPasswordServer(
  opts: { user?: string; password?: string; netns?: ServerSpec['netns']; logLevel?: 'INFO' | 'DEBUG' } = {},
): Promise<SftpPasswordServer> {
  const user = opts.user ?? 'rmount'
  const password = opts.password ?? randomBytes(12).toString('hex')
  const dir = await tempDir('rmount-rclone-sftp-')
  const rootDir = join(dir, 'root')
  const cacheDir = join(dir, 'cache')
  const knownHostsFile = join(dir, 'known_hosts')
  const [firstKey] = await Promise.all([
    generateKey(join(dir, 'ssh_host_ed25519_key'), 'rmount-test-host'),
    mkdir(rootDir),
    mkdir(cacheDir),
  ])
  let hostKey = firstKey
  const host = opts.netns?.address ?? '127.0.0.1'

  // The caller's RCLONE_* variables (a config password, flags) would change how the server behaves, so none are passed on.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('RCLONE_')))
  const server = await startManaged({
    name: 'rclone serve sftp',
    logFile: join(dir, 'rclone-serve.log'),
    async launch(port) {
      if (hostKey === firstKey) await writeFile(knownHostsFile, knownHostsLine(host, port, hostKey.publicKey))
      return {
        command: 'rclone',
        // An empty --authorized-keys turns key logins off; the default would load ~/.ssh/authorized_keys and a missing file is fatal.
        args: [
          ...['serve', 'sftp', rootDir, '--addr', `${host}:${port}`, '--key', hostKey.privateKeyFile, '--authorized-keys', ''],
          ...['--config', '/dev/null', '--cache-dir', cacheDir, '--log-level', opts.logLevel ?? 'INFO'],
        ],
        // Through the environment, so the password stays out of /proc/<pid>/cmdline.
        env: { ...env, RCLONE_USER: user, RCLONE_PASS: password },
      }
    },
    probe: async (port, probeHost) => (await sshBanner(port, 1_000, probeHost)) !== null,
    netns: opts.netns,
  })
  const restartWithNewHostKey = async () => {
    hostKey = await generateKey(join(dir, `ssh_host_ed25519_key.${randomBytes(4).toString('hex')}`), 'rmount-test-other-host')
    await server.restart()
  }
  return { ...server, user, password, rootDir, hostKeyFingerprint: firstKey.fingerprint, knownHostsFile, restartWithNewHostKey }
}
