/** `rclone serve sftp` with password auth: the SFTP server for tests that need a password login. */
import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { startManaged, tempDir, type TestServer } from './managed.js'
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
  /** One line: `[127.0.0.1]:PORT ssh-ed25519 ...`. */
  knownHostsFile: string
}

/** `rclone serve sftp` on 127.0.0.1 with password auth only, serving rootDir; the host key is fixed, so restarts keep it. */
export async function startSftpPasswordServer(opts: { user?: string; password?: string } = {}): Promise<SftpPasswordServer> {
  const user = opts.user ?? 'rmount'
  const password = opts.password ?? randomBytes(12).toString('hex')
  const dir = await tempDir('rmount-rclone-sftp-')
  const rootDir = join(dir, 'root')
  const cacheDir = join(dir, 'cache')
  const knownHostsFile = join(dir, 'known_hosts')
  const [hostKey] = await Promise.all([generateKey(join(dir, 'ssh_host_ed25519_key'), 'rmount-test-host'), mkdir(rootDir), mkdir(cacheDir)])

  // The caller's RCLONE_* variables (a config password, flags) would change how the server behaves, so none are passed on.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('RCLONE_')))
  const server = await startManaged({
    name: 'rclone serve sftp',
    logFile: join(dir, 'rclone-serve.log'),
    async launch(port) {
      await writeFile(knownHostsFile, knownHostsLine('127.0.0.1', port, hostKey.publicKey))
      return {
        command: 'rclone',
        // An empty --authorized-keys turns key logins off; the default would load ~/.ssh/authorized_keys and a missing file is fatal.
        args: [
          ...['serve', 'sftp', rootDir, '--addr', `127.0.0.1:${port}`, '--key', hostKey.privateKeyFile, '--authorized-keys', ''],
          ...['--config', '/dev/null', '--cache-dir', cacheDir, '--log-level', 'INFO'],
        ],
        // Through the environment, so the password stays out of /proc/<pid>/cmdline.
        env: { ...env, RCLONE_USER: user, RCLONE_PASS: password },
      }
    },
    probe: async (port) => (await sshBanner(port)) !== null,
  })
  return { ...server, user, password, rootDir, hostKeyFingerprint: hostKey.fingerprint, knownHostsFile }
}
