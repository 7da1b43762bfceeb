/**
 * The desktop config on disk: `config.json` in the app's data folder, read and written through `conf` (the
 * store under electron-store), validated and migrated with our own zod schema.
 *
 * What conf does with a bad file, measured with conf 15.1 (clearInvalidConfig: false):
 * - invalid JSON, an empty file included: the constructor and every later read of `store` throw the
 *   SyntaxError of JSON.parse; the file is left alone.
 * - valid JSON that is not an object: no error; `store` is `{}` for null, and index keys for arrays and strings.
 * - a missing file: `store` is `{}`; the folder is created, the file is not.
 * - writing `store` replaces any file, a corrupt one included, without a word: atomically (temp file, fsync,
 *   rename), with exactly `configFileMode`; it keeps the `__internal__` key of the file it replaces.
 * So a file is judged before any write, and one that cannot be used is moved aside first.
 */
import { randomBytes } from 'node:crypto'
import { chmod, copyFile, constants, link, unlink } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import Conf from 'conf'
import { describeIssues } from '../../../shared/config.js'
import { RmountError } from '../../../shared/errors.js'
import type { ConfigRepository, StoredConfig } from '../contracts.js'
import { describeJsonError } from './json-syntax.js'
import { defaultStoredConfig, migrate, storeVersion, storedConfigSchema, storedVersion } from './store-schema.js'

/** Where the config lives. */
export interface FileConfigRepositoryOptions {
  /** The folder of `config.json`: Electron's userData folder in the app, a temporary folder in tests. */
  cwd: string
  /** conf's project name (`rmount` by default); conf only uses it to find a folder when `cwd` is left out. */
  projectName?: string
}

/** What is on disk, judged before anything is written. */
type FileState =
  { kind: 'empty' } | { kind: 'valid'; config: StoredConfig } | { kind: 'newer'; version: number } | { kind: 'unusable'; reason: string }

/** `config.json` through conf: a file that cannot be used is moved aside, never reset; a newer file is never touched. */
export class FileConfigRepository implements ConfigRepository {
  /** The config file's full path. */
  readonly path: string
  readonly #options: Required<FileConfigRepositoryOptions>
  #conf: Conf | undefined
  /** Set while the file on disk comes from a newer RMount: saving would destroy what that version added. */
  #newerVersion: number | null = null

  constructor(options: FileConfigRepositoryOptions) {
    this.#options = { projectName: 'rmount', ...options }
    // conf's own rule (cwd + configName + .json), needed before conf exists: its constructor throws on a corrupt file.
    this.path = join(options.cwd, 'config.json')
  }

  /** The stored config at the current version; defaults plus a notice when the file was moved aside or is newer. */
  async load(): Promise<{ config: StoredConfig; notice: string | null }> {
    const file = this.#judge()
    this.#newerVersion = file.kind === 'newer' ? file.version : null
    switch (file.kind) {
      case 'empty':
        return { config: defaultStoredConfig(), notice: null }
      case 'valid':
        return { config: file.config, notice: null }
      case 'newer':
        return {
          config: defaultStoredConfig(),
          notice:
            `${this.path} was written by a newer RMount (settings version ${file.version}, this one knows ${storeVersion}); it was ` +
            'left untouched, and changes made now will not be saved. Update RMount to use your remotes and mounts again.',
        }
      case 'unusable': {
        const moved = await this.#moveAside()
        return {
          config: defaultStoredConfig(),
          notice:
            `RMount could not use its settings file (${file.reason}), so it moved it to ${moved} and started with no remotes or ` +
            `mounts. To get them back, quit RMount, fix that file and rename it to ${basename(this.path)}; otherwise delete it.`,
        }
      }
    }
  }

  /**
   * Writes the config atomically, mode 0600. Refuses an invalid config, and to replace a file from a newer
   * RMount; a file that became unusable since load() is moved aside first, like at load.
   */
  async save(config: StoredConfig): Promise<void> {
    if (this.#newerVersion !== null) throw this.#newerError(this.#newerVersion)
    const parsed = storedConfigSchema.safeParse(config)
    if (!parsed.success) throw new RmountError('INVALID_CONFIG', `The settings were not saved:\n${describeIssues(parsed.error)}`)
    // The file may have changed since load() (another RMount, a hand edit), and conf would replace anything without a word.
    const file = this.#judge()
    if (file.kind === 'newer') {
      this.#newerVersion = file.version
      throw this.#newerError(file.version)
    }
    if (file.kind === 'unusable') await this.#moveAside()
    this.#open().store = parsed.data
    // conf writes in place, keeping the old mode, when it runs in a Snap; the file holds secrets either way.
    await chmod(this.path, 0o600)
  }

  #judge(): FileState {
    let raw: Record<string, unknown>
    try {
      raw = { ...this.#open().store }
    } catch (error) {
      // Said without quoting the file: JSON.parse's message would show the text around the error, secrets included.
      if (error instanceof SyntaxError) return { kind: 'unusable', reason: describeJsonError(readFileSync(this.path, 'utf8')) }
      const code = (error as NodeJS.ErrnoException).code ?? String(error)
      const message = `The settings file ${this.path} cannot be read (${code}): check its permissions.`
      throw new RmountError('INVALID_CONFIG', message, { cause: error })
    }
    // conf's bookkeeping (electron-store's migrations write it), not part of our layout.
    delete raw.__internal__
    // conf reads a missing file (and JSON null) as {}: nothing stored yet.
    if (Object.keys(raw).length === 0) return { kind: 'empty' }
    try {
      const version = storedVersion(raw)
      if (version > storeVersion) return { kind: 'newer', version }
      return { kind: 'valid', config: migrate(raw) }
    } catch (error) {
      if (!(error instanceof RmountError)) throw error
      return { kind: 'unusable', reason: `it has errors: ${firstLines(error.message)}` }
    }
  }

  #open(): Conf {
    this.#conf ??= new Conf({
      projectName: this.#options.projectName,
      cwd: this.#options.cwd,
      configName: 'config',
      configFileMode: 0o600,
      // We judge the file ourselves: conf would reset it to {} and lose it.
      clearInvalidConfig: false,
    })
    return this.#conf
  }

  /** Moves the file to `config.corrupt-<timestamp>.json`, never over an existing file. */
  async #moveAside(): Promise<string> {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-')
    for (let attempt = 0; ; attempt++) {
      const suffix = attempt === 0 ? '' : `-${randomBytes(3).toString('hex')}`
      const target = join(dirname(this.path), `config.corrupt-${stamp}${suffix}.json`)
      try {
        // link() fails if the target exists, where rename() would replace it; and it keeps the file's mode.
        await link(this.path, target)
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        if (code === 'EEXIST' && attempt < 5) continue
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw error
        // A filesystem without hard links.
        await copyFile(this.path, target, constants.COPYFILE_EXCL)
      }
      await unlink(this.path)
      return target
    }
  }

  #newerError(version: number): RmountError {
    return new RmountError(
      'INVALID_CONFIG',
      `Changes cannot be saved: ${this.path} was written by a newer RMount (settings version ${version}) and saving would ` +
        'overwrite it. Update RMount.',
    )
  }
}

function firstLines(text: string, count = 3): string {
  const lines = text.split('\n')
  return lines.slice(0, count).join('; ') + (lines.length > count ? `; and ${lines.length - count} more` : '')
}
