/**
 * How a mount is handed to rclone: the argument array and the child's environment, built by pure
 * functions. Secrets go only into the environment (`/proc/<pid>/environ` is owner-only, while
 * `/proc/<pid>/cmdline` is world-readable); rclone reads them as RCLONE_CONFIG_<REMOTE>_<KEY>.
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { s3ProviderDefaults, type MountOptions, type Remote, type S3Remote, type Secret, type SftpRemote } from '../../shared/config.js'
import { RmountError } from '../../shared/errors.js'
import { extraArgProblem, versionGatedFlags } from '../../shared/rclone-flags.js'
import { changeCheckArgs } from './change-check.js'
import { obscure } from './obscure.js'
import { atLeast, features, type RcloneInfo } from './rclone-binary.js'

/**
 * The remote's name inside rclone. It must never change: rclone puts it, with a hash of the
 * options, into the VFS cache path, and a new path would orphan files waiting to upload.
 */
export const remoteName = 'rmount'
const envPrefix = `RCLONE_CONFIG_${remoteName.toUpperCase()}_`

/**
 * Refuses extra options outside the allow-list (shared/rclone-flags.ts), naming the first one. The
 * config schema refuses them already; this holds for callers that built their options by hand.
 */
export function checkExtraArgs(extraArgs: readonly string[]): void {
  for (const arg of extraArgs) {
    const problem = extraArgProblem(arg)
    if (problem) throw new RmountError('INVALID_CONFIG', problem)
  }
}

/** Refuses extra options outside the allow-list, and allowed flags this rclone is too old to know, before anything starts. */
export function requireFlagSupport(extraArgs: readonly string[], rclone: RcloneInfo): void {
  checkExtraArgs(extraArgs)
  const missing = versionGatedFlags(extraArgs).find(({ since }) => !atLeast(rclone.semver, since))
  if (missing)
    throw new RmountError(
      'INVALID_CONFIG',
      `${missing.name} needs rclone v${missing.since.join('.')} or later, and ${rclone.path} is ${rclone.version}: remove it from the mount's extra options, or use a newer rclone.`,
    )
}

export function resolveSecret(secret: Secret | undefined, field: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (secret === undefined) return undefined
  if (typeof secret === 'string') return secret
  const value = env[secret.env]
  if (!value)
    throw new RmountError(
      'INVALID_CONFIG',
      `${field} comes from the environment variable ${secret.env}, which is not set: set it, or put the value in the config.`,
    )
  return value
}

/** The files of one mount: its VFS cache, its log and its pinned host key live together. */
export interface MountPaths {
  stateDir: string
  cacheDir: string
  logFile: string
  knownHostsFile: string
}

/** RMount's state folder: `$XDG_STATE_HOME/rmount` (default `~/.local/state/rmount`). */
export function rmountStateHome(): string {
  return join(process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'rmount')
}

/**
 * Where a mount keeps its files. The default depends only on the local folder, so the cache (and any
 * file in it still waiting to upload) is found again by the next mount of that folder, even after
 * the app restarts. It lives under XDG_STATE_HOME, not the cache folder: it may hold unsent data.
 */
export function mountPaths(localPath: string, stateDir?: string): MountPaths {
  const dir = stateDir ?? join(rmountStateHome(), 'mounts', createHash('sha256').update(localPath).digest('hex').slice(0, 16))
  return { stateDir: dir, cacheDir: join(dir, 'cache'), logFile: join(dir, 'rclone.log'), knownHostsFile: join(dir, 'known_hosts') }
}

export interface BackendConfig {
  /** RCLONE_CONFIG_* variables defining the remote. */
  env: Record<string, string>
  /** Every secret value, raw and encoded, for redaction. */
  secrets: string[]
  /** Flags the backend needs on every rclone command. */
  args: string[]
}

function s3Backend(remote: S3Remote, rclone: RcloneInfo, caBundle: string | undefined): BackendConfig {
  if (remote.provider === 'GCS' && !atLeast(rclone.semver, features.gcsS3)) {
    throw new RmountError(
      'RCLONE_TOO_OLD',
      `Google Cloud Storage through its S3 interface needs rclone v${features.gcsS3.join('.')} or later; rclone ${rclone.version} at ${rclone.path} signs a header Google rewrites, so every request fails (SignatureDoesNotMatch). Update rclone, or use the bundled one.`,
    )
  }
  const defaults = s3ProviderDefaults[remote.provider]
  const env: Record<string, string> = { TYPE: 's3', PROVIDER: remote.provider }
  const secrets: string[] = []
  if (remote.envAuth) env.ENV_AUTH = 'true'
  else {
    const secret = resolveSecret(remote.secretAccessKey, 'secretAccessKey')!
    env.ACCESS_KEY_ID = remote.accessKeyId!
    env.SECRET_ACCESS_KEY = secret
    secrets.push(secret)
  }
  const region = remote.region ?? defaults.region
  const endpoint = remote.endpoint ?? defaults.endpoint
  if (region) env.REGION = region
  if (endpoint) env.ENDPOINT = endpoint
  if (defaults.pathStyle) env.FORCE_PATH_STYLE = 'true'
  // rclone before 1.61 sends "private" for an empty ACL, which AWS buckets with "bucket owner enforced" reject.
  const acl =
    remote.acl ?? (remote.provider === 'AWS' && !atLeast(rclone.semver, features.omitEmptyAcl) ? 'bucket-owner-full-control' : undefined)
  if (acl) env.ACL = acl
  if (remote.v2Auth) env.V2_AUTH = 'true'
  return { env, secrets, args: backendArgs('s3', caBundle) }
}

/**
 * The CA bundle rclone should trust: AWS_CA_BUNDLE when that file exists. rclone 1.60's S3 SDK fails on the
 * variable itself (LoadCustomCABundleError), so childEnv drops it and backendArgs hands the bundle to
 * rclone's own TLS setup instead.
 */
export function caBundleFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const bundle = env.AWS_CA_BUNDLE
  return bundle && existsSync(bundle) ? bundle : undefined
}

/** The secret-free flags a backend needs on every rclone command: the CA bundle as --ca-cert for S3. */
export function backendArgs(type: Remote['type'], caBundle: string | undefined): string[] {
  return type === 's3' && caBundle ? ['--ca-cert', caBundle] : []
}

function sftpBackend(remote: SftpRemote, knownHostsFile: string | undefined): BackendConfig {
  const env: Record<string, string> = {
    TYPE: 'sftp',
    HOST: remote.host.replace(/^\[|\]$/g, ''),
    PORT: String(remote.port),
    USER: remote.user,
  }
  const secrets: string[] = []
  const password = resolveSecret(remote.password, 'password')
  const passphrase = resolveSecret(remote.keyPassphrase, 'keyPassphrase')
  if (remote.keyFile) env.KEY_FILE = remote.keyFile
  if (password) {
    env.PASS = obscure(password)
    secrets.push(password, env.PASS)
  }
  if (passphrase) {
    env.KEY_FILE_PASS = obscure(passphrase)
    secrets.push(passphrase, env.KEY_FILE_PASS)
  }
  if (remote.agent) env.KEY_USE_AGENT = 'true'
  // Without a known_hosts file rclone accepts any host key; RMount pins one whenever the user gave one.
  if (knownHostsFile) env.KNOWN_HOSTS_FILE = knownHostsFile
  return { env, secrets, args: [] }
}

export function backendConfig(
  remote: Remote,
  rclone: RcloneInfo,
  options: { knownHostsFile?: string; caBundle?: string } = {},
): BackendConfig {
  const backend =
    remote.type === 's3'
      ? s3Backend(remote, rclone, options.caBundle)
      : sftpBackend(remote, options.knownHostsFile ?? remote.knownHostsFile)
  return { ...backend, env: Object.fromEntries(Object.entries(backend.env).map(([k, v]) => [envPrefix + k, v])) }
}

/**
 * The child's environment: the parent's, less every RCLONE_* variable (a user's RCLONE_RC_NO_AUTH
 * or RCLONE_CONFIG_* must not change what RMount runs, nor the cache path hash) and less
 * AWS_CA_BUNDLE, plus the remote's definition and the rc credentials.
 */
export function childEnv(base: NodeJS.ProcessEnv, extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(base)) {
    if (value === undefined || key.startsWith('RCLONE_') || key === 'AWS_CA_BUNDLE') continue
    env[key] = value
  }
  return { ...env, ...extra }
}

/** Bounded network waits: a hung server becomes an I/O error in seconds instead of rclone's default minutes. */
export const boundedTimeouts = ['--contimeout', '5s', '--timeout', '15s', '--low-level-retries', '3']

/** The fs string rclone mounts: `rmount:bucket/prefix` or `rmount:/srv/dir`. */
export function fsString(remotePath: string): string {
  return `${remoteName}:${remotePath}`
}

export function mountArgs(
  remotePath: string,
  localPath: string,
  options: MountOptions,
  paths: MountPaths,
  backend: BackendConfig,
  rcAddr = '127.0.0.1:0',
): string[] {
  checkExtraArgs(options.extraArgs)
  return [
    'mount',
    fsString(remotePath),
    localPath,
    // No config file: the remote lives in the environment, and the user's rclone.conf is never read or written.
    '--config',
    '/dev/null',
    '--ask-password=false',
    '--cache-dir',
    paths.cacheDir,
    '--vfs-cache-mode',
    options.cacheMode,
    '--vfs-write-back',
    `${options.writeBackMs}ms`,
    // Never a pipe: if the app dies, rclone would die of SIGPIPE while logging and leave a stale mount.
    '--log-file',
    paths.logFile,
    // INFO, never DEBUG: at -vv rclone 1.60 logs the rc password in clear.
    '--log-level',
    'INFO',
    '--use-json-log',
    // The rc endpoint (see rc-endpoint.ts) takes its user and password from RCLONE_RC_USER/RCLONE_RC_PASS in the environment.
    '--rc',
    '--rc-addr',
    rcAddr,
    ...boundedTimeouts,
    ...changeCheckArgs(options.changeCheckSeconds),
    ...(options.readOnly ? ['--read-only'] : []),
    ...(options.allowNonEmpty ? ['--allow-non-empty'] : []),
    ...backend.args,
    ...options.extraArgs,
  ]
}
