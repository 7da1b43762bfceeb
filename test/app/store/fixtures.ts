/** Shared material for the store tests: a full config, temporary folders, ciphers over real key files. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import type { SecretCipher } from '../../../electron/app/contracts.js'
import { createAesFileCipher } from '../aes-file-cipher.js'
import { storeVersion } from '../../../electron/app/store/store-schema.js'

export const settings = { startOnLogin: true, rclonePath: '/opt/rclone', theme: 'dark', allowPlaintextSecrets: false }

/** Every kind of field and secret the store holds. */
export const fullConfig = {
  version: storeVersion,
  remotes: [
    {
      id: 'photos',
      name: 'Photos on S3',
      remote: {
        type: 's3',
        provider: 'AWS',
        region: 'eu-west-1',
        accessKeyId: 'AKIAEXAMPLE',
        secretAccessKey: { encrypted: 'aes-gcm-v1:AAAA' },
        acl: 'private',
      },
    },
    { id: 'minio', name: 'MinIO', remote: { type: 's3', provider: 'Minio', endpoint: 'http://127.0.0.1:9000', envAuth: true } },
    {
      id: 'nas',
      name: 'Home NAS',
      remote: {
        type: 'sftp',
        host: 'nas.lan',
        port: 2222,
        user: 'me',
        keyFile: '/home/me/.ssh/id_ed25519',
        keyPassphrase: { plain: 'open sesame' },
        password: { env: 'NAS_PASSWORD' },
        hostKeyFingerprint: 'SHA256:' + 'a'.repeat(43),
      },
    },
  ],
  mounts: [
    { id: 'photos', remoteId: 'photos', remotePath: 'bucket/photos', localPath: '/home/me/Photos', mountAtStart: true },
    { id: 'nas', remoteId: 'nas', remotePath: '/srv/data', localPath: '/home/me/nas', options: { readOnly: true, cacheMode: 'full' } },
  ],
  settings,
}

const folders: string[] = []

/** A fresh temporary folder, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rmount-store-'))
  folders.push(dir)
  return dir
}

afterEach(async () => {
  await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})

/** A keyring-backed cipher: AES-256-GCM over a real key file. */
export async function keyringCipher(): Promise<SecretCipher> {
  return createAesFileCipher(join(await tempDir(), 'secret.key'))
}

/**
 * What Electron's safeStorage is on Linux without a secret service (`basic_text`): it still encrypts,
 * but under a key anyone can know, so it reports `encrypted: false`.
 */
export async function basicTextCipher(): Promise<SecretCipher> {
  const cipher = await keyringCipher()
  return { encrypted: false, backend: 'basic_text', encrypt: (plain) => cipher.encrypt(plain), decrypt: (text) => cipher.decrypt(text) }
}
