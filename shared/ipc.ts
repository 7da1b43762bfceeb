/**
 * The one channel map between the desktop shell and the renderer: every request, its response and
 * every event, with the zod schema the main process validates each request payload against.
 * The preload exposes exactly these channels as `window.rmount`; nothing else crosses.
 */
import { z } from 'zod'
import {
  checkS3Remote,
  checkSftpRemote,
  desktopMountOptionsSchema,
  idSchema,
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

/** A mount as the editor sends it: never a program to run or a state folder (see desktopMountOptionsSchema). */
export const saveMountRequestSchema = z
  .object({ ...savedMountFields, options: desktopMountOptionsSchema.default({}), id: idSchema.optional() })
  .strict()
export type SaveMountRequest = z.infer<typeof saveMountRequestSchema>
export type MountView = SavedMount

/** How long a share link works, as the window offers it (rclone's duration format). */
export const shareLinkExpiries = ['1h', '1d', '7d'] as const

export const settingsSchema = z
  .object({
    startOnLogin: z.boolean().default(false),
    /** Empty: the bundled rclone, then PATH. */
    rclonePath: z.string().default(''),
    theme: z.enum(['system', 'light', 'dark']).default('system'),
    /** Set when the user chose to keep secrets without an OS keyring (Linux without a secret service). */
    allowPlaintextSecrets: z.boolean().default(false),
    /** Mounted folders show, under their names, in the sidebar of GTK file managers (Nautilus, Nemo, Thunar, Caja). */
    fileManagerBookmarks: z.boolean().default(true),
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
  /**
   * The SSH server's key as this test saw it: `pinned` when the draft already pins it (and it matched);
   * otherwise the window offers "Trust this key", which puts the fingerprint into the draft.
   */
  hostKey?: { fingerprint: string; pinned: boolean }
}

/**
 * What an import would change, shown before anything changes (`config:import`, `config:import-rclone`);
 * `config:import-apply` with its token applies exactly this. Secrets never appear, only where they go.
 */
export interface ImportReview {
  token: string
  source: 'rmount' | 'rclone'
  fileName: string
  remotes: Array<{ id: string; name: string; where: string; replaces: boolean }>
  mounts: Array<{ id: string; remoteId: string; localPath: string; replaces: boolean }>
  /** Mounts the file sets to mount at start: imported with it off unless the person ticks it. */
  mountAtStart: Array<{ id: string; localPath: string }>
  /** Secrets the file takes from environment variables, and where each would be sent. */
  envRefs: Array<{ remoteId: string; field: string; variable: string; sentTo: string }>
  /** Every mount option that differs from the defaults. */
  options: Array<{ mountId: string; option: string; value: string }>
  /** SSH hosts with no pinned key: pinned at their first successful connection. */
  unpinnedHosts: Array<{ remoteId: string; host: string }>
  /** What is left out, and why. */
  skipped: string[]
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
  /** A share link for a file inside the mount's folder (S3 only). */
  'mount:share-link': z.object({ id: idSchema, path: z.string().min(1).max(4096), expire: z.enum(shareLinkExpiries) }).strict(),
  // rclone's path is not among them: only the main process's file dialog sets it ('settings:choose-rclone').
  'settings:set': settingsSchema.omit({ rclonePath: true }).partial().strict(),
  'system:check': z.undefined(),
  'dialog:pick-folder': z.object({ title: z.string().max(200).optional() }).strict(),
  'dialog:pick-file': z.object({ title: z.string().max(200).optional() }).strict(),
  'config:export': z.object({ includeSecrets: z.boolean().default(false) }).strict(),
  'config:import': z.undefined(),
  'config:import-rclone': z.undefined(),
  'config:import-apply': z.object({ token: z.string().regex(/^[0-9a-f]{32}$/), mountAtStart: z.boolean().default(false) }).strict(),
  'settings:choose-rclone': z.object({ useBundled: z.boolean().default(false) }).strict(),
  'demo:start': z.undefined(),
  /** One level of folders (or buckets) of a remote, for the mount editor's picker; secrets kept like 'remote:test'. */
  'remote:list': z.object({ remote: remoteDraftSchema, id: idSchema.optional(), remotePath: z.string().max(4096).default('') }).strict(),
  /** A free folder for a new mount: ~/RMount/<name>. */
  'mount:suggest-folder': z.object({ name: z.string().max(200) }).strict(),
} as const satisfies Record<string, z.ZodType>

export interface SystemCheckView {
  ok: boolean
  items: Array<{ name: string; ok: boolean; detail: string; fix?: string }>
  /** source: where it was found (option, env, packaged, vendor, PATH); lacks: what an older rclone cannot do. */
  rclone: { path: string; version: string; source?: string; lacks?: string[] } | null
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
  'mount:share-link': { url: string; expiresAt: number }
  'settings:set': Settings
  'system:check': SystemCheckView
  'dialog:pick-folder': string | null
  'dialog:pick-file': string | null
  'config:export': { path: string } | null
  /** Picks a config file and reviews it; nothing changes until 'config:import-apply'. */
  'config:import': ImportReview | null
  /** Picks an rclone.conf and reviews its S3 and SFTP remotes; nothing changes until 'config:import-apply'. */
  'config:import-rclone': ImportReview | null
  'config:import-apply': { remotes: number; mounts: number }
  /** rclone's path, chosen in the main process's file dialog and checked to be a supported rclone; null when cancelled. */
  'settings:choose-rclone': Settings | null
  /** Shares a demo folder on 127.0.0.1 over SFTP, saves its remote and mount, and mounts it. */
  'demo:start': { remoteId: string; mountId: string; health: MountHealth }
  'remote:list': { entries: string[]; truncated: boolean }
  'mount:suggest-folder': string
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

/** A request's outcome as it crosses IPC: errors as `{ code, message }`, never a thrown object. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo }

/** The API the preload puts on `window.rmount`, typed from the map above. */
export interface RmountApi {
  request<C extends RequestChannel>(channel: C, payload: RequestPayload<C>): Promise<IpcResult<RequestResponses[C]>>
  on<E extends EventChannel>(channel: E, listener: (payload: EventPayloads[E]) => void): () => void
}
