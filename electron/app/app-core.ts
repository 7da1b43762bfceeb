/**
 * The desktop app's operations, one per IPC request channel, over the config repository, the secret
 * cipher, the mount manager and the shell's services. Electron-free: the shell supplies the seams of
 * contracts.ts, tests supply real files and a real cipher.
 *
 * Secrets go one way: from the editor into the store, encrypted at once; out of the store only here,
 * in the main process, to start a mount, test a connection or export on request. Every answer to the
 * renderer carries RemoteView, where a secret is only `{ set: boolean }`.
 */
import { EventEmitter } from 'node:events'
import { randomBytes } from 'node:crypto'
import { lstat, readFile } from 'node:fs/promises'
import { arch, homedir, platform } from 'node:os'
import { basename, join } from 'node:path'
import { configFileSchema, describeIssues, mountName, type RemoteInput, type SavedMount } from '../../shared/config.js'
import { RmountError } from '../../shared/errors.js'
import {
  settingsSchema,
  type shareLinkExpiries,
  type AppSnapshot,
  type EventChannel,
  type EventPayloads,
  type ImportReview,
  type MountView,
  type RemoteDraft,
  type RemoteView,
  type RequestResponses,
  type SaveMountRequest,
  type SaveRemoteRequest,
  type SecretInput,
  type Settings,
  type SystemCheckView,
  type TestConnectionResult,
} from '../../shared/ipc.js'
import type { LogLine, MountHealth } from '../../shared/mount-state.js'
import { mountFolderConflict } from '../../shared/mount-folders.js'
import {
  checkSystem,
  listRemote,
  testConnection,
  type UnmountResult,
  startDemoShare,
  type DemoShare,
  checkRclone,
  findRclone,
  formatLogLine,
  makeRedactor,
  expirySeconds,
  linkTarget,
  shareLink,
} from '../engine/index.js'
import type { ConfigRepository, SecretCipher, ShellServices, StoredConfig } from './contracts.js'
import { MountManager, type QuitProgress, type QuitResult } from './mount-manager.js'
import { exportConfig, importConfig, writeConfigFile } from './store/config-transfer.js'
import { reviewImport } from './store/import-review.js'
import { describeJsonError } from './store/json-syntax.js'
import { importRcloneConf } from './store/rclone-conf-import.js'
import { applyDraft, checkKeepDestination, sealPlainSecrets, toEngineRemote, toRemoteView } from './store/secrets.js'
import { secretFields, storedConfigSchema } from './store/store-schema.js'

/** Events of the app core, one per event channel, carrying that channel's payload. */
export type AppCoreEvents = { [E in EventChannel]: [payload: EventPayloads[E]] }

/** What the app core runs over: the seams of contracts.ts, which the shell (or a test) provides. */
export interface AppCoreOptions {
  repository: ConfigRepository
  cipher: SecretCipher
  shell: ShellServices
  /** The app's version, for diagnostics (Electron's app.getVersion()). */
  appVersion: string
  /** How often quitAll reports progress, in ms. */
  quitProgressIntervalMs?: number
  /** Where the local demo keeps its shared folder, keys and mount folder; default under XDG_DATA_HOME. */
  demoDir?: string
}

/** An import as reviewed against a config: the review shown and the file that would be merged. */
type ImportPlan = (config: StoredConfig, allowMountAtStart: boolean) => ReturnType<typeof reviewImport>

const maxDiagnosticLogLines = 80
/** States in which the mount folder is the live mount. */
const mountedStates: ReadonlySet<string> = new Set(['mounted', 'degraded'])

/** A lower-case id from a name a person typed, made unique among `taken`. */
export function uniqueId(name: string, taken: ReadonlySet<string>, fallback: string): string {
  const slug =
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 56)
      .replace(/-+$/, '') || fallback
  if (!taken.has(slug)) return slug
  for (let n = 2; ; n++) if (!taken.has(`${slug}-${n}`)) return `${slug}-${n}`
}

function invalid(message: string): RmountError {
  return new RmountError('INVALID_CONFIG', message)
}

/** A file-system failure as a sentence: its errno code, never its raw message. */
function fileError(action: string, path: string, error: unknown): RmountError {
  const code = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.name : 'error')
  return new RmountError('INVALID_CONFIG', `${action} ${path} failed (${code}): check the folder exists and that you may write there.`)
}

/** The desktop app's operations; see the module comment. Create it with `AppCore.open`. */
export class AppCore extends EventEmitter<AppCoreEvents> {
  readonly manager: MountManager
  private readonly repository: ConfigRepository
  private readonly cipher: SecretCipher
  private readonly shell: ShellServices
  private readonly appVersion: string
  private config: StoredConfig
  private notice: string | null
  /** Config changes run one at a time, each on the result of the one before. */
  private writes: Promise<unknown> = Promise.resolve()
  private readonly demoDir: string
  private demo: Promise<DemoShare> | null = null
  /** The one import under review: what was shown, and how to build it again on the config of the moment. */
  private pendingImport: { token: string; shown: string; plan: ImportPlan } | null = null

  private constructor(options: AppCoreOptions, config: StoredConfig, notice: string | null) {
    super()
    this.repository = options.repository
    this.cipher = options.cipher
    this.shell = options.shell
    this.appVersion = options.appVersion
    this.demoDir = options.demoDir ?? join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'rmount', 'demo')
    this.config = config
    this.notice = notice
    this.manager = new MountManager({
      // Decrypted here, in the main process, only when a mount starts.
      resolveRemote: (remote) => toEngineRemote(remote, this.cipher),
      progressIntervalMs: options.quitProgressIntervalMs,
      pinHostKey: (remoteId, fingerprint) => this.pinHostKey(remoteId, fingerprint),
    })
    this.manager.on('health', (id, health) => this.emit('mount:health', { id, health }))
    this.manager.on('log', (id, line) => this.emit('mount:log', { id, line }))
    this.manager.reconcile(config)
  }

  /** Loads the config (sealing secrets a keyring can now encrypt) and sets up its mounts, without mounting any. */
  static async open(options: AppCoreOptions): Promise<AppCore> {
    const { config: loaded, notice } = await options.repository.load()
    const { config: sealedConfig, sealed } = await sealPlainSecrets(loaded, options.cipher)
    if (!sealed) return new AppCore(options, loaded, notice)
    try {
      await options.repository.save(sealedConfig)
      return new AppCore(options, sealedConfig, notice)
    } catch (error) {
      // The app must still start: the secrets stay as they were on disk, and the user hears why.
      const why = error instanceof RmountError ? error.message : 'the settings file could not be written'
      return new AppCore(options, loaded, [notice, `Saved secrets could not be encrypted now: ${why}`].filter(Boolean).join('\n'))
    }
  }

  /** Everything the window shows; secrets only as whether they are set. */
  snapshot(): AppSnapshot {
    return {
      ...this.views(),
      health: this.manager.healthAll(),
      secretStorage: { encrypted: this.cipher.encrypted, backend: this.cipher.backend },
      storeNotice: this.notice,
    }
  }

  /** The config as the renderer may see it. */
  private views(): EventPayloads['config:changed'] {
    return { remotes: this.config.remotes.map(toRemoteView), mounts: this.config.mounts, settings: this.config.settings }
  }

  /** Saves a remote from the editor: new secrets encrypted, `{ keep: true }` keeping the stored one. A new remote's id comes from its name. */
  saveRemote(request: SaveRemoteRequest): Promise<RemoteView> {
    return this.change(async (config) => {
      const id = request.id ?? uniqueId(request.name, new Set(config.remotes.map((r) => r.id)), 'remote')
      const previous = config.remotes.find((r) => r.id === id)
      const stored = await applyDraft({ id, name: request.name, remote: request.remote }, previous, this.cipher, config.settings)
      const remotes = previous ? config.remotes.map((r) => (r.id === id ? stored : r)) : [...config.remotes, stored]
      return { config: { ...config, remotes }, value: toRemoteView(stored) }
    })
  }

  /**
   * Records the host key an SFTP remote showed at its first successful connection, so every later connection
   * must show the same key (HOST_KEY_MISMATCH otherwise, before any password is sent). A pin made meanwhile wins.
   */
  pinHostKey(remoteId: string, fingerprint: string): Promise<void> {
    return this.change(async (config) => {
      const remotes = config.remotes.map((saved) =>
        saved.id === remoteId && saved.remote.type === 'sftp' && !saved.remote.hostKeyFingerprint && !saved.remote.knownHostsFile
          ? { ...saved, remote: { ...saved.remote, hostKeyFingerprint: fingerprint } }
          : saved,
      )
      return { config: { ...config, remotes }, value: undefined }
    })
  }

  /** Deletes a remote no mount uses. */
  deleteRemote(id: string): Promise<void> {
    return this.change(async (config) => {
      const remote = config.remotes.find((r) => r.id === id)
      if (!remote) throw new RmountError('NOT_FOUND', `No remote has the id "${id}": it may have been deleted already.`)
      const users = config.mounts.filter((m) => m.remoteId === id)
      if (users.length)
        throw invalid(
          `Remote "${remote.name}" is used by ${users.length === 1 ? 'the mount on' : 'the mounts on'} ${users.map((m) => m.localPath).join(', ')}: delete ${users.length === 1 ? 'that mount' : 'those mounts'} first.`,
        )
      return { config: { ...config, remotes: config.remotes.filter((r) => r.id !== id) }, value: undefined }
    })
  }

  /**
   * "Test connection" for the editor's draft. A secret the draft keeps (`{ keep: true }`) is taken
   * from the stored remote `id` and decrypted here, so the renderer never needs it.
   */
  async testRemote(request: { remote: RemoteDraft; id?: string; remotePath: string }): Promise<TestConnectionResult> {
    const { remote, secrets } = await this.resolveDraft(request)
    const result = await testConnection(remote, request.remotePath, {
      rclonePath: this.config.settings.rclonePath || undefined,
    })
    if (!result.error) return result
    // The engine already removes secrets from what rclone says; this pass also covers what it does not know.
    const redact = makeRedactor(secrets)
    return { ...result, error: { ...result.error, message: redact(result.error.message), logTail: result.error.logTail?.map(redact) } }
  }

  /** The folders (or buckets) one level below `remotePath` of an editor's draft, for the mount editor's picker. */
  async listRemote(request: { remote: RemoteDraft; id?: string; remotePath: string }): Promise<RequestResponses['remote:list']> {
    const { remote, secrets } = await this.resolveDraft(request)
    try {
      return await listRemote(remote, request.remotePath, { rclonePath: this.config.settings.rclonePath || undefined })
    } catch (error) {
      if (!(error instanceof RmountError)) throw error
      const redact = makeRedactor(secrets)
      throw new RmountError(error.code, redact(error.message), { logTail: error.logTail.map(redact) })
    }
  }

  /** A share link for `path`, a file inside the folder of mount `id`; secrets decrypted here and given to rclone only through its environment. */
  async shareLink(request: {
    id: string
    path: string
    expire: (typeof shareLinkExpiries)[number]
  }): Promise<RequestResponses['mount:share-link']> {
    const mount = this.savedMount(request.id)
    const { remotePath } = linkTarget([mount], request.path)
    const stored = this.config.remotes.find((r) => r.id === mount.remoteId)
    if (!stored) throw invalid(`No remote has the id "${mount.remoteId}": edit the mount and choose a saved remote.`)
    const remote = await toEngineRemote(stored, this.cipher)
    const url = await shareLink(remote, remotePath, { expire: request.expire, rclonePath: this.config.settings.rclonePath || undefined })
    return { url, expiresAt: Date.now() + expirySeconds(request.expire) * 1000 }
  }

  /** A folder for a new mount called `name`: ~/RMount/<name>, with a number added when a mount already uses it. */
  suggestFolder(name: string): string {
    const base = join(homedir(), 'RMount')
    const safe =
      name
        .replace(/[\\/\0]+/g, '-')
        .replace(/^\.+/, '')
        .trim() || 'mount'
    const taken = new Set(this.config.mounts.map((m) => m.localPath))
    for (let n = 1; ; n++) {
      const path = join(base, n === 1 ? safe : `${safe}-${n}`)
      if (!taken.has(path)) return path
    }
  }

  /**
   * An editor's draft as the engine takes it: a secret the draft keeps (`{ keep: true }`) is taken
   * from the stored remote `id` and decrypted here, so the renderer never needs it. Also returns every
   * secret value, to remove from what rclone says.
   */
  private async resolveDraft(request: { remote: RemoteDraft; id?: string }): Promise<{ remote: RemoteInput; secrets: string[] }> {
    const stored = request.id ? this.config.remotes.find((r) => r.id === request.id) : undefined
    checkKeepDestination(stored, request.remote)
    const revealed = stored && stored.remote.type === request.remote.type ? await toEngineRemote(stored, this.cipher) : undefined
    const remote: Record<string, unknown> = { ...request.remote }
    const secrets: string[] = []
    for (const field of secretFields[request.remote.type]) {
      const input = remote[field] as SecretInput | undefined
      if (input === undefined) continue
      if (typeof input === 'string') {
        secrets.push(input)
        continue
      }
      const kept = (revealed as Record<string, unknown> | undefined)?.[field]
      if (kept === undefined) throw invalid(`There is no saved ${field} to keep: enter the ${field}.`)
      if (typeof kept === 'string') secrets.push(kept)
      remote[field] = kept
    }
    return { remote: remote as RemoteInput, secrets }
  }

  /** Saves a mount; a new one's id comes from its folder's name. Changes to a mounted one apply at its next mount. */
  saveMount(request: SaveMountRequest): Promise<MountView> {
    return this.change(async (config) => {
      if (!config.remotes.some((r) => r.id === request.remoteId))
        throw new RmountError('NOT_FOUND', `No remote has the id "${request.remoteId}": choose a saved remote.`)
      const conflict = mountFolderConflict(request, config.mounts)
      if (conflict) throw invalid(conflict)
      const id = request.id ?? uniqueId(basename(request.localPath), new Set(config.mounts.map((m) => m.id)), 'mount')
      // Named once, when saved: the name then stays when the folder moves.
      const mount: SavedMount = { ...request, id, name: mountName(request) }
      const exists = config.mounts.some((m) => m.id === id)
      const mounts = exists ? config.mounts.map((m) => (m.id === id ? mount : m)) : [...config.mounts, mount]
      return { config: { ...config, mounts }, value: mount }
    })
  }

  /** Deletes a mount that is not mounted; the remote's files are not touched. */
  deleteMount(id: string): Promise<void> {
    return this.change(async (config) => {
      this.savedMount(id)
      const state = this.manager.state(id)
      if (state !== 'unmounted' && state !== 'failed')
        throw invalid(`The mount on ${this.savedMount(id).localPath} is ${state}: unmount it first, then delete it.`)
      return { config: { ...config, mounts: config.mounts.filter((m) => m.id !== id) }, value: undefined }
    })
  }

  /** Mounts; rejects with the error that stopped it (its health tells the same). */
  mount(id: string): Promise<MountHealth> {
    return this.manager.mount(id)
  }

  /** Unmounts after pending uploads, or at once with `force` (the files left in the cache are listed). */
  unmount(id: string, options: { force: boolean }): Promise<UnmountResult> {
    return this.manager.unmount(id, options)
  }

  /** Mounts again, cutting a failure or a restart backoff short. */
  retry(id: string): Promise<MountHealth> {
    return this.manager.retry(id)
  }

  /** Shows changes made on the remote by other clients now, rather than at the mount's next change check. */
  refresh(id: string): Promise<void> {
    return this.manager.refresh(id)
  }

  /** The mount's recent log lines. */
  logs(id: string): LogLine[] {
    return this.manager.logs(id)
  }

  /** Opens the folder of a saved mount (never an arbitrary path the page names). */
  async openFolder(id: string): Promise<void> {
    const { localPath } = this.savedMount(id)
    // A mounted folder is the mount point itself (and a stat of it could wait on a hung server); any other
    // is checked to be a real folder, not a file or a link that a file manager would follow elsewhere.
    if (!mountedStates.has(this.manager.state(id))) {
      const info = await lstat(localPath).catch(() => null)
      if (!info?.isDirectory())
        throw new RmountError('MOUNTPOINT_INVALID', `${localPath} is not a folder: mount it first, or choose another folder for the mount.`)
    }
    await this.shell.openPath(localPath)
  }

  /**
   * A text to paste into a bug report: versions, the mount's state and rclone flags, its recent log,
   * and the config with every secret shown only as `{"set":true}`. A last pass removes any secret
   * value that might still have slipped in (a log line, an extra argument).
   */
  async diagnostics(id: string): Promise<string> {
    const mount = this.savedMount(id)
    const health = this.manager.health(id)
    const rclonePath = this.config.settings.rclonePath || undefined
    const rclone = await findRclone(rclonePath).then(
      (found) => `${found.version} at ${found.path}`,
      (error: unknown) => `not usable: ${error instanceof RmountError ? error.message : String(error)}`,
    )
    let flags: string
    try {
      flags = this.manager.rcloneArgs(id).join(' ')
    } catch (error) {
      flags = `(invalid: ${error instanceof RmountError ? error.message : 'unknown error'})`
    }
    const logs = this.manager.logs(id).slice(-maxDiagnosticLogLines).map(formatLogLine)
    const text = [
      `RMount ${this.appVersion} diagnostics, ${new Date().toISOString()}`,
      `System: ${platform()} ${arch()}, Node ${process.versions.node}${process.versions.electron ? `, Electron ${process.versions.electron}` : ''}`,
      `Secret storage: ${this.cipher.backend}${this.cipher.encrypted ? '' : ' (not encrypted)'}`,
      `rclone: ${rclone}`,
      '',
      `Mount ${mount.id}: ${health.remote} on ${mount.localPath}`,
      `State: ${health.state} since ${new Date(health.stateSince).toISOString()}: ${health.reason}`,
      `Restarts: ${health.restarts}; pending uploads: ${health.pendingUploads}; uploading: ${health.uploadsInProgress}`,
      ...(health.lastError ? [`Last error: ${health.lastError.code}: ${health.lastError.message}`] : []),
      `rclone flags (secrets go through the environment, never here): ${flags}`,
      '',
      `Recent log (${logs.length} lines):`,
      ...logs.map((line) => `  ${line}`),
      '',
      'Config (secrets shown only as {"set": true}):',
      JSON.stringify({ ...this.views(), storeNotice: this.notice }, null, 2),
    ].join('\n')
    return (await this.secretRedactor())(text)
  }

  /** Changes settings; a new rclone path applies to each mount at its next mount. */
  setSettings(changes: Partial<Settings>): Promise<Settings> {
    return this.change(async (config) => {
      const settings = settingsSchema.parse({ ...config.settings, ...changes })
      return { config: { ...config, settings }, value: settings }
    })
  }

  /**
   * rclone's path, chosen by the person in the main process's file dialog (the window can only ask for the
   * dialog): checked to run as an rclone of a supported version before it is saved. `useBundled` goes back
   * to the bundled rclone, then PATH.
   */
  async chooseRclone(options: { useBundled: boolean }): Promise<Settings | null> {
    if (options.useBundled) return this.setSettings({ rclonePath: '' })
    const path = await this.shell.pickFile('Choose the rclone program')
    if (!path) return null
    await checkRclone(path)
    return this.setSettings({ rclonePath: path })
  }

  /** What this machine has and lacks for mounting. */
  systemCheck(): Promise<SystemCheckView> {
    return checkSystem({ rclonePath: this.config.settings.rclonePath || undefined })
  }

  /** The shell's folder dialog. */
  pickFolder(title?: string): Promise<string | null> {
    return this.shell.pickFolder(title)
  }

  /** The shell's file dialog. */
  pickFile(title?: string): Promise<string | null> {
    return this.shell.pickFile(title)
  }

  /**
   * Exports the config as an `rmount up --config` file where the user chooses, readable by the user
   * alone. Without `includeSecrets` each secret becomes an `{ env }` reference.
   */
  async exportConfig(options: { includeSecrets: boolean }): Promise<RequestResponses['config:export']> {
    const path = await this.shell.pickSavePath('rmount.json')
    if (!path) return null
    const file = await exportConfig(this.config, this.cipher, options)
    await writeConfigFile(path, file).catch((error: unknown) => {
      throw fileError('Writing', path, error)
    })
    return { path }
  }

  /**
   * Picks an `rmount up --config` file and reviews it: nothing changes until `applyImport` with the review's
   * token. Merged by id (the file wins); inline secrets are encrypted when applied.
   */
  async importConfig(): Promise<RequestResponses['config:import']> {
    const path = await this.shell.pickFile('Import an RMount config file')
    if (!path) return null
    const parsed = configFileSchema.safeParse(await this.readJson(path))
    if (!parsed.success) throw invalid(`The config file has errors:\n${describeIssues(parsed.error)}`)
    const file = parsed.data
    return this.review((config, allowMountAtStart) =>
      reviewImport(file, config, { kind: 'rmount', fileName: basename(path) }, allowMountAtStart),
    )
  }

  /**
   * Picks an rclone.conf and reviews its S3 and SFTP remotes; the file is only read, and nothing changes until
   * `applyImport`. An id already taken gets a suffix: an rclone remote must not silently replace one made in RMount.
   */
  async importRclone(): Promise<RequestResponses['config:import-rclone']> {
    const path = await this.shell.pickFile('Import remotes from an rclone.conf')
    if (!path) return null
    const text = await readFile(path, 'utf8').catch((error: unknown) => {
      throw fileError('Reading', path, error)
    })
    const found = importRcloneConf(text)
    return this.review((config, allowMountAtStart) => {
      const taken = new Set(config.remotes.map((r) => r.id))
      const remotes = found.remotes.map((remote) => {
        const id = uniqueId(remote.id, taken, 'remote')
        taken.add(id)
        return { ...remote, id }
      })
      const source = { kind: 'rclone' as const, fileName: basename(path), skipped: found.skipped }
      return reviewImport({ version: 1, remotes, mounts: [] }, config, source, allowMountAtStart)
    })
  }

  /**
   * Applies the import the person reviewed, exactly as reviewed: if the settings changed since in a way that
   * changes the review, it is refused and must be reviewed again. Mounts keep `mountAtStart` only with `mountAtStart`.
   */
  applyImport(request: { token: string; mountAtStart: boolean }): Promise<RequestResponses['config:import-apply']> {
    return this.change(async (config) => {
      const pending = this.pendingImport
      if (!pending || pending.token !== request.token)
        throw invalid('This import review is no longer open: import the file again to review it.')
      const now = pending.plan(config, request.mountAtStart)
      if (JSON.stringify(now.review) !== pending.shown)
        throw invalid('The settings changed since this import was reviewed: import the file again to review it.')
      const { config: next, remotes, mounts } = await importConfig(now.file, config, this.cipher)
      this.pendingImport = null
      return { config: next, value: { remotes, mounts } }
    })
  }

  private review(plan: ImportPlan): ImportReview {
    const { review } = plan(this.config, false)
    const token = randomBytes(16).toString('hex')
    this.pendingImport = { token, shown: JSON.stringify(review), plan }
    return { token, ...review }
  }

  /**
   * The local demo: starts (once per run) a server sharing a demo folder on 127.0.0.1, saves the
   * remote and the mount that reach it (the server's port changes between runs), and mounts it.
   */
  async startDemo(): Promise<RequestResponses['demo:start']> {
    this.demo ??= startDemoShare(this.demoDir).catch((error: unknown) => {
      this.demo = null
      throw error
    })
    const { remote } = await this.demo
    const remoteId = 'demo'
    const mountId = 'demo'
    await this.change(async (config) => {
      const previous = config.remotes.find((r) => r.id === remoteId)
      const stored = await applyDraft(
        { id: remoteId, name: 'Local demo (SFTP on 127.0.0.1)', remote },
        previous,
        this.cipher,
        config.settings,
      )
      const remotes = [...config.remotes.filter((r) => r.id !== remoteId), stored]
      const mount: SavedMount = {
        id: mountId,
        remoteId,
        remotePath: '',
        localPath: join(this.demoDir, 'mnt'),
        mountAtStart: false,
        options: {},
      }
      const mounts = config.mounts.some((m) => m.id === mountId) ? config.mounts : [...config.mounts, mount]
      return { config: { ...config, remotes, mounts }, value: undefined }
    })
    return { remoteId, mountId, health: await this.mount(mountId) }
  }

  /** Mounts every mount marked to mount at start; failures show in their health. */
  mountAtStart(): Promise<Record<string, MountHealth>> {
    return this.manager.mountAtStart()
  }

  /** After resume, unlock or a network change: see MountManager.probeAll. */
  async probeAll(): Promise<void> {
    await this.manager.probeAll()
  }

  /** Unmounts everything for the app to quit, each progress also sent as `quit:progress`; a second call forces. */
  quitAll(onProgress: (progress: QuitProgress) => void = () => undefined): Promise<QuitResult> {
    const result = this.manager.quitAll((progress) => {
      this.emit('quit:progress', progress)
      onProgress(progress)
    })
    // The demo server goes last: its mount must drain through it first.
    return result.finally(async () => (await this.demo?.catch(() => null))?.server.stop())
  }

  private savedMount(id: string): SavedMount {
    const mount = this.config.mounts.find((m) => m.id === id)
    if (!mount)
      throw new RmountError(
        'NOT_FOUND',
        `No mount has the id "${id}": it may have been deleted. Reopen the window to see the current mounts.`,
      )
    return mount
  }

  private async readJson(path: string): Promise<unknown> {
    const text = await readFile(path, 'utf8').catch((error: unknown) => {
      throw fileError('Reading', path, error)
    })
    try {
      return JSON.parse(text)
    } catch {
      throw invalid(`${basename(path)} cannot be imported: ${describeJsonError(text)}. Choose an RMount config file.`)
    }
  }

  /**
   * Runs one config change on the latest config: validated whole (the same rules as the store and
   * `rmount up`), saved, then applied to the mounts and announced. Nothing changes when any step fails.
   */
  private change<T>(step: (config: StoredConfig) => Promise<{ config: StoredConfig; value: T }>): Promise<T> {
    const run = async (): Promise<T> => {
      const { config, value } = await step(this.config)
      const parsed = storedConfigSchema.safeParse(config)
      if (!parsed.success) throw invalid(`Not saved:\n${describeIssues(parsed.error)}`)
      await this.repository.save(parsed.data)
      this.config = parsed.data
      this.manager.reconcile(parsed.data)
      this.emit('config:changed', this.views())
      return value
    }
    const next = this.writes.then(run, run)
    this.writes = next.catch(() => undefined)
    return next
  }

  /** Removes every secret value of the config (decrypted, or read from its environment variable) from a text. */
  private async secretRedactor(): Promise<(text: string) => string> {
    const secrets: string[] = []
    for (const stored of this.config.remotes) {
      const remote = await toEngineRemote(stored, this.cipher).catch(() => null)
      if (!remote) continue
      for (const field of secretFields[remote.type]) {
        const value = (remote as Record<string, unknown>)[field]
        if (typeof value === 'string') secrets.push(value)
        else if (value && typeof value === 'object' && 'env' in value) {
          const fromEnv = process.env[String(value.env)]
          if (fromEnv) secrets.push(fromEnv)
        }
      }
    }
    return makeRedactor(secrets)
  }
}
