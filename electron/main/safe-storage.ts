/** The app's SecretCipher: Electron's safeStorage through safe-storage-cipher.ts (async API, backend detection). */
import { safeStorage } from 'electron'
import type { SecretCipher } from '../app/contracts.js'
import { createSafeStorageCipher } from '../app/safe-storage-cipher.js'

/** The cipher over this platform's keyring; call once the app is ready. */
export function createCipher(): Promise<SecretCipher> {
  return createSafeStorageCipher(safeStorage, process.platform)
}
