/**
 * The seams of the desktop app's electron-free core. The Electron shell implements the ones that
 * need Electron (safeStorage, dialogs, shell.openPath); tests implement them with real files and
 * real encryption, so the core runs under plain Node.
 */
import type { SavedMount, Secret } from '../../shared/config.js'
import type { Settings } from '../../shared/ipc.js'

/** A secret as the app stores it: encrypted by the OS keyring, or (only when the user agreed) plain, or by reference. */
export type StoredSecret = { encrypted: string } | { plain: string } | { env: string }

/** A saved remote as stored: the shared remote shape with every secret field a StoredSecret. */
export type StoredRemote = {
  id: string
  name: string
  remote: Record<string, unknown> & { type: 's3' | 'sftp' }
}

/** What the desktop store holds, at the current schema version. */
export interface StoredConfig {
  version: number
  remotes: StoredRemote[]
  mounts: SavedMount[]
  settings: Settings
}

/** Where the config lives. A corrupt file is moved aside (never silently reset) and reported as `notice`. */
export interface ConfigRepository {
  load(): Promise<{ config: StoredConfig; notice: string | null }>
  save(config: StoredConfig): Promise<void>
}

/** The OS's secret encryption (Electron's safeStorage in the app). */
export interface SecretCipher {
  /** False when no OS keyring backs it (Linux `basic_text`): secrets would only be obfuscated. */
  readonly encrypted: boolean
  /** e.g. `gnome_libsecret`, `kwallet5`, `basic_text`, `keychain`, `dpapi`. */
  readonly backend: string
  encrypt(plain: string): Promise<string>
  decrypt(cipher: string): Promise<string>
}

/** What only the desktop shell can do, for the IPC handlers. */
export interface ShellServices {
  pickFolder(title?: string): Promise<string | null>
  pickFile(title?: string): Promise<string | null>
  /** Asks where to save, returns the chosen path or null. */
  pickSavePath(defaultName: string): Promise<string | null>
  openPath(path: string): Promise<void>
}

export type { Secret }
