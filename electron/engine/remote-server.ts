/**
 * A local SFTP server (`rclone serve sftp`) sharing one folder with key-only logins: what RMount's
 * SFTP remotes are tested against, and a way to share a folder with another machine.
 */
import type { ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { chmod, lstat, readFile, realpath, rename, stat, writeFile } from 'node:fs/promises'
import { homedir, userInfo } from 'node:os'
import { isIP } from 'node:net'
import { isAbsolute, join, relative } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { RmountError } from '../../shared/errors.js'
import { exitCodeOf, spawnTied } from './child-process.js'
import { LogTail } from './log-tail.js'
import { childEnv } from './rclone-config.js'
import { Ring } from './rclone-log.js'
import { loadOrCreateHostKey, parseAuthorizedKeys, type HostKey } from './host-key.js'
import { findRclone } from './rclone-binary.js'

/** What to share and with whom. */
export interface RemoteServerOptions {
  /** Folder to share (must exist). */
  localPath: string
  /** Path of an OpenSSH .pub file (one or more keys) of the clients allowed in. */
  publicKey: string
  /** Address to listen on; default 127.0.0.1. */
  host?: string
  /** Default 0: pick a free port (read back from rclone's log). */
  port?: number
  /** Name shown in sshCommand; rclone serve sftp does not check the name for key logins. Default: the current user. */
  user?: string
  rclonePath?: string
  /** Where the stable host key and the log live; default from {@link defaultStateDir}. */
  stateDir?: string
  /** Clients may read but not change, delete or add files. Default false: read-write. */
  readOnly?: boolean
}

/** Events of {@link RemoteServer}: every line of rclone's log, and the exit of a server that had started. */
export interface RemoteServerEvents {
  log: [line: string]
  exit: [code: number]
}

/** How long rclone gets to start listening; it normally takes well under a second. */
export const startTimeoutMs = 15_000
/** How long rclone gets to exit after SIGTERM before SIGKILL. */
const stopGraceMs = 5_000
const logPollMs = 25
const logTailLines = 20
const listeningPattern = /SFTP server listening on (.+):(\d+)\s*$/

/**
 * The default state folder of a shared folder: one per real path, so each shared folder keeps its own
 * host key across restarts. Follows XDG_DATA_HOME (default ~/.local/share).
 */
export function defaultStateDir(realLocalPath: string): string {
  const base = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share')
  const id = createHash('sha256').update(realLocalPath).digest('hex').slice(0, 16)
  return join(base, 'rmount', 'server-keys', id)
}

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '')
  if (bare === 'localhost') return true
  if (isIP(bare) === 4) return bare.startsWith('127.')
  return bare === '::1'
}

/**
 * Why a folder must not be shared, or null. Pure: `real` and `home` are real paths, `holdsSsh` says
 * whether `real` has a `.ssh` entry. Sharing any of these hands out keys, shell start-up files and
 * every other secret of the account to whoever gets in.
 */
export function unsharableReason(real: string, home: string, holdsSsh: boolean): string | null {
  if (real === '/') return 'RMount does not share / (the whole system): share a folder made for sharing, like ~/shared.'
  if (real === home)
    return `${real} is your home folder, which holds your SSH keys and settings: share a folder inside it made for sharing, like ~/shared.`
  const toHome = relative(real, home)
  if (!toHome.startsWith('..') && !isAbsolute(toHome))
    return `${real} holds your home folder (${home}): share a folder inside your home made for sharing, like ~/shared.`
  if (holdsSsh) return `${real} holds a .ssh folder (SSH keys): move the keys out, or share a folder without one.`
  return null
}

/** An address as `host:port`, bracketing IPv6 literals. */
function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}

/** Quotes a word for a POSIX shell only when it needs it, so the common command stays readable. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`
}

function currentUser(): string {
  try {
    return userInfo().username
  } catch {
    // No passwd entry (some containers): the name is only shown, so any will do.
    return 'rmount'
  }
}

/** The part of a log line after rclone's timestamp and level. */
function messageOf(line: string): string {
  return line.replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d(?:\.\d+)? (?:[A-Z]+ ?: )?/, '').trim()
}

interface Running {
  child: ChildProcess
  tail: LogTail
  /** The last lines of its log, for error messages. */
  recent: Ring<string>
  /** Settles once the process has exited and its last log lines were read. */
  closed: Promise<number>
  exitCode: number | null
  started: boolean
}

/**
 * `rclone serve sftp` on one folder, key-only: only the keys in `publicKey` get in, nothing outside
 * the folder is reachable (rclone serves the folder as the root and does not follow symlinks), and the
 * host key stays the same across restarts so clients can pin it with {@link knownHostsLine}.
 */
export class RemoteServer extends EventEmitter<RemoteServerEvents> {
  readonly host: string
  readonly user: string
  private readonly options: RemoteServerOptions
  private currentPort: number
  private hostKey: HostKey | null = null
  private knownHostsFile = ''
  private running: Running | null = null
  private starting: Promise<void> | null = null
  private stopping: Promise<void> | null = null
  private stopRequested = false

  constructor(options: RemoteServerOptions) {
    super()
    this.options = { ...options }
    this.host = options.host ?? '127.0.0.1'
    this.user = options.user ?? currentUser()
    this.currentPort = options.port ?? 0
  }

  /** The port it listens on: the one picked by the system once started when 0 was asked for. */
  get port(): number {
    return this.currentPort
  }

  /** Pid of rclone while it runs. */
  get pid(): number | null {
    return this.running?.child.pid ?? null
  }

  /** `SHA256:...` of the host key, as `ssh-keygen -lf` prints it; empty before the first start(). */
  get hostKeyFingerprint(): string {
    return this.hostKey?.fingerprint ?? ''
  }

  /**
   * A warning to show when the server listens beyond this machine, with the fingerprint clients
   * should check; null on loopback or before the first start().
   */
  get exposureWarning(): string | null {
    if (!this.hostKey || isLoopback(this.host)) return null
    return `The server listens on ${this.host}, beyond this machine: anyone who can reach that address can try to log in (only the keys in ${this.options.publicKey} get in${this.options.readOnly ? '' : ', and they can change and delete files'}). Clients should check the host key fingerprint ${this.hostKey.fingerprint}.`
  }

  /** A known_hosts line pinning the host key at this address and port; empty before the first start(). */
  get knownHostsLine(): string {
    if (!this.hostKey) return ''
    const pattern = this.currentPort === 22 ? this.host : `[${this.host}]:${this.currentPort}`
    return `${pattern} ${this.hostKey.publicKey}`
  }

  /**
   * An OpenSSH `sftp` command line that connects with the host key pinned (the known_hosts file it
   * names, in the state folder, holds {@link knownHostsLine}); empty before the first start().
   */
  get sshCommand(): string {
    if (!this.hostKey) return ''
    const host = this.host.includes(':') ? `[${this.host}]` : this.host
    const port = this.currentPort === 22 ? [] : ['-P', String(this.currentPort)]
    const words = [
      'sftp',
      ...port,
      '-o',
      `UserKnownHostsFile=${this.knownHostsFile}`,
      '-o',
      'StrictHostKeyChecking=yes',
      `${this.user}@${host}`,
    ]
    return words.map(shellWord).join(' ')
  }

  /** Starts rclone and resolves once it accepts SSH connections; does nothing when already running. */
  async start(): Promise<void> {
    // No await between these checks and setting `starting`, so concurrent calls share one launch.
    while (this.stopping) await this.stopping
    if (this.starting) return this.starting
    if (this.running) return
    this.stopRequested = false
    this.starting = this.launch()
    try {
      await this.starting
    } finally {
      this.starting = null
    }
  }

  /** Stops rclone: SIGTERM, then SIGKILL after a grace period. Resolves once it has exited; idempotent. */
  async stop(): Promise<void> {
    this.stopRequested = true
    // A start in progress notices the request and cleans up after itself.
    if (this.starting) await this.starting.catch(() => undefined)
    const running = this.running
    if (!running) return
    this.stopping ??= this.terminate(running).finally(() => {
      this.stopping = null
    })
    await this.stopping
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop()
  }

  private async launch(): Promise<void> {
    const { localPath, publicKey, readOnly } = this.options
    const port = this.options.port ?? 0
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new RmountError('INVALID_CONFIG', `Port ${port} is not valid: use 1-65535, or 0 to pick a free one.`)
    const realLocalPath = await this.checkFolder(localPath)
    const keys = parseAuthorizedKeys(await this.readKeyFile(publicKey), publicKey)
    const rclone = await findRclone(this.options.rclonePath)

    const stateDir = this.options.stateDir ?? defaultStateDir(realLocalPath)
    this.hostKey = await loadOrCreateHostKey(stateDir)
    // rclone gets a clean copy with only the keys parsed above (see parseAuthorizedKeys).
    const authorizedKeys = join(stateDir, 'authorized_keys')
    await writePrivate(authorizedKeys, keys.map((key) => `${key.type} ${key.data} ${key.comment}`.trimEnd() + '\n').join(''))
    const logFile = join(stateDir, 'serve.log')
    // Keep the previous run's log for diagnosis; --log-file appends, so each run starts from an empty file.
    await rename(logFile, `${logFile}.1`).catch(() => undefined)
    await writePrivate(logFile, '')
    this.knownHostsFile = join(stateDir, 'known_hosts')

    const args = ['serve', 'sftp', realLocalPath, '--addr', joinHostPort(this.host, port), '--key', this.hostKey.privateKeyFile]
    args.push('--authorized-keys', authorizedKeys, '--config', '/dev/null', '--log-file', logFile, '--log-level', 'INFO')
    if (readOnly) args.push('--read-only')
    if (this.stopRequested) throw new RmountError('SERVER_FAILED', 'The server was stopped before it started.')

    let listeningPort: number | null = null
    const recent = new Ring<string>(logTailLines)
    const tail = new LogTail(logFile, 0, (line) => {
      recent.push(line)
      const match = listeningPattern.exec(line)
      if (match && listeningPort === null) listeningPort = Number(match[2])
      this.emit('log', line)
    })
    // Without the user's RCLONE_* variables, which could loosen the server (RCLONE_COPY_LINKS would
    // serve symlinks out of the folder, RCLONE_USER/PASS would add password logins).
    const child = spawnTied(rclone.path, args, { stdio: 'ignore', env: childEnv(process.env, {}) })
    const running: Running = { child, tail, recent, exitCode: null, started: false, closed: Promise.resolve(0) }
    running.closed = new Promise<number>((resolve) => {
      const done = (): void => {
        running.exitCode ??= exitCodeOf(child) ?? 1
        resolve(running.exitCode)
      }
      child.once('exit', done)
      // A failed spawn may never emit 'exit'.
      child.on('error', done)
    }).then(async (code) => {
      await tail.finish()
      if (this.running === running) this.running = null
      if (running.started) this.emit('exit', code)
      return code
    })
    this.running = running

    const deadline = Date.now() + startTimeoutMs
    for (;;) {
      await tail.poll()
      if (listeningPort !== null) break
      if (running.exitCode !== null) {
        await running.closed
        throw this.startFailure(running, logFile, port, [rclone.path, ...args])
      }
      if (this.stopRequested || Date.now() >= deadline) {
        await this.terminate(running)
        if (this.stopRequested)
          throw new RmountError('SERVER_FAILED', 'The server was stopped before it was listening.', { logTail: recent.toArray() })
        throw new RmountError(
          'SERVER_FAILED',
          `rclone serve sftp did not start listening on ${joinHostPort(this.host, port)} within ${startTimeoutMs / 1000} s, so it was stopped. See the log lines below and ${logFile}.`,
          { logTail: recent.toArray() },
        )
      }
      await Promise.race([delay(logPollMs), running.closed])
    }

    this.currentPort = listeningPort
    running.started = true
    await writeFile(this.knownHostsFile, this.knownHostsLine + '\n', { mode: 0o644 })
    // From now on rclone's appends wake the tail through inotify.
    tail.start()
  }

  private async terminate(running: Running): Promise<void> {
    if (running.exitCode === null) running.child.kill('SIGTERM')
    const outcome = await Promise.race([running.closed, delay(stopGraceMs, 'timeout' as const)])
    if (outcome === 'timeout') running.child.kill('SIGKILL')
    await running.closed
  }

  private startFailure(running: Running, logFile: string, port: number, command: string[]): RmountError {
    const lines = running.recent.toArray()
    const reasonLine = [...lines].reverse().find((line) => /Failed to|ERROR|CRITICAL|Fatal/.test(line)) ?? lines.at(-1)
    const reason = reasonLine ? messageOf(reasonLine) : 'it wrote no log'
    // Errors before rclone opens its log file go to stderr, which is not kept (see spawn): running it by hand shows them.
    let advice = reasonLine ? `See the log lines below and ${logFile}.` : `Run it by hand to see why: ${command.map(shellWord).join(' ')}`
    if (/address already in use/i.test(reason)) advice = `Port ${port} is taken: choose another port, or 0 to pick a free one.`
    else if (/assign requested address/i.test(reason))
      advice = `${this.host} is not an address of this machine: use 127.0.0.1 or one of its own addresses.`
    return new RmountError(
      'SERVER_FAILED',
      `rclone serve sftp exited (code ${running.exitCode}) before it was listening: ${reason}. ${advice}`,
      {
        logTail: [...lines],
      },
    )
  }

  private async checkFolder(localPath: string): Promise<string> {
    let real: string
    try {
      real = await realpath(localPath)
    } catch {
      throw new RmountError('INVALID_CONFIG', `The folder to share, ${localPath}, does not exist: create it or choose another one.`)
    }
    if (!(await stat(real)).isDirectory())
      throw new RmountError('INVALID_CONFIG', `${localPath} is not a folder: choose the folder to share.`)
    const home = await realpath(homedir()).catch(() => homedir())
    const holdsSsh = await lstat(join(real, '.ssh')).then(
      () => true,
      () => false,
    )
    const reason = unsharableReason(real, home, holdsSsh)
    if (reason) throw new RmountError('INVALID_CONFIG', reason)
    return real
  }

  private async readKeyFile(path: string): Promise<string> {
    try {
      return await readFile(path, 'utf8')
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as Error).message})`
      throw new RmountError(
        'INVALID_CONFIG',
        `The public key file ${path} ${why}: give the .pub file of the clients allowed in, such as ~/.ssh/id_ed25519.pub.`,
      )
    }
  }
}

/** Writes a file only its owner can read, also when it already existed with a looser mode. */
async function writePrivate(path: string, content: string): Promise<void> {
  await writeFile(path, content, { mode: 0o600 })
  await chmod(path, 0o600)
}
