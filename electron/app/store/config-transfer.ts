/**
 * Moving a configuration in and out of the desktop app, in the format `rmount up --config` reads, so a
 * setup made in the window runs on a headless machine and back.
 */
import { randomBytes } from 'node:crypto'
import { chmod, rename, unlink, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { configFileSchema, configVersion, describeIssues, type ConfigFile } from '../../../shared/config.js'
import { RmountError } from '../../../shared/errors.js'
import type { SecretCipher, StoredConfig, StoredRemote, StoredSecret } from '../contracts.js'
import { mapSecretFields, secretLabel, storeSecret } from './secrets.js'
import { storedConfigSchema } from './store-schema.js'

/** The environment variable an export names for a secret it leaves out: `RMOUNT_<REMOTE ID>_<FIELD>` in SCREAMING_SNAKE. */
export function exportEnvName(remoteId: string, field: string): string {
  const snake = (text: string) => text.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_')
  return `RMOUNT_${snake(remoteId)}_${snake(field)}`.toUpperCase()
}

/**
 * The stored config as an `rmount up --config` file. Without `includeSecrets`, every secret value becomes an
 * `{ env }` reference named by `exportEnvName` (an `{ env }` the user gave stays as it is); with it, values are
 * decrypted into the file, which the caller must then write readable by the user alone (`writeConfigFile`).
 */
export async function exportConfig(stored: StoredConfig, cipher: SecretCipher, options: { includeSecrets: boolean }): Promise<ConfigFile> {
  const valid = storedConfigSchema.safeParse(stored)
  if (!valid.success) throw new RmountError('INVALID_CONFIG', `The settings cannot be exported:\n${describeIssues(valid.error)}`)
  const config = valid.data
  const remotes = await Promise.all(
    config.remotes.map(async (saved) => ({
      id: saved.id,
      name: saved.name,
      remote: await mapSecretFields(saved.remote, async (value, field) => {
        const secret = value as StoredSecret
        if ('env' in secret) return secret
        if (!options.includeSecrets) return { env: exportEnvName(saved.id, field) }
        if ('plain' in secret) return secret.plain
        try {
          return await cipher.decrypt(secret.encrypted)
        } catch {
          throw new RmountError(
            'INVALID_CONFIG',
            `The saved ${secretLabel(field)} of remote "${saved.id}" cannot be decrypted (the OS keyring may have changed): enter it again, ` +
              'or export without secrets.',
          )
        }
      }),
    })),
  )
  const file = configFileSchema.safeParse({ version: configVersion, remotes, mounts: config.mounts })
  // Cannot happen for a valid store; checked so a drift between the two schemas shows here, not in `rmount up`.
  if (!file.success) throw new RmountError('INVALID_CONFIG', `The export would not be a valid config file:\n${describeIssues(file.error)}`)
  return file.data
}

/**
 * Writes a config file readable by the user alone (it may hold secrets): to a temporary file created 0600,
 * then renamed over `path`, so neither a half-written file nor a moment of wider access ever exists.
 */
export async function writeConfigFile(path: string, config: ConfigFile): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    await writeFile(temp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600, flag: 'wx' })
    // The mode given at creation passes through the umask; this one does not.
    await chmod(temp, 0o600)
    await rename(temp, path)
  } catch (error) {
    await unlink(temp).catch(() => {})
    throw error
  }
}

function mergeById<T extends { id: string }>(current: readonly T[], imported: readonly T[]): T[] {
  const byId = new Map(imported.map((item) => [item.id, item]))
  const merged = current.map((item) => byId.get(item.id) ?? item)
  const known = new Set(current.map((item) => item.id))
  return [...merged, ...imported.filter((item) => !known.has(item.id))]
}

/**
 * `current` with the remotes and mounts of an `rmount up` config file merged in by id (the imported one wins),
 * inline secrets stored through `storeSecret` (encrypted, or refused without a keyring and consent). An
 * invalid file, or a merge that would be invalid, is refused with INVALID_CONFIG naming each bad field, and
 * nothing changes: `current` is never modified.
 */
export async function importConfig(
  json: unknown,
  current: StoredConfig,
  cipher: SecretCipher,
): Promise<{ config: StoredConfig; remotes: number; mounts: number }> {
  const file = configFileSchema.safeParse(json)
  if (!file.success) throw new RmountError('INVALID_CONFIG', `The config file has errors:\n${describeIssues(file.error)}`)
  const remotes: StoredRemote[] = await Promise.all(
    file.data.remotes.map(async (saved) => ({
      ...saved,
      remote: await mapSecretFields(saved.remote, (secret) =>
        typeof secret === 'string' ? storeSecret(secret, cipher, current.settings) : secret,
      ),
    })),
  )
  const merged = storedConfigSchema.safeParse({
    ...current,
    remotes: mergeById(current.remotes, remotes),
    mounts: mergeById(current.mounts, file.data.mounts),
  })
  if (!merged.success)
    throw new RmountError('INVALID_CONFIG', `The config file does not fit with the current settings:\n${describeIssues(merged.error)}`)
  return { config: merged.data, remotes: remotes.length, mounts: file.data.mounts.length }
}
