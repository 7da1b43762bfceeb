/**
 * The configuration shapes of RMount: one zod schema per shape, used by the engine, the CLI,
 * the desktop store, the IPC validation and the renderer forms alike.
 */
import { z } from 'zod'
import { extraArgProblem } from './rclone-flags.js'

/**
 * A secret is given inline, or by the name of an environment variable that holds it
 * (for headless machines, so a config file need not contain it).
 */
export const secretSchema = z.union(
  [
    z.string().min(1, 'Enter the secret, or leave the field out.'),
    z.object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'Give the name of an environment variable.') }).strict(),
  ],
  // Without this, a near miss like { "ENV": "X" } is reported as "Invalid input" and nothing more.
  { error: 'A secret is a string, or { "env": "NAME" } naming an environment variable that holds it ("env" in lower case).' },
)
export type Secret = z.infer<typeof secretSchema>

/** S3 providers offered by name; each fills its own defaults (see `s3ProviderDefaults`). */
export const s3Providers = ['AWS', 'GCS', 'Minio', 'Cloudflare', 'Wasabi', 'DigitalOcean', 'Other'] as const
export type S3Provider = (typeof s3Providers)[number]

/** Defaults each S3 provider needs; the forms show them and the engine applies them. */
export const s3ProviderDefaults: Record<S3Provider, { region?: string; endpoint?: string; pathStyle?: boolean }> = {
  AWS: { region: 'us-east-1' },
  GCS: { endpoint: 'https://storage.googleapis.com' },
  Minio: { region: 'us-east-1', pathStyle: true },
  Cloudflare: { region: 'auto' },
  Wasabi: { region: 'us-east-1', endpoint: 'https://s3.wasabisys.com' },
  DigitalOcean: {},
  Other: {},
}

// The host pattern matters in the window: Chromium's URL parser escapes a space in a host ("exa%20mple.com")
// where Node's refuses it, so without it the form would pass what the main process then rejects.
const endpointSchema = z.url({
  protocol: /^https?$/,
  hostname: /^[A-Za-z0-9_.-]+$|^\[[0-9a-fA-F:.]+\]$/,
  error: 'Enter the endpoint as a URL, like https://s3.example.com.',
})

/** The fields of an S3 remote; the IPC draft reuses them with write-only secrets. */
export const s3RemoteFields = {
  type: z.literal('s3'),
  provider: z.enum(s3Providers),
  region: z.string().min(1).optional(),
  endpoint: endpointSchema.optional(),
  accessKeyId: z.string().min(1, 'Enter the access key ID.').optional(),
  secretAccessKey: secretSchema.optional(),
  /** Take credentials from the AWS environment (variables, profile, instance role) instead of keys. */
  envAuth: z.boolean().optional(),
  /** Canned ACL for new objects; empty means the provider's default. */
  acl: z.string().optional(),
  /** Sign with AWS signature v2, for old S3-compatible servers. */
  v2Auth: z.boolean().optional(),
}

/** Rules across S3 fields, shared by the stored shape and the editor's draft. */
export function checkS3Remote(
  remote: { provider: S3Provider; envAuth?: boolean; accessKeyId?: string; secretAccessKey?: unknown; endpoint?: string },
  ctx: z.RefinementCtx,
): void {
  if (!remote.envAuth && (!remote.accessKeyId || !remote.secretAccessKey)) {
    ctx.addIssue({
      code: 'custom',
      path: remote.accessKeyId ? ['secretAccessKey'] : ['accessKeyId'],
      message: 'Enter an access key ID and secret access key, or turn on credentials from the environment.',
    })
  }
  if (remote.provider !== 'AWS' && !remote.endpoint && remote.provider !== 'GCS') {
    ctx.addIssue({ code: 'custom', path: ['endpoint'], message: `Enter the endpoint URL of your ${remote.provider} server.` })
  }
}

/** Where an S3 endpoint's host is AWS's own: there, and only there, virtual-hosted addressing is the rule. */
const awsHost = /(^|\.)amazonaws\.com(\.cn)?$/i

/**
 * A warning for provider AWS with an endpoint that is not AWS: rclone then addresses buckets in the host
 * name (`bucket.host`), which other servers rarely answer, and the failure reads "could not reach".
 */
export function s3AddressingWarning(remote: { provider: S3Provider; endpoint?: string }): string | null {
  if (remote.provider !== 'AWS' || !remote.endpoint) return null
  let host: string
  try {
    host = new URL(remote.endpoint).hostname
  } catch {
    return null
  }
  // An address rather than a name leaves the bucket in the path (measured with rclone 1.75 and an IPv4 endpoint).
  if (awsHost.test(host) || /^[\d.]+$|^\[/.test(host)) return null
  return `Provider AWS with the endpoint ${remote.endpoint} puts the bucket in the host name (my-bucket.${host}, virtual-hosted style), which servers other than AWS rarely answer: for MinIO, Ceph, Garage, s3rver and other S3-compatible servers choose provider Minio or Other, which address buckets in the path.`
}

export const s3RemoteSchema = z.object(s3RemoteFields).strict().superRefine(checkS3Remote)
export type S3Remote = z.infer<typeof s3RemoteSchema>

/** The fields of an SFTP remote; the IPC draft reuses them with write-only secrets. */
export const sftpRemoteFields = {
  type: z.literal('sftp'),
  host: z
    .string()
    .min(1, 'Enter the server name or address.')
    .regex(/^[^\s/@:]+$|^\[[0-9a-fA-F:.]+\]$|^[0-9a-fA-F:]+$/, 'Enter a host name or IP address, without user or path.'),
  port: z
    .number({ error: 'Enter a port number.' })
    .int('Enter a whole number.')
    .min(1, 'Ports go from 1 to 65535.')
    .max(65535, 'Ports go from 1 to 65535.')
    .default(22),
  user: z.string().min(1, 'Enter the user name.'),
  /** Private key file (OpenSSH or PEM format). */
  keyFile: z.string().min(1).optional(),
  /** Passphrase of the key file, when it has one. */
  keyPassphrase: secretSchema.optional(),
  password: secretSchema.optional(),
  /** Authenticate through the running ssh-agent (SSH_AUTH_SOCK). */
  agent: z.boolean().optional(),
  /** Pin the server's host key: a known_hosts file... */
  knownHostsFile: z.string().min(1).optional(),
  /** ...or its SHA256 fingerprint as `ssh-keygen -l` prints it. */
  hostKeyFingerprint: z
    .string()
    .regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'A fingerprint looks like SHA256: followed by 43 characters.')
    .optional(),
}

/** Rules across SFTP fields, shared by the stored shape and the editor's draft. */
export function checkSftpRemote(
  remote: { keyFile?: string; password?: unknown; agent?: boolean; knownHostsFile?: string; hostKeyFingerprint?: string },
  ctx: z.RefinementCtx,
): void {
  if (!remote.keyFile && remote.password === undefined && !remote.agent) {
    ctx.addIssue({ code: 'custom', path: ['keyFile'], message: 'Choose a key file, a password or the SSH agent.' })
  }
  if (remote.knownHostsFile && remote.hostKeyFingerprint) {
    ctx.addIssue({
      code: 'custom',
      path: ['hostKeyFingerprint'],
      message: 'Pin the host key with a known_hosts file or a fingerprint, not both.',
    })
  }
}

export const sftpRemoteSchema = z.object(sftpRemoteFields).strict().superRefine(checkSftpRemote)
export type SftpRemote = z.infer<typeof sftpRemoteSchema>

export const remoteSchema = z.discriminatedUnion('type', [s3RemoteSchema, sftpRemoteSchema])
export type Remote = z.infer<typeof remoteSchema>
export type RemoteInput = z.input<typeof remoteSchema>

export const cacheModes = ['off', 'minimal', 'writes', 'full'] as const

/** One extra rclone option: refused, naming the flag, unless the allow-list has it (see rclone-flags.ts). */
export const extraArgSchema = z.string().superRefine((arg, ctx) => {
  const problem = extraArgProblem(arg)
  if (problem) ctx.addIssue({ code: 'custom', message: problem })
})

/**
 * A mount's options as given: every field optional, no defaults filled in, so a saved mount keeps
 * only what the person chose and picks up better defaults in later versions.
 */
export const mountOptionOverridesSchema = z
  .object({
    readOnly: z.boolean(),
    /** rclone's VFS cache mode; `writes` lets ordinary programs (editors, git, tar) work. */
    cacheMode: z.enum(cacheModes),
    /** Mount over a folder that already holds files, hiding them while mounted. */
    allowNonEmpty: z.boolean(),
    /** How long a closed file waits in the cache before upload, in ms (rclone's --vfs-write-back). */
    writeBackMs: z.number().int().min(0).max(3_600_000),
    /** How often the remote and the mount are probed, in ms. */
    probeIntervalMs: z.number().int().min(100).max(600_000),
    /** A probe not answered within this time marks the mount degraded, in ms. */
    probeTimeoutMs: z.number().int().min(100).max(600_000),
    /** Time allowed for the mount to come up, in ms. */
    mountTimeoutMs: z.number().int().min(1000).max(600_000),
    /** Restarts allowed within `restartWindowMs` before the mount gives up. */
    maxRestarts: z.number().int().min(0).max(1000),
    restartWindowMs: z.number().int().min(1000),
    /** rclone executable; found in vendor/ then PATH when left out. */
    rclonePath: z.string().min(1),
    /** Folder for this mount's cache, log and private files; stable per mount when left out. */
    stateDir: z.string().min(1),
    /**
     * Look for changes made on the remote by other clients every this many seconds (rclone's
     * --dir-cache-time): a folder listed longer ago is listed again when next read.
     */
    changeCheckSeconds: z
      .number({ error: 'Enter a number of seconds.' })
      .int('Enter a whole number of seconds.')
      .min(1, 'Use 1 s or more.')
      .max(86_400, 'Use at most 86400 s (one day).'),
    /** Extra rclone flags, for what the options above do not cover: `--name=value` items from the allow-list in rclone-flags.ts. */
    extraArgs: z.array(extraArgSchema),
  })
  .partial()
  .strict()
export type MountOptionsInput = z.input<typeof mountOptionOverridesSchema>

/**
 * The mount options the desktop app keeps and its window may set: all but `rclonePath` (a program to run)
 * and `stateDir` (where host keys and caches are written), which only a config file or the library may give.
 */
export const desktopMountOptionsSchema = mountOptionOverridesSchema.omit({ rclonePath: true, stateDir: true })

/** Mount options that the desktop app never takes from its window or an imported file. */
export const desktopExcludedMountOptions = ['rclonePath', 'stateDir'] as const

export const mountOptionDefaults = {
  readOnly: false,
  cacheMode: 'writes',
  allowNonEmpty: false,
  writeBackMs: 5000,
  probeIntervalMs: 1000,
  probeTimeoutMs: 1200,
  mountTimeoutMs: 30_000,
  maxRestarts: 5,
  restartWindowMs: 60_000,
  // With the kernel's 1 s attribute cache, a new file on the remote shows within about 6 s, well inside 10.
  changeCheckSeconds: 5,
  extraArgs: [] as string[],
} as const satisfies MountOptionsInput

/** The options a mount runs with: what was given, over the defaults. */
export const mountOptionsSchema = mountOptionOverridesSchema.transform((given) => ({ ...mountOptionDefaults, ...given }))
export type MountOptions = z.output<typeof mountOptionsSchema>

export const idSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'Use lower-case letters, digits and dashes.')

/** A remote as it is saved: the connection plus a name a person recognises. */
export const savedRemoteSchema = z
  .object({ id: idSchema, name: z.string().min(1, 'Give the remote a name.'), remote: remoteSchema })
  .strict()
export type SavedRemote = z.infer<typeof savedRemoteSchema>

export const savedMountFields = {
  id: idSchema,
  remoteId: idSchema,
  /** What the tray, the window, notifications and file-manager bookmarks call the mount; its folder's name when left out. */
  name: z
    .string()
    .trim()
    .min(1, "Give the mount a name, or leave the field out to use the folder's name.")
    .max(100, 'Use at most 100 characters.')
    .optional(),
  /** `bucket/prefix` for S3, a folder like `/srv/data` for SSH. */
  remotePath: z.string(),
  localPath: z.string().refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'Choose a full folder path, like /home/me/bucket.'),
  mountAtStart: z.boolean().default(false),
  options: mountOptionOverridesSchema.default({}),
}
export const savedMountSchema = z.object(savedMountFields).strict()

/**
 * A folder path as the kernel's mount table shows it, as far as text alone can tell: no trailing
 * slash, no `//`, `.` or `..`. Symlinked parents need the filesystem; the engine resolves those.
 */
export function normalizeFolderPath(path: string): string {
  if (!path.startsWith('/')) return path
  const names: string[] = []
  for (const name of path.split('/')) {
    if (name === '..') names.pop()
    else if (name && name !== '.') names.push(name)
  }
  return `/${names.join('/')}`
}

/** What a mount is called in the tray, the window and the file manager: its own name, else its folder's name as a file manager shows it. */
export function mountName(mount: { localPath: string; name?: string | undefined }): string {
  if (mount.name) return mount.name
  return (
    mount.localPath
      .split(/[\\/]+/)
      .filter(Boolean)
      .at(-1) ?? mount.localPath
  )
}
export type SavedMount = z.infer<typeof savedMountSchema>

export const configVersion = 1

/** The whole configuration: what the desktop app stores and what `rmount up --config` reads. */
export const configFileSchema = z
  .object({
    version: z.literal(configVersion),
    remotes: z.array(savedRemoteSchema).default([]),
    mounts: z.array(savedMountSchema).default([]),
  })
  .strict()
  .superRefine((config, ctx) => {
    const remoteIds = new Set(config.remotes.map((r) => r.id))
    const seen = new Set<string>()
    config.mounts.forEach((mount, i) => {
      if (!remoteIds.has(mount.remoteId))
        ctx.addIssue({ code: 'custom', path: ['mounts', i, 'remoteId'], message: `No remote has the id "${mount.remoteId}".` })
      const folder = normalizeFolderPath(mount.localPath)
      if (seen.has(folder))
        ctx.addIssue({ code: 'custom', path: ['mounts', i, 'localPath'], message: `Two mounts use the folder ${folder}.` })
      seen.add(folder)
    })
  })
export type ConfigFile = z.infer<typeof configFileSchema>

/** One line per problem, each naming the field, for CLI output and error messages. */
export function describeIssues(error: z.ZodError): string {
  const missing = error.issues.filter(isMissing)
  return error.issues.map((issue) => issueText(issue, missing)).join('\n')
}

const pathText = (path: readonly PropertyKey[]) => (path.length ? path.join('.') : 'config')

function isMissing(issue: z.core.$ZodIssue): boolean {
  return issue.code === 'invalid_type' && issue.message.endsWith('received undefined') && typeof issue.path.at(-1) === 'string'
}

/** Every key a config file may hold, at any level: the candidates for "did you mean". */
const knownKeys = [
  ...new Set([
    ...Object.keys(configFileSchema.shape),
    ...Object.keys(savedRemoteSchema.shape),
    ...Object.keys(savedMountFields),
    ...Object.keys(s3RemoteFields),
    ...Object.keys(sftpRemoteFields),
    ...Object.keys(mountOptionOverridesSchema.shape),
    'env',
  ]),
]

/** An unknown key, with the known key it is probably a typo of; a missing key near it is the likeliest. */
function issueText(issue: z.core.$ZodIssue, missing: readonly z.core.$ZodIssue[]): string {
  const where = pathText(issue.path)
  if (isMissing(issue)) return `${where}: missing; add "${String(issue.path.at(-1))}".`
  if (issue.code !== 'unrecognized_keys') return `${where}: ${issue.message}`
  const nearby = missing.filter((m) => pathText(m.path.slice(0, -1)) === where).map((m) => String(m.path.at(-1)))
  return issue.keys
    .map((key) => {
      const guess = closestKey(key, [...nearby, ...knownKeys])
      return `${where}: Unrecognized key "${key}"${guess ? `: did you mean "${guess}"?` : '.'}`
    })
    .join('\n')
}

/** The candidate nearest to `key` by edit distance (case ignored), if near enough to be a typo. */
export function closestKey(key: string, candidates: readonly string[]): string | null {
  let best: { name: string; distance: number } | null = null
  for (const name of candidates) {
    const distance = editDistance(key.toLowerCase(), name.toLowerCase())
    if (!best || distance < best.distance) best = { name, distance }
  }
  return best && best.distance <= Math.max(1, Math.floor(key.length / 3)) ? best.name : null
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    previous = current
  }
  return previous[b.length]!
}
