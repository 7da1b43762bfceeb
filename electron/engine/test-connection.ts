/** "Test connection": the mount's preflight on its own, for a remote that is not mounted yet. */
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { remoteSchema, describeIssues, type Remote, type RemoteInput } from '../../shared/config.js'
import { RmountError, type ErrorInfo } from '../../shared/errors.js'
import { prepareHostKey } from './host-key-pin.js'
import { checkKeyFile } from './key-file-check.js'
import { preflight } from './preflight.js'
import { findRclone, type RcloneInfo } from './rclone-binary.js'
import { backendConfig, type BackendConfig } from './rclone-config.js'
import { makeRedactor } from './redact.js'

export interface ConnectionTestResult {
  ok: boolean
  ms: number
  error?: ErrorInfo
  /** An SFTP server's key as seen: `pinned` when the remote pins it (and it matched), else seen for the first time. */
  hostKey?: { fingerprint: string; pinned: boolean }
}

/**
 * Runs `task` with everything an rclone command on an unmounted remote needs: the remote validated,
 * rclone found, the server's host key checked against its pin (or seen for the first time) in a
 * scratch known_hosts (removed afterwards), the backend's
 * environment and a redactor of its secrets.
 */
export async function withBackend<T>(
  remoteInput: RemoteInput,
  rclonePath: string | undefined,
  task: (
    rclone: RcloneInfo,
    remote: Remote,
    backend: BackendConfig,
    redact: (text: string) => string,
    hostKey: ConnectionTestResult['hostKey'],
  ) => Promise<T>,
): Promise<T> {
  let scratch: string | null = null
  try {
    const parsed = remoteSchema.safeParse(remoteInput)
    if (!parsed.success) throw new RmountError('INVALID_CONFIG', `The remote is not valid:\n${describeIssues(parsed.error)}`)
    const remote = parsed.data
    const rclone = await findRclone(rclonePath)
    // A missing key file is named before any connection, the host key scan included.
    await checkKeyFile(remote)
    let knownHostsFile: string | undefined
    let hostKey: ConnectionTestResult['hostKey']
    // Checked before any password is sent: the pinned key must match; an unpinned one is shown for the person to trust.
    if (remote.type === 'sftp' && !remote.knownHostsFile) {
      scratch = await mkdtemp(join(tmpdir(), 'rmount-test-'))
      knownHostsFile = join(scratch, 'known_hosts')
      const seen = await prepareHostKey(remote, knownHostsFile)
      hostKey = { fingerprint: seen.fingerprint, pinned: !seen.firstUse }
    }
    const caBundle = process.env.AWS_CA_BUNDLE && existsSync(process.env.AWS_CA_BUNDLE) ? process.env.AWS_CA_BUNDLE : undefined
    const backend = backendConfig(remote, rclone, { knownHostsFile, caBundle })
    return await task(rclone, remote, backend, makeRedactor(backend.secrets), hostKey)
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true })
  }
}

/**
 * Checks that the remote answers, the credentials work and the bucket or folder exists, within
 * `timeoutMs`. Never throws: the outcome, with its specific error, is the result.
 */
export async function testConnection(
  remoteInput: RemoteInput,
  remotePath: string,
  options: { rclonePath?: string; timeoutMs?: number } = {},
): Promise<ConnectionTestResult> {
  const started = performance.now()
  let hostKey: ConnectionTestResult['hostKey']
  try {
    await withBackend(remoteInput, options.rclonePath, (rclone, remote, backend, redact, seen) => {
      hostKey = seen
      return preflight(rclone, remote, remotePath, backend, redact, options.timeoutMs ?? 15_000)
    })
    return { ok: true, ms: Math.round(performance.now() - started), ...(hostKey ? { hostKey } : {}) }
  } catch (error) {
    const info: ErrorInfo = error instanceof RmountError ? error.toJSON() : { code: 'RCLONE_EXITED', message: String(error) }
    return { ok: false, ms: Math.round(performance.now() - started), error: info, ...(hostKey ? { hostKey } : {}) }
  }
}
