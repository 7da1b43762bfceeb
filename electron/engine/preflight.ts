/**
 * The check before a mount: does the remote answer, are the credentials good, does the bucket or
 * folder exist? One short rclone listing with bounded timeouts, its error mapped to a code.
 */
import { randomBytes } from 'node:crypto'
import type { Remote } from '../../shared/config.js'
import { RmountError } from '../../shared/errors.js'
import { spawnTied } from './child-process.js'
import { classifyRcloneError, failureMessage } from './classify-error.js'
import { checkKeyFile } from './key-file-check.js'
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
  const started = performance.now()
  await checkKeyFile(remote)
  const args = [
    'lsf',
    '--max-depth',
    '1',
    '--config',
    '/dev/null',
    '--ask-password=false',
    ...boundedTimeouts,
    '--retries',
    '1',
    ...backend.args,
    preflightTarget(remote, remotePath),
  ]
  const child = spawnTied(rclone.path, args, { env: childEnv(process.env, backend.env), stdio: ['ignore', 'ignore', 'pipe'] })
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
  return { ms: performance.now() - started }
}
