/**
 * The desktop store's shape on disk, its version, and the steps that bring an older file up to date.
 * Built from the shared schemas (the same field rules as `rmount up` and the editor forms); only the
 * secret fields differ: they hold a StoredSecret instead of a value.
 */
import { z } from 'zod'
import {
  checkS3Remote,
  checkSftpRemote,
  configFileSchema,
  describeIssues,
  desktopMountOptionsSchema,
  s3RemoteFields,
  savedMountSchema,
  savedRemoteSchema,
  secretSchema,
  sftpRemoteFields,
} from '../../../shared/config.js'
import { RmountError } from '../../../shared/errors.js'
import { settingsSchema } from '../../../shared/ipc.js'
import type { StoredConfig } from '../contracts.js'

/** The layout version this build writes; a file with a higher one came from a newer RMount. */
export const storeVersion = 3

/** The fields of each remote type that hold secrets. */
export const secretFields: Readonly<Record<'s3' | 'sftp', readonly string[]>> = {
  s3: ['secretAccessKey'],
  sftp: ['password', 'keyPassphrase'],
}

/** A stored secret: ciphertext from the SecretCipher, a plain value (only with the user's consent), or an env reference. */
export const storedSecretSchema = z.union([
  z.object({ encrypted: z.string().min(1) }).strict(),
  z.object({ plain: z.string().min(1) }).strict(),
  // The shared `{ env }` schema, so a stored reference obeys the same naming rule as in `rmount up` files.
  secretSchema.options[1],
])

/** An S3 remote as stored. */
export const storedS3RemoteSchema = z
  .object({ ...s3RemoteFields, secretAccessKey: storedSecretSchema.optional() })
  .strict()
  .superRefine(checkS3Remote)

/** An SFTP remote as stored. */
export const storedSftpRemoteSchema = z
  .object({ ...sftpRemoteFields, password: storedSecretSchema.optional(), keyPassphrase: storedSecretSchema.optional() })
  .strict()
  .superRefine(checkSftpRemote)

/** A saved remote as stored: id and name as in `rmount up` files, the connection with stored secrets. */
export const storedRemoteSchema = savedRemoteSchema.extend({
  remote: z.discriminatedUnion('type', [storedS3RemoteSchema, storedSftpRemoteSchema]),
})
export type StoredRemoteData = z.infer<typeof storedRemoteSchema>

// configFileSchema's rules across remotes and mounts (every mount names an existing remote, no folder is used
// twice) live in its refinement, which safeExtend keeps. Its compile-time guard would refuse the stored secret
// type, which those rules never read; the cast only hides the config file's own field types from that guard.
const configFileBase = configFileSchema as unknown as z.ZodObject<Record<never, never>, z.core.$strict>

/** A mount as the desktop app keeps it: without `rclonePath` or `stateDir`, which its window may not set. */
export const storedMountSchema = savedMountSchema.extend({ options: desktopMountOptionsSchema.default({}) })

/** The whole store at `storeVersion`. */
export const storedConfigSchema = configFileBase.safeExtend({
  version: z.literal(storeVersion),
  remotes: z.array(storedRemoteSchema).default([]),
  mounts: z.array(storedMountSchema).default([]),
  settings: settingsSchema,
})

/** What a first start (or a moved-aside file) begins with. */
export function defaultStoredConfig(): StoredConfig {
  return { version: storeVersion, remotes: [], mounts: [], settings: settingsSchema.parse({}) }
}

/**
 * One step from layout `from` to `from + 1`: a pure function over plain JSON. A step must not use the
 * current schemas: they describe the newest layout and will move on, while the layout a step reads never
 * changes. Freeze what it needs (field names, default values) inside the step.
 */
export interface MigrationStep {
  from: number
  /** What changed, for the people who read the list. */
  change: string
  up(raw: Record<string, unknown>): Record<string, unknown>
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The steps of this build, in order; step i goes from version i to i + 1. */
export const migrations: readonly MigrationStep[] = [
  {
    from: 0,
    change:
      'The store held an `rmount up` config file as-is: secrets inline or { env }, no settings. Add settings; mark inline secrets plain.',
    up(raw) {
      // Version 1's secret fields and settings defaults, frozen here on purpose (see MigrationStep).
      const secretFieldsV1 = ['secretAccessKey', 'password', 'keyPassphrase']
      const settingsV1 = { startOnLogin: false, rclonePath: '', theme: 'system', allowPlaintextSecrets: false }
      const remotes = Array.isArray(raw.remotes) ? raw.remotes : []
      return {
        ...raw,
        version: 1,
        // These values were already plain text on disk; `sealPlainSecrets` encrypts them once a cipher is at hand.
        remotes: remotes.map((saved: unknown) => {
          if (!isRecord(saved) || !isRecord(saved.remote)) return saved
          const remote = { ...saved.remote }
          for (const field of secretFieldsV1) if (typeof remote[field] === 'string') remote[field] = { plain: remote[field] }
          return { ...saved, remote }
        }),
        settings: settingsV1,
      }
    },
  },
  {
    from: 1,
    change:
      'Mounts no longer keep rclonePath or stateDir: the window could set them, naming any program to run or any folder ' +
      'to write host keys into. rclone is chosen in Settings; every mount uses its own folder.',
    up(raw) {
      const mounts = Array.isArray(raw.mounts) ? raw.mounts : []
      return {
        ...raw,
        version: 2,
        mounts: mounts.map((mount: unknown) => {
          if (!isRecord(mount) || !isRecord(mount.options)) return mount
          const { rclonePath: _rclonePath, stateDir: _stateDir, ...options } = mount.options
          return { ...mount, options }
        }),
      }
    },
  },
  {
    from: 2,
    change: "Mounts have names, shown in the tray, the window and the file manager: each starts with its folder's name.",
    up(raw) {
      const mounts = Array.isArray(raw.mounts) ? raw.mounts : []
      return {
        ...raw,
        version: 3,
        mounts: mounts.map((mount: unknown) => {
          if (!isRecord(mount) || typeof mount.localPath !== 'string' || mount.name !== undefined) return mount
          // Frozen here (see MigrationStep): the last name in the path, as version 2 showed it.
          const folder =
            mount.localPath
              .split(/[\\/]+/)
              .filter(Boolean)
              .at(-1) ?? mount.localPath
          return { ...mount, name: folder }
        }),
      }
    },
  },
]

/**
 * The layout version of a stored file. Before settings existed the store held an `rmount up` config file
 * verbatim, whose own `version` field is the config file format's (1), not the store's: that layout is
 * recognised by its missing `settings` and is version 0.
 */
export function storedVersion(raw: unknown): number {
  if (!isRecord(raw)) throw new RmountError('INVALID_CONFIG', 'config: The settings file does not hold a JSON object.')
  const { version } = raw
  if (typeof version === 'number' && Number.isInteger(version) && version > storeVersion) return version
  if (!('settings' in raw)) return 0
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0)
    throw new RmountError('INVALID_CONFIG', 'version: The settings file has no valid version number.')
  return version
}

/** How to bring a file to `target`: the steps, and how to read a file's version. */
export interface MigrationPlan {
  steps: readonly MigrationStep[]
  target: number
  versionOf(raw: unknown): number
}

/**
 * Applies the steps from the file's version up to `target`, in order, on a copy of `raw`. Refuses a file
 * newer than `target`: no step can bring it down without losing what the newer RMount added.
 */
export function runMigrations(raw: unknown, plan: MigrationPlan): Record<string, unknown> {
  let version = plan.versionOf(raw)
  if (version > plan.target)
    throw new RmountError(
      'INVALID_CONFIG',
      `The settings file has version ${version}, newer than this RMount (${plan.target}): update RMount.`,
    )
  // A copy, so steps may reshape their input freely without touching the caller's object.
  let value = structuredClone(raw) as Record<string, unknown>
  while (version < plan.target) {
    const step = plan.steps.find((s) => s.from === version)
    if (!step) throw new Error(`No migration from store version ${version}: the migration list has a gap.`)
    value = step.up(value)
    const reached = plan.versionOf(value)
    if (reached !== version + 1) throw new Error(`The migration from store version ${version} produced version ${reached}.`)
    version = reached
  }
  return value
}

/** Any stored file, of this or an older layout, as the current StoredConfig; INVALID_CONFIG naming each bad field. */
export function migrate(raw: unknown): StoredConfig {
  const upgraded = runMigrations(raw, { steps: migrations, target: storeVersion, versionOf: storedVersion })
  const parsed = storedConfigSchema.safeParse(upgraded)
  if (!parsed.success) throw new RmountError('INVALID_CONFIG', describeIssues(parsed.error))
  return parsed.data
}
