/** "Test connection": the mount's preflight on its own, for a remote that is not mounted yet. */
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { remoteSchema, describeIssues, type RemoteInput } from '../../shared/config.js'
import { RmountError, type ErrorInfo } from '../../shared/errors.js'
import { prepareHostKey } from './host-key-pin.js'
import { preflight } from './preflight.js'
import { findRclone } from './rclone-binary.js'
import { backendConfig } from './rclone-config.js'
import { makeRedactor } from './redact.js'

export interface ConnectionTestResult {
  ok: boolean
  ms: number
  error?: ErrorInfo
  /** An SFTP server's key as seen: `pinned` when the remote pins it (and it matched), else seen for the first time. */
  hostKey?: { fingerprint: string; pinned: boolean }
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
  let scratch: string | null = null
  let hostKey: ConnectionTestResult['hostKey']
  try {
    const parsed = remoteSchema.safeParse(remoteInput)
    if (!parsed.success) throw new RmountError('INVALID_CONFIG', `The remote is not valid:\n${describeIssues(parsed.error)}`)
    const remote = parsed.data
    const rclone = await findRclone(options.rclonePath)
    let knownHostsFile: string | undefined
    // Checked before any password is sent: the pinned key must match; an unpinned one is shown for the person to trust.
    if (remote.type === 'sftp' && !remote.knownHostsFile) {
      scratch = await mkdtemp(join(tmpdir(), 'rmount-test-'))
      knownHostsFile = join(scratch, 'known_hosts')
      const seen = await prepareHostKey(remote, knownHostsFile)
      hostKey = { fingerprint: seen.fingerprint, pinned: !seen.firstUse }
    }
    const caBundle = process.env.AWS_CA_BUNDLE && existsSync(process.env.AWS_CA_BUNDLE) ? process.env.AWS_CA_BUNDLE : undefined
    const backend = backendConfig(remote, rclone, { knownHostsFile, caBundle })
    await preflight(rclone, remote, remotePath, backend, makeRedactor(backend.secrets), options.timeoutMs ?? 15_000)
    return { ok: true, ms: Math.round(performance.now() - started), ...(hostKey ? { hostKey } : {}) }
  } catch (error) {
    const info: ErrorInfo = error instanceof RmountError ? error.toJSON() : { code: 'RCLONE_EXITED', message: String(error) }
    return { ok: false, ms: Math.round(performance.now() - started), error: info, ...(hostKey ? { hostKey } : {}) }
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true })
  }
}
