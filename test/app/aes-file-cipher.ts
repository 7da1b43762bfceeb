/**
 * A real SecretCipher for the tests of the app layer, which run under plain Node without Electron's
 * safeStorage: AES-256-GCM with its key in a file. Not shipped: the desktop shell uses safeStorage.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { SecretCipher } from '../../electron/app/contracts.js'
import { RmountError } from '../../shared/errors.js'

const keyLength = 32
const ivLength = 12
const tagLength = 16
const formatPrefix = 'aes-gcm-v1:'

/**
 * A SecretCipher over a 32-byte AES-256-GCM key kept in `keyFile` (mode 0600), created on first use. Protects the
 * secrets as well as the key file is protected: against other users, not against this user.
 */
export async function createAesFileCipher(keyFile: string): Promise<SecretCipher> {
  const key = await readOrCreateKey(keyFile)
  return {
    encrypted: true,
    backend: 'aes-file',
    async encrypt(plain) {
      const iv = randomBytes(ivLength)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      return formatPrefix + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64')
    },
    async decrypt(text) {
      if (!text.startsWith(formatPrefix)) throw new Error('Not a value encrypted by this cipher.')
      const data = Buffer.from(text.slice(formatPrefix.length), 'base64')
      if (data.length < ivLength + tagLength) throw new Error('The encrypted value is truncated.')
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, ivLength))
      decipher.setAuthTag(data.subarray(data.length - tagLength))
      // final() throws when the tag does not match: a damaged value or another key never decrypts to garbage.
      return Buffer.concat([decipher.update(data.subarray(ivLength, data.length - tagLength)), decipher.final()]).toString('utf8')
    },
  }
}

async function readOrCreateKey(keyFile: string): Promise<Buffer> {
  try {
    return checkKey(await readFile(keyFile), keyFile)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  await mkdir(dirname(keyFile), { recursive: true, mode: 0o700 })
  const key = randomBytes(keyLength)
  try {
    // 'wx': never replace a key, since every secret encrypted with it would be lost; 0600 from creation on.
    await writeFile(keyFile, key, { mode: 0o600, flag: 'wx' })
    return key
  } catch (error) {
    // Another process created it between our read and our write: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return checkKey(await readFile(keyFile), keyFile)
    throw error
  }
}

function checkKey(key: Buffer, keyFile: string): Buffer {
  if (key.length !== keyLength)
    throw new RmountError(
      'INVALID_CONFIG',
      `The key file ${keyFile} is damaged (${key.length} bytes instead of ${keyLength}). Restore it from a backup; deleting it ` +
        'makes every saved secret unreadable, which must then be entered again.',
    )
  return key
}
