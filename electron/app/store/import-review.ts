/**
 * What an import would change, listed before anything changes: a config file or an rclone.conf handed over
 * by someone else may name environment variables to send as passwords, hosts of their choosing, options and
 * mounts that start at login. Pure: the app core reads the file, shows this review, and applies the import
 * only once the person confirmed it (import-review is both the list and the plan that is applied).
 */
import {
  desktopExcludedMountOptions,
  mountOptionDefaults,
  type ConfigFile,
  type SavedMount,
  type SavedRemote,
} from '../../../shared/config.js'
import type { ImportReview } from '../../../shared/ipc.js'
import type { StoredConfig } from '../contracts.js'
import { secretLabel } from './secrets.js'
import { secretFields } from './store-schema.js'

/** What a remote connects to, as the review names it. */
function whereOf(remote: SavedRemote['remote']): string {
  if (remote.type === 'sftp') return `SSH ${remote.user}@${remote.host}${remote.port === 22 ? '' : `:${remote.port}`}`
  return `S3 ${remote.provider}${remote.endpoint ? ` at ${remote.endpoint}` : ''}`
}

/** A value as one line of the review; long ones are cut (the review is for reading, not for copying). */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 120 ? `${text.slice(0, 117)}...` : text
}

/**
 * The file as it would be imported, and the review listing it against `current`:
 * - mounts keep `mountAtStart` only when `allowMountAtStart` (the person ticked it in the review);
 * - `rclonePath` and `stateDir` are dropped from every mount and said so: the desktop app chooses rclone in
 *   its own dialog and keeps its own folders;
 * - secrets themselves never appear, only which field holds one and which environment variable a
 *   reference names.
 */
export function reviewImport(
  file: ConfigFile,
  current: StoredConfig,
  source: { kind: 'rmount' | 'rclone'; fileName: string; skipped?: string[] },
  allowMountAtStart: boolean,
): { review: Omit<ImportReview, 'token'>; file: ConfigFile } {
  const remoteIds = new Set(current.remotes.map((r) => r.id))
  const mountIds = new Set(current.mounts.map((m) => m.id))
  const skipped = [...(source.skipped ?? [])]
  const mounts: SavedMount[] = file.mounts.map((mount) => {
    const options = { ...mount.options }
    for (const key of desktopExcludedMountOptions) {
      if (options[key] === undefined) continue
      delete options[key]
      skipped.push(
        `Mount ${mount.id}: ${key} is not taken from a file (${key === 'rclonePath' ? 'choose rclone in Settings' : 'RMount keeps its own folders'}).`,
      )
    }
    return { ...mount, options, mountAtStart: mount.mountAtStart && allowMountAtStart }
  })
  const review: Omit<ImportReview, 'token'> = {
    source: source.kind,
    fileName: source.fileName,
    remotes: file.remotes.map((saved) => ({
      id: saved.id,
      name: saved.name,
      where: whereOf(saved.remote),
      replaces: remoteIds.has(saved.id),
    })),
    mounts: file.mounts.map((mount) => ({
      id: mount.id,
      remoteId: mount.remoteId,
      localPath: mount.localPath,
      replaces: mountIds.has(mount.id),
    })),
    mountAtStart: file.mounts.filter((m) => m.mountAtStart).map((m) => ({ id: m.id, localPath: m.localPath })),
    envRefs: file.remotes.flatMap((saved) =>
      secretFields[saved.remote.type].flatMap((field) => {
        const value = (saved.remote as Record<string, unknown>)[field]
        return value && typeof value === 'object' && 'env' in value
          ? [{ remoteId: saved.id, field: secretLabel(field), variable: String(value.env), sentTo: whereOf(saved.remote) }]
          : []
      }),
    ),
    options: mounts.flatMap((mount) =>
      Object.entries(mount.options)
        .filter(([key, value]) => shown(value) !== shown((mountOptionDefaults as Record<string, unknown>)[key]))
        .map(([key, value]) => ({ mountId: mount.id, option: key, value: shown(value) })),
    ),
    unpinnedHosts: file.remotes.flatMap((saved) =>
      saved.remote.type === 'sftp' && !saved.remote.hostKeyFingerprint && !saved.remote.knownHostsFile
        ? [{ remoteId: saved.id, host: `${saved.remote.host}:${saved.remote.port}` }]
        : [],
    ),
    skipped,
  }
  return { review, file: { ...file, mounts } }
}
