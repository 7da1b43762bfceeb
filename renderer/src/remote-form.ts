/**
 * The remote editor's model: what the form holds (strings, as typed), how a stored remote fills it,
 * how a provider choice changes it, and the draft it sends. Pure, so the rules are tested without a DOM.
 */
import type { S3Provider } from '../../shared/config.js'
import { saveRemoteRequestSchema, type RemoteView, type SaveRemoteRequest, type SecretInput } from '../../shared/ipc.js'
import { providerInfo, type ProviderDefaults, type S3Field } from './s3-providers.js'
import { fieldErrors, type FieldErrors } from './validation.js'

export type SshAuth = 'key' | 'password' | 'agent'
export type HostKeyCheck = 'fingerprint' | 'known-hosts' | 'none'
export type SecretField = 'secretAccessKey' | 'password' | 'keyPassphrase'

export interface RemoteForm {
  id: string | null
  name: string
  type: 's3' | 'sftp'
  provider: S3Provider
  region: string
  endpoint: string
  accessKeyId: string
  envAuth: boolean
  acl: string
  v2Auth: boolean
  host: string
  port: string
  user: string
  auth: SshAuth
  keyFile: string
  hostKey: HostKeyCheck
  hostKeyFingerprint: string
  knownHostsFile: string
  /** New secret values; empty means "none", or "keep" when `stored` says one is set. */
  secrets: Record<SecretField, string>
  /** Which secrets the main process holds: the window never sees their values. */
  stored: Record<SecretField, boolean>
}

const noSecrets = { secretAccessKey: '', password: '', keyPassphrase: '' }

export function newRemoteForm(type: 's3' | 'sftp', defaults: ProviderDefaults): RemoteForm {
  const form: RemoteForm = {
    id: null,
    name: '',
    type,
    provider: 'AWS',
    region: '',
    endpoint: '',
    accessKeyId: '',
    envAuth: false,
    acl: '',
    v2Auth: false,
    host: '',
    port: '22',
    user: '',
    auth: 'key',
    keyFile: '',
    hostKey: 'fingerprint',
    hostKeyFingerprint: '',
    knownHostsFile: '',
    secrets: { ...noSecrets },
    stored: { secretAccessKey: false, password: false, keyPassphrase: false },
  }
  return withProvider(form, 'AWS', defaults)
}

export function remoteFormFrom(view: RemoteView, defaults: ProviderDefaults): RemoteForm {
  const form = newRemoteForm(view.remote.type, defaults)
  const base = { ...form, id: view.id, name: view.name }
  if (view.remote.type === 's3') {
    const r = view.remote
    return {
      ...base,
      provider: r.provider,
      region: r.region ?? '',
      endpoint: r.endpoint ?? '',
      accessKeyId: r.accessKeyId ?? '',
      envAuth: r.envAuth ?? false,
      acl: r.acl ?? '',
      v2Auth: r.v2Auth ?? false,
      stored: { ...form.stored, secretAccessKey: r.secretAccessKey.set },
    }
  }
  const r = view.remote
  return {
    ...base,
    host: r.host,
    port: String(r.port),
    user: r.user,
    auth: r.agent ? 'agent' : r.password.set ? 'password' : 'key',
    keyFile: r.keyFile ?? '',
    hostKey: r.knownHostsFile ? 'known-hosts' : r.hostKeyFingerprint ? 'fingerprint' : 'none',
    hostKeyFingerprint: r.hostKeyFingerprint ?? '',
    knownHostsFile: r.knownHostsFile ?? '',
    stored: { secretAccessKey: false, password: r.password.set, keyPassphrase: r.keyPassphrase.set },
  }
}

/**
 * Switches provider: a field still empty or still holding the old provider's default takes the new
 * one's default; anything the person typed stays.
 */
export function withProvider(form: RemoteForm, provider: S3Provider, defaults: ProviderDefaults): RemoteForm {
  const before = defaults[form.provider] ?? {}
  const after = defaults[provider] ?? {}
  const pick = (field: 'region' | 'endpoint') => (form[field] === '' || form[field] === before[field] ? (after[field] ?? '') : form[field])
  return { ...form, provider, region: pick('region'), endpoint: pick('endpoint') }
}

export function shows(form: RemoteForm, field: S3Field): boolean {
  return providerInfo[form.provider].fields.includes(field)
}

const text = (value: string) => (value.trim() === '' ? undefined : value.trim())

/** A secret as sent: the new value, `{ keep: true }` when one is stored and the field was left empty, or nothing. */
function secret(form: RemoteForm, field: SecretField): SecretInput | undefined {
  if (form.secrets[field] !== '') return form.secrets[field]
  return form.stored[field] ? { keep: true } : undefined
}

/** A port as typed: empty means the default (22); anything else goes to the schema as a number, NaN included, to be judged there. */
function port(value: string): number | undefined {
  return value.trim() === '' ? undefined : Number(value.trim())
}

/**
 * A host as typed: `nas.lan:2222` (or `[fe80::1]:2222`) fills the port too. A bare IPv6 address, which has
 * colons of its own, stays as it is.
 */
export function withHost(form: RemoteForm, typed: string): RemoteForm {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^\s/@:[\]]+):(\d{1,5})$/.exec(typed.trim())
  return match ? { ...form, host: match[1]!, port: match[2]! } : { ...form, host: typed }
}

/**
 * The fingerprint in what was pasted: `SHA256:…` alone, or the whole line `ssh-keygen -lf` prints
 * (`256 SHA256:… comment (ED25519)`). Anything else is left as typed, for the schema to explain.
 */
export function fingerprintIn(pasted: string): string {
  return /SHA256:[A-Za-z0-9+/]{43}=?/.exec(pasted)?.[0] ?? pasted.trim()
}

/** The draft the form sends; only the fields the chosen provider or method uses. */
export function remoteDraft(form: RemoteForm): SaveRemoteRequest['remote'] {
  if (form.type === 's3') {
    const has = (field: S3Field) => shows(form, field)
    const envAuth = has('envAuth') && form.envAuth
    return {
      type: 's3',
      provider: form.provider,
      region: has('region') ? text(form.region) : undefined,
      endpoint: has('endpoint') ? text(form.endpoint) : undefined,
      accessKeyId: envAuth ? undefined : text(form.accessKeyId),
      secretAccessKey: envAuth ? undefined : secret(form, 'secretAccessKey'),
      envAuth: envAuth || undefined,
      acl: has('acl') ? text(form.acl) : undefined,
      v2Auth: (has('v2Auth') && form.v2Auth) || undefined,
    }
  }
  return {
    type: 'sftp',
    host: form.host.trim(),
    port: port(form.port) as number,
    user: form.user.trim(),
    keyFile: form.auth === 'key' ? text(form.keyFile) : undefined,
    keyPassphrase: form.auth === 'key' ? secret(form, 'keyPassphrase') : undefined,
    password: form.auth === 'password' ? secret(form, 'password') : undefined,
    agent: form.auth === 'agent' || undefined,
    hostKeyFingerprint: form.hostKey === 'fingerprint' ? text(fingerprintIn(form.hostKeyFingerprint)) : undefined,
    knownHostsFile: form.hostKey === 'known-hosts' ? text(form.knownHostsFile) : undefined,
  }
}

/** Drops keys whose value is undefined: the schemas are strict, and IPC should carry only what was meant. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}

export function saveRequest(form: RemoteForm): SaveRemoteRequest {
  return compact({ id: form.id ?? undefined, name: form.name.trim(), remote: compact(remoteDraft(form)) })
}

export function remoteErrors(form: RemoteForm): FieldErrors {
  const errors = fieldErrors(saveRemoteRequestSchema, saveRequest(form))
  if (form.type !== 'sftp') return errors
  // The schema says "choose a key file, a password or the agent" at keyFile; the form asks for one
  // method at a time, so the message goes under the field of the chosen method.
  if (form.auth === 'password' && errors.keyFile) {
    errors.password ??= 'Enter the password.'
    delete errors.keyFile
  }
  // The schema accepts no pin at all (the "none" choice); a chosen pin must be filled in.
  if (form.hostKey === 'fingerprint' && !text(form.hostKeyFingerprint))
    errors.hostKeyFingerprint ??= 'Paste the server’s fingerprint, or choose another way to check its host key.'
  if (form.hostKey === 'known-hosts' && !text(form.knownHostsFile)) errors.knownHostsFile ??= 'Choose a known_hosts file.'
  return errors
}
