/** The SecretCipher over safeStorage: backend detection per platform, and values that round-trip and refuse strangers. */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createSafeStorageCipher, isEncrypting, storageBackend, type SafeStorageLike } from '../../electron/app/safe-storage-cipher.js'

/** A safeStorage with real AES-GCM under a random key, as a keyring-backed one behaves. */
function aesSafeStorage(backend: string, available = true): SafeStorageLike & { calls: string[] } {
  const key = randomBytes(32)
  const calls: string[] = []
  return {
    calls,
    getSelectedStorageBackend: () => backend,
    isAsyncEncryptionAvailable: async () => available,
    async encryptStringAsync(plain) {
      calls.push('encrypt')
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      return Buffer.concat([iv, body, cipher.getAuthTag()])
    },
    async decryptStringAsync(data) {
      calls.push('decrypt')
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12))
      decipher.setAuthTag(data.subarray(data.length - 16))
      return {
        result: Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]).toString('utf8'),
        shouldReEncrypt: false,
      }
    },
  }
}

describe('storageBackend and isEncrypting', () => {
  it.each([
    ['darwin', undefined, 'keychain'],
    ['win32', undefined, 'dpapi'],
    ['linux', 'gnome_libsecret', 'gnome_libsecret'],
    ['linux', 'kwallet6', 'kwallet6'],
    ['linux', 'basic_text', 'basic_text'],
    ['linux', undefined, 'unknown'],
  ] as const)('%s with %s → %s', (platform, linux, backend) => {
    expect(storageBackend(platform, linux)).toBe(backend)
  })

  it.each([
    ['gnome_libsecret', true, true],
    ['keychain', true, true],
    ['basic_text', true, false],
    ['unknown', true, false],
    ['gnome_libsecret', false, false],
  ] as const)('%s, available %s → encrypting %s', (backend, available, encrypting) => {
    expect(isEncrypting(backend, available)).toBe(encrypting)
  })
})

describe('createSafeStorageCipher', () => {
  it('round-trips secrets through the async API, as tagged base64', async () => {
    const storage = aesSafeStorage('gnome_libsecret')
    const cipher = await createSafeStorageCipher(storage, 'linux')
    expect(cipher).toMatchObject({ encrypted: true, backend: 'gnome_libsecret' })
    for (const secret of ['s3cr3t', 'ünïcødé ✓', 'x'.repeat(10_000)]) {
      const stored = await cipher.encrypt(secret)
      expect(stored).toMatch(/^safe-storage-v1:[A-Za-z0-9+/]+=*$/)
      expect(stored).not.toContain(secret.slice(0, 6))
      expect(await cipher.decrypt(stored)).toBe(secret)
    }
    expect(storage.calls).toContain('encrypt')
  })

  it('says when secrets would only be obfuscated (Linux without a keyring)', async () => {
    expect(await createSafeStorageCipher(aesSafeStorage('basic_text'), 'linux')).toMatchObject({ encrypted: false, backend: 'basic_text' })
  })

  it('refuses a value it did not write, and a damaged one', async () => {
    const cipher = await createSafeStorageCipher(aesSafeStorage('keychain'), 'darwin')
    await expect(cipher.decrypt('aes-gcm-v1:AAAA')).rejects.toThrow('Not a value encrypted by safeStorage.')
    const stored = await cipher.encrypt('secret')
    const damaged = stored.slice(0, -4) + (stored.endsWith('AAAA') ? 'BBBB' : 'AAAA')
    await expect(cipher.decrypt(damaged)).rejects.toThrow()
    // Another key (another machine's keyring) does not decrypt it either.
    const other = await createSafeStorageCipher(aesSafeStorage('keychain'), 'darwin')
    await expect(other.decrypt(stored)).rejects.toThrow()
  })
})
