/** A real OpenSSH sshd for tests: the SFTP server users actually run, with its per-connection child processes. */
import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { userInfo } from 'node:os'
import { join } from 'node:path'
import { startManaged, tempDir, type ServerSpec, type TestServer } from './managed.js'
import { sshBanner } from './probes.js'
import { generateKey, knownHostsLine } from './ssh-keys.js'

/** A running sshd and the files a client needs to log in to it. */
export interface SshdServer extends TestServer {
  /** The current user (root here): the only account that can log in. */
  user: string
  /** Authorized private key: ed25519, no passphrase, mode 0600. */
  keyFile: string
  publicKeyFile: string
  /** An empty temp folder for tests to use as the remote path. */
  rootDir: string
  /** `SHA256:...` as `ssh-keygen -l` prints it. */
  hostKeyFingerprint: string
  /** One line: `[HOST]:PORT ssh-ed25519 ...`. */
  knownHostsFile: string
  /** A second private key that is NOT authorized. */
  otherKeyFile: string
}

const sshdBinary = '/usr/sbin/sshd'

/** A real OpenSSH sshd on a free high port on 127.0.0.1 (or inside `netns`), temporary config, key-only auth for the current user, `Subsystem sftp internal-sftp`. */
export async function startSshd(options: { logLevel?: 'ERROR' | 'VERBOSE'; netns?: ServerSpec['netns'] } = {}): Promise<SshdServer> {
  const host = options.netns?.address ?? '127.0.0.1'
  const dir = await tempDir('rmount-sshd-')
  const rootDir = join(dir, 'root')
  const configFile = join(dir, 'sshd_config')
  const knownHostsFile = join(dir, 'known_hosts')
  const authorizedKeysFile = join(dir, 'authorized_keys')
  const [hostKey, clientKey, otherKey] = await Promise.all([
    generateKey(join(dir, 'ssh_host_ed25519_key'), 'rmount-test-host'),
    generateKey(join(dir, 'client_ed25519'), 'rmount-test-client'),
    generateKey(join(dir, 'other_ed25519'), 'rmount-test-other'),
    mkdir(rootDir),
    // sshd refuses to start without its privilege separation directory, and a fresh container has none.
    mkdir('/run/sshd', { recursive: true, mode: 0o755 }).then(() => chmod('/run/sshd', 0o755)),
  ])
  await writeFile(authorizedKeysFile, `${clientKey.publicKey}\n`)

  const server = await startManaged({
    name: 'sshd',
    logFile: join(dir, 'sshd.log'),
    async launch(port) {
      await writeFile(configFile, sshdConfig(host, port, dir, authorizedKeysFile, options.logLevel ?? 'ERROR'))
      await writeFile(knownHostsFile, knownHostsLine(host, port, hostKey.publicKey))
      // sshd re-executes itself for each connection, which needs an absolute path; -e logs to stderr, i.e. the log file.
      return { command: sshdBinary, args: ['-D', '-e', '-f', configFile] }
    },
    probe: async (port, probeHost) => (await sshBanner(port, 1_000, probeHost))?.startsWith('SSH-2.0-OpenSSH') ?? false,
    netns: options.netns,
  })
  return {
    ...server,
    user: userInfo().username,
    keyFile: clientKey.privateKeyFile,
    publicKeyFile: clientKey.publicKeyFile,
    rootDir,
    hostKeyFingerprint: hostKey.fingerprint,
    knownHostsFile,
    otherKeyFile: otherKey.privateKeyFile,
  }
}

/** `logLevel` VERBOSE logs every login attempt, for tests that must show none happened. */
function sshdConfig(host: string, port: number, dir: string, authorizedKeysFile: string, logLevel: string): string {
  return [
    `Port ${port}`,
    `ListenAddress ${host}`,
    `HostKey ${join(dir, 'ssh_host_ed25519_key')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${authorizedKeysFile}`,
    // sshd's ownership and mode checks on the key paths are not what the tests are about, and tests may loosen modes.
    'StrictModes no',
    'UsePAM no',
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'Subsystem sftp internal-sftp',
    'PrintMotd no',
    // rclone runs its hash commands (md5sum) through the login shell, and bash reads ~/.bashrc for every command
    // sshd starts; HOME in the server's own folder, which holds no rc file, keeps that out of every transfer.
    `SetEnv HOME=${dir}`,
    `LogLevel ${logLevel}`,
    '',
  ].join('\n')
}
