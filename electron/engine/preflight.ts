/**
 * The check before a mount: does the remote answer, are the credentials good, does the bucket or
 * folder exist? One short rclone listing with bounded timeouts, its error mapped to a code.
 */
import { randomBytes } from 'node:crypto'
import type { Remote } from '../../shared/config.js'
import { RmountError } from '../../shared/errors.js'
import { spawnTied } from './child-process.js'
import { classifyRcloneError, failureMessage } from './classify-error.js'
import { boundedTimeouts, childEnv, fsString, type BackendConfig } from './rclone-config.js'
import type { RcloneInfo } from './rclone-binary.js'

/**
 * What to list. A bucket store has no real folders, so for S3 it lists a name that cannot exist
 * inside the bucket: one cheap request that still fails on bad keys and on a missing bucket. An
 * SFTP folder is listed itself, since a missing one must be reported.
 */
export function preflightTarget(remote: Remote, remotePath: string): string {
  if (remote.type === 'sftp') return fsString(remotePath)
  const bucket = remotePath.split('/').filter(Boolean)[0]
  // No bucket yet (testing a remote before choosing one): list the buckets, which checks the keys.
  if (!bucket) return fsString('')
  return fsString(`${bucket}/.rmount-preflight-${randomBytes(6).toString('hex')}/`)
}

export interface PreflightResult {
  ms: number
}

export async function preflight(
  rclone: RcloneInfo,
  remote: Remote,
  remotePath: string,
  backend: BackendConfig,
  redact: (text: string) => string,
  timeoutMs = 20_000,
): Promise<PreflightResult> {
  const { ms } = await runRcloneCommand(
    rclone,
    remote,
    remotePath,
    lsfLevel,
    preflightTarget(remote, remotePath),
    backend,
    redact,
    timeoutMs,
  )
  return { ms }
}

/** Most names a listing returns: enough to pick from, bounded so a huge bucket cannot flood the window. */
export const listingLimit = 1000

/**
 * The folders (or, at the top of S3, the buckets) one level below `remotePath`, for the mount editor
 * to offer; names end in `/`. Errors are the preflight's, with the same codes.
 */
export async function listFolders(
  rclone: RcloneInfo,
  remote: Remote,
  remotePath: string,
  backend: BackendConfig,
  redact: (text: string) => string,
  timeoutMs = 15_000,
): Promise<{ entries: string[]; truncated: boolean }> {
  const { stdout } = await runRcloneCommand(
    rclone,
    remote,
    remotePath,
    [...lsfLevel, '--dirs-only'],
    fsString(remotePath),
    backend,
    redact,
    timeoutMs,
  )
  const entries = stdout.split('\n').filter(Boolean)
  return { entries: entries.slice(0, listingLimit), truncated: entries.length > listingLimit }
}

const lsfLevel = ['lsf', '--max-depth', '1']

/**
 * One rclone command (`command`, then options, then `target`) with bounded timeouts and the config only
 * in the environment; its failure mapped to a code. Output past 1 MiB is dropped (listings are bounded anyway).
 */
export async function runRcloneCommand(
  rclone: RcloneInfo,
  remote: Remote,
  remotePath: string,
  command: readonly string[],
  target: string,
  backend: BackendConfig,
  redact: (text: string) => string,
  timeoutMs: number,
): Promise<{ ms: number; stdout: string }> {
  const started = performance.now()
  const args = [...command, '--config', '/dev/null', '--ask-password=false', ...boundedTimeouts, '--retries', '1', ...backend.args, target]
  const child = spawnTied(rclone.path, args, { env: childEnv(process.env, backend.env), stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    if (stdout.length < 1024 * 1024) stdout += chunk
  })
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < 64 * 1024) stderr += chunk
  })
  const outcome = await new Promise<{ code: number | null; timedOut: boolean; spawnError?: Error }>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      resolve({ code: null, timedOut: true })
    }, timeoutMs)
    child.once('error', (spawnError) => {
      clearTimeout(timer)
      resolve({ code: null, timedOut: false, spawnError })
    })
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, timedOut: false })
    })
  })
  const logTail = redact(stderr)
    .split('\n')
    .filter((line) => line.trim())
    .slice(-8)
  if (outcome.spawnError) throw new RmountError('RCLONE_NOT_FOUND', `Could not run ${rclone.path}: ${outcome.spawnError.message}`)
  if (outcome.timedOut) {
    throw new RmountError(
      'REMOTE_UNREACHABLE',
      `${failureMessage('REMOTE_UNREACHABLE', remote, remotePath)} (no answer within ${timeoutMs / 1000} s)`,
      { logTail },
    )
  }
  if (outcome.code !== 0) {
    const code = classifyRcloneError(stderr) ?? 'REMOTE_UNREACHABLE'
    throw new RmountError(code, failureMessage(code, remote, remotePath), { logTail })
  }
  return { ms: performance.now() - started, stdout }
}
