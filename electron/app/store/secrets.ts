/**
 * Secrets between the editor, the store and the engine. A value is encrypted as soon as it arrives, is
 * decrypted only to start a mount or to export on request, and never goes back to the renderer.
 */
import { describeIssues, remoteSchema, s3ProviderDefaults, type Remote, type S3Provider } from '../../../shared/config.js'
import { RmountError } from '../../../shared/errors.js'
import { remoteDraftSchema, type RemoteDraft, type RemoteView, type SecretInput, type Settings } from '../../../shared/ipc.js'
import type { SecretCipher, StoredConfig, StoredRemote, StoredSecret } from '../contracts.js'
import { secretFields, storedRemoteSchema } from './store-schema.js'

/** A remote's connection with each secret field mapped by `fn` (absent fields stay absent). */
export async function mapSecretFields(
  remote: Record<string, unknown> & { type: 's3' | 'sftp' },
  fn: (secret: unknown, field: string) => unknown,
): Promise<Record<string, unknown> & { type: 's3' | 'sftp' }> {
  const mapped = { ...remote }
  for (const field of secretFields[remote.type]) {
    if (remote[field] === undefined) continue
    mapped[field] = await fn(remote[field], field)
  }
  return mapped
}

const secretLabels: Record<string, string> = { secretAccessKey: 'secret access key', password: 'password', keyPassphrase: 'key passphrase' }

/** How a secret field is named in sentences a person reads. */
export function secretLabel(field: string): string {
  return secretLabels[field] ?? field
}

/**
 * How a new secret value is kept: encrypted when an OS keyring backs the cipher; plain only when the user
 * agreed to that; otherwise refused, so a secret is never left readable without the user knowing.
 */
export async function storeSecret(
  value: string,
  cipher: SecretCipher,
  settings: Pick<Settings, 'allowPlaintextSecrets'>,
): Promise<StoredSecret> {
  if (cipher.encrypted) return { encrypted: await cipher.encrypt(value) }
  if (settings.allowPlaintextSecrets) return { plain: value }
  throw new RmountError(
    'INVALID_CONFIG',
    `No OS keyring is available to encrypt secrets (the storage backend is ${cipher.backend}). Choose one: allow RMount to keep ` +
      'secrets unencrypted in Settings, give the secret as an environment variable in a config file, or set up a keyring ' +
      '(GNOME Keyring, KWallet) and restart RMount.',
  )
}

async function revealSecret(
  stored: StoredSecret,
  field: string,
  remoteId: string,
  cipher: SecretCipher,
): Promise<string | { env: string }> {
  if ('env' in stored) return stored
  if ('plain' in stored) return stored.plain
  try {
    return await cipher.decrypt(stored.encrypted)
  } catch {
    // The cause is left out on purpose: a cipher's error may quote what it was given.
    throw new RmountError(
      'INVALID_CONFIG',
      `The saved ${secretLabel(field)} of remote "${remoteId}" cannot be decrypted (the OS keyring may have changed): enter it again in the remote's settings.`,
    )
  }
}

/** The remote as the engine takes it: secrets decrypted, `{ env }` references passed through. */
export async function toEngineRemote(stored: StoredRemote, cipher: SecretCipher): Promise<Remote> {
  const saved = storedRemoteSchema.parse(stored)
  const remote = await mapSecretFields(saved.remote, (secret, field) => revealSecret(secret as StoredSecret, field, saved.id, cipher))
  return remoteSchema.parse(remote)
}

/** The remote as the renderer sees it: each secret only as whether it is set, never its value, not even encrypted. */
export function toRemoteView(stored: StoredRemote): RemoteView {
  const { id, name, remote } = storedRemoteSchema.parse(stored)
  if (remote.type === 's3') {
    const { secretAccessKey, ...rest } = remote
    return { id, name, remote: { ...rest, secretAccessKey: { set: secretAccessKey !== undefined } } }
  }
  const { password, keyPassphrase, ...rest } = remote
  return { id, name, remote: { ...rest, password: { set: password !== undefined }, keyPassphrase: { set: keyPassphrase !== undefined } } }
}

/** Where a remote's secrets go: the fields that, when changed, make a saved secret go to another server or account. */
function destination(remote: Record<string, unknown>): string {
  if (remote.type === 'sftp') return JSON.stringify(['sftp', remote.host, remote.port ?? 22, remote.user])
  // An S3 remote without an endpoint talks to its provider's default one.
  const provider = remote.provider as S3Provider
  return JSON.stringify(['s3', remote.endpoint ?? s3ProviderDefaults[provider]?.endpoint ?? provider])
}

/**
 * Refuses `{ keep: true }` when the draft goes somewhere else than the stored remote (type, host, port,
 * user or endpoint changed): a kept password would otherwise be sent to the new server, which may be anyone's.
 */
export function checkKeepDestination(
  previous: { id: string; remote: Record<string, unknown> } | undefined,
  draft: Record<string, unknown>,
): void {
  const type = draft.type as 's3' | 'sftp'
  const kept = secretFields[type].filter((field) => typeof draft[field] === 'object' && draft[field] !== null)
  if (!previous || kept.length === 0 || destination(previous.remote) === destination(draft)) return
  const what = kept.map(secretLabel).join(' and ')
  throw new RmountError(
    'INVALID_CONFIG',
    `The saved ${what} of remote "${previous.id}" stays with its server: the ${type === 'sftp' ? 'host, port or user' : 'type or endpoint'} ` +
      `changed, so enter the ${what} again for the new one.`,
  )
}

/** An editor draft with the id the caller chose for it (new remotes get theirs before saving). */
export interface NamedRemoteDraft {
  id: string
  name: string
  remote: RemoteDraft
}

/**
 * The stored remote for an editor draft: new secret values stored through `storeSecret`, `{ keep: true }`
 * keeping the previous stored secret of that field, a left-out field removing it.
 */
export async function applyDraft(
  draft: NamedRemoteDraft,
  previous: StoredRemote | undefined,
  cipher: SecretCipher,
  settings: Pick<Settings, 'allowPlaintextSecrets'>,
): Promise<StoredRemote> {
  const checked = remoteDraftSchema.safeParse(draft.remote)
  if (!checked.success) throw new RmountError('INVALID_CONFIG', `Remote "${draft.id}" was not saved:\n${describeIssues(checked.error)}`)
  checkKeepDestination(previous, checked.data)
  const remote = await mapSecretFields(checked.data, async (input, field) => {
    const secret = input as SecretInput
    if (typeof secret === 'string') return storeSecret(secret, cipher, settings)
    const kept = previous?.remote.type === draft.remote.type ? previous.remote[field] : undefined
    if (kept === undefined)
      throw new RmountError(
        'INVALID_CONFIG',
        `Remote "${draft.id}" has no saved ${secretLabel(field)} to keep: enter the ${secretLabel(field)}.`,
      )
    return kept
  })
  const parsed = storedRemoteSchema.safeParse({ id: draft.id, name: draft.name, remote })
  if (!parsed.success) throw new RmountError('INVALID_CONFIG', `Remote "${draft.id}" was not saved:\n${describeIssues(parsed.error)}`)
  return parsed.data
}

/**
 * The config with every `{ plain }` secret encrypted, when the cipher now can (a keyring appeared, or a file
 * migrated from a layout that kept secrets inline). Returns the same config, unchanged, when it cannot.
 */
export async function sealPlainSecrets(config: StoredConfig, cipher: SecretCipher): Promise<{ config: StoredConfig; sealed: number }> {
  if (!cipher.encrypted) return { config, sealed: 0 }
  let sealed = 0
  const remotes = await Promise.all(
    config.remotes.map(async (saved) => ({
      ...saved,
      remote: await mapSecretFields(saved.remote, async (secret) => {
        if (typeof secret !== 'object' || secret === null || !('plain' in secret)) return secret
        sealed++
        return { encrypted: await cipher.encrypt(String(secret.plain)) }
      }),
    })),
  )
  return { config: sealed ? { ...config, remotes } : config, sealed }
}
