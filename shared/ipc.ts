/**
 * The one channel map between the desktop shell and the renderer: every request, its response and
 * every event, with the zod schema the main process validates each request payload against.
 * The preload exposes exactly these channels as `window.rmount`; nothing else crosses.
 */
import { z } from 'zod'
import {
  checkS3Remote,
  checkSftpRemote,
  idSchema,
  mountOptionsSchema,
  remoteSchema,
  s3RemoteFields,
  savedMountFields,
  sftpRemoteFields,
  type S3Remote,
  type SavedMount,
  type SftpRemote,
} from './config.js'
import type { ErrorInfo } from './errors.js'
import { eventChannels, requestChannels } from './ipc-channels.js'
import type { LogLine, MountHealth } from './mount-state.js'

/**
 * A secret field as the renderer sends it: a new value, or "keep what is stored". The renderer never
 * receives a stored secret, so it cannot send one back.
 */
export const secretInputSchema = z.union([z.string().min(1, 'Enter the secret.'), z.object({ keep: z.literal(true) }).strict()])
export type SecretInput = z.infer<typeof secretInputSchema>

/** What the renderer learns of a stored secret: only whether there is one. */
export interface SecretView {
  set: boolean
}

const s3Draft = z
  .object({ ...s3RemoteFields, secretAccessKey: secretInputSchema.optional() })
  .strict()
  .superRefine(checkS3Remote)
const sftpDraft = z
  .object({ ...sftpRemoteFields, password: secretInputSchema.optional(), keyPassphrase: secretInputSchema.optional() })
  .strict()
  .superRefine(checkSftpRemote)

/** A remote as the editor form sends it. */
export const remoteDraftSchema = z.discriminatedUnion('type', [s3Draft, sftpDraft])
export type RemoteDraft = z.infer<typeof remoteDraftSchema>

export const saveRemoteRequestSchema = z
  .object({ id: idSchema.optional(), name: z.string().min(1, 'Give the remote a name.').max(100), remote: remoteDraftSchema })
  .strict()
export type SaveRemoteRequest = z.infer<typeof saveRemoteRequestSchema>

/** A remote as the renderer sees it: secrets replaced by whether they are set. */
export type RemoteView =
  | { id: string; name: string; remote: Omit<S3Remote, 'secretAccessKey'> & { secretAccessKey: SecretView } }
  | {
      id: string
      name: string
      remote: Omit<SftpRemote, 'password' | 'keyPassphrase'> & { password: SecretView; keyPassphrase: SecretView }
    }

export const saveMountRequestSchema = z.object({ ...savedMountFields, id: idSchema.optional() }).strict()
export type SaveMountRequest = z.infer<typeof saveMountRequestSchema>
export type MountView = SavedMount

export const settingsSchema = z
  .object({
    startOnLogin: z.boolean().default(false),
    /** Empty: the bundled rclone, then PATH. */
    rclonePath: z.string().default(''),
    theme: z.enum(['system', 'light', 'dark']).default('system'),
    /** Set when the user chose to keep secrets without an OS keyring (Linux without a secret service). */
    allowPlaintextSecrets: z.boolean().default(false),
  })
  .strict()
export type Settings = z.infer<typeof settingsSchema>

/** Everything the window shows, sent whole on request; events keep it current after that. */
export interface AppSnapshot {
  remotes: RemoteView[]
  mounts: MountView[]
  health: Record<string, MountHealth>
  settings: Settings
  /** How secrets are kept: an OS keyring, or only obfuscated (the user must agree to that). */
  secretStorage: { encrypted: boolean; backend: string }
  /** A problem with the stored config the user must hear about, e.g. a corrupt file moved aside. */
  storeNotice: string | null
}

export interface TestConnectionResult {
  ok: boolean
  ms: number
  error?: ErrorInfo
}

const byId = z.object({ id: idSchema }).strict()

/** Request channels: payload schema and response type. */
export const requestSchemas = {
  'app:snapshot': z.undefined(),
  'remote:save': saveRemoteRequestSchema,
  'remote:delete': byId,
  'remote:test': z.object({ remote: remoteDraftSchema, id: idSchema.optional(), remotePath: z.string().default('') }).strict(),
  'mount:save': saveMountRequestSchema,
  'mount:delete': byId,
  'mount:mount': byId,
  'mount:unmount': z.object({ id: idSchema, force: z.boolean().default(false) }).strict(),
  'mount:retry': byId,
  'mount:refresh': byId,
  'mount:logs': byId,
  'mount:open-folder': byId,
  'mount:diagnostics': byId,
  'settings:set': settingsSchema.partial().strict(),
  'system:check': z.undefined(),
  'dialog:pick-folder': z.object({ title: z.string().max(200).optional() }).strict(),
  'dialog:pick-file': z.object({ title: z.string().max(200).optional() }).strict(),
  'config:export': z.object({ includeSecrets: z.boolean().default(false) }).strict(),
  'config:import': z.undefined(),
  'config:import-rclone': z.undefined(),
  'demo:start': z.undefined(),
} as const satisfies Record<string, z.ZodType>

export interface SystemCheckView {
  ok: boolean
  items: Array<{ name: string; ok: boolean; detail: string; fix?: string }>
  rclone: { path: string; version: string } | null
}

export interface RequestResponses {
  'app:snapshot': AppSnapshot
  'remote:save': RemoteView
  'remote:delete': void
  'remote:test': TestConnectionResult
  'mount:save': MountView
  'mount:delete': void
  'mount:mount': MountHealth
  'mount:unmount': { pendingFiles: string[] }
  'mount:retry': MountHealth
  /** Changes made on the remote by other clients show at once (a no-op while not mounted). */
  'mount:refresh': void
  'mount:logs': LogLine[]
  'mount:open-folder': void
  'mount:diagnostics': string
  'settings:set': Settings
  'system:check': SystemCheckView
  'dialog:pick-folder': string | null
  'dialog:pick-file': string | null
  'config:export': { path: string } | null
  'config:import': { remotes: number; mounts: number } | null
  'config:import-rclone': { remotes: number; skipped: string[] } | null
  /** Shares a demo folder on 127.0.0.1 over SFTP, saves its remote and mount, and mounts it. */
  'demo:start': { remoteId: string; mountId: string; health: MountHealth }
}

export type RequestChannel = keyof typeof requestSchemas
export type RequestPayload<C extends RequestChannel> = z.input<(typeof requestSchemas)[C]>

/** Events pushed from the main process. */
export interface EventPayloads {
  'mount:health': { id: string; health: MountHealth }
  'mount:log': { id: string; line: LogLine }
  'config:changed': { remotes: RemoteView[]; mounts: MountView[]; settings: Settings }
  'quit:progress': { pending: Record<string, number>; forced: boolean }
}
export type EventChannel = keyof EventPayloads

/**
 * The channel names live in a zod-free file so the preload bundle stays small; these two checks fail
 * the type-check when a channel is added here and not there (the lists' own `satisfies` catches the reverse).
 */
type Exhaustive<Missing> = [Missing] extends [never] ? true : { missingFromIpcChannelsTs: Missing }
const _requestChannelsComplete: Exhaustive<Exclude<RequestChannel, (typeof requestChannels)[number]>> = true
const _eventChannelsComplete: Exhaustive<Exclude<EventChannel, (typeof eventChannels)[number]>> = true
export { eventChannels, requestChannels }

/** A request's outcome as it crosses IPC: errors as `{ code, message }`, never a thrown object. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo }

/** The API the preload puts on `window.rmount`, typed from the map above. */
export interface RmountApi {
  request<C extends RequestChannel>(channel: C, payload: RequestPayload<C>): Promise<IpcResult<RequestResponses[C]>>
  on<E extends EventChannel>(channel: E, listener: (payload: EventPayloads[E]) => void): () => void
}

export { remoteSchema, mountOptionsSchema }
