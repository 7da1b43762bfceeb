/**
 * The app's SecretCipher over Electron's safeStorage, written against the few methods it uses so it
 * runs and is tested under plain Node; electron/main/safe-storage.ts hands it the real safeStorage.
 *
 * Only the async API is used: the sync one is deprecated, and on Linux it can block the main process
 * on the keyring (a locked GNOME Keyring asks for a password).
 */
import type { SecretCipher } from './contracts.js'

/** The part of Electron's `safeStorage` this cipher needs. */
export interface SafeStorageLike {
  isAsyncEncryptionAvailable(): Promise<boolean>
  encryptStringAsync(plain: string): Promise<Buffer>
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>
  /** Linux only: the keyring behind safeStorage. */
  getSelectedStorageBackend?(): string
}

const prefix = 'safe-storage-v1:'

/**
 * The name of the store behind safeStorage on a platform. macOS and Windows always have theirs; on
 * Linux it is whatever Chromium found, and `basic_text` means none (a key hard-coded in Chromium).
 */
export function storageBackend(platform: NodeJS.Platform, linuxBackend: string | undefined): string {
  if (platform === 'darwin') return 'keychain'
  if (platform === 'win32') return 'dpapi'
  return linuxBackend ?? 'unknown'
}

/**
 * Whether secrets are really encrypted: a backend that is a keyring and answers. `basic_text` only
 * obfuscates, and `unknown` means safeStorage was asked before the app was ready.
 */
export function isEncrypting(backend: string, available: boolean): boolean {
  return available && backend !== 'basic_text' && backend !== 'unknown'
}

/**
 * A SecretCipher over safeStorage; call after the app is ready. Values are stored as
 * `safe-storage-v1:<base64>`, so a value from another cipher is refused rather than decrypted into garbage.
 */
export async function createSafeStorageCipher(safeStorage: SafeStorageLike, platform: NodeJS.Platform): Promise<SecretCipher> {
  const backend = storageBackend(platform, safeStorage.getSelectedStorageBackend?.())
  const available = await safeStorage.isAsyncEncryptionAvailable()
  return {
    encrypted: isEncrypting(backend, available),
    backend,
    async encrypt(plain) {
      return prefix + (await safeStorage.encryptStringAsync(plain)).toString('base64')
    },
    async decrypt(text) {
      if (!text.startsWith(prefix)) throw new Error('Not a value encrypted by safeStorage.')
      return (await safeStorage.decryptStringAsync(Buffer.from(text.slice(prefix.length), 'base64'))).result
    },
  }
}
