/** Secrets with real AES-256-GCM over real key files, stored through the real repository. */
import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { RmountError } from '../../../shared/errors.js'
import type { RemoteDraft } from '../../../shared/ipc.js'
import type { StoredConfig, StoredRemote } from '../../../electron/app/contracts.js'
import { FileConfigRepository } from '../../../electron/app/store/config-repository.js'
import { applyDraft, sealPlainSecrets, storeSecret, toEngineRemote, toRemoteView } from '../../../electron/app/store/secrets.js'
import { createAesFileCipher } from '../aes-file-cipher.js'
import { defaultStoredConfig } from '../../../electron/app/store/store-schema.js'
import { basicTextCipher, keyringCipher, tempDir } from './fixtures.js'

const noConsent = { allowPlaintextSecrets: false }
const consent = { allowPlaintextSecrets: true }
const s3Secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
const sshPassword = 'correct horse battery staple'

const s3Draft: RemoteDraft = { type: 's3', provider: 'AWS', region: 'eu-west-1', accessKeyId: 'AKIAEXAMPLE', secretAccessKey: s3Secret }
const sftpDraft: RemoteDraft = {
  type: 'sftp',
  host: 'nas.lan',
  port: 22,
  user: 'me',
  password: sshPassword,
  keyFile: '/k',
  keyPassphrase: 'pp',
}

describe('createAesFileCipher', () => {
  it('creates a 32-byte key readable by the user alone, and decrypts what it encrypted', async () => {
    const keyFile = join(await tempDir(), 'keys', 'secret.key')
    const cipher = await createAesFileCipher(keyFile)
    expect(cipher).toMatchObject({ encrypted: true, backend: 'aes-file' })
    const key = await stat(keyFile)
    expect(key.size).toBe(32)
    expect(key.mode & 0o777).toBe(0o600)
    const sealed = await cipher.encrypt(s3Secret)
    expect(sealed).not.toContain(s3Secret)
    expect(await cipher.encrypt(s3Secret)).not.toBe(sealed)
    expect(await cipher.decrypt(sealed)).toBe(s3Secret)
    // The same key file, opened again (the next start of the app), reads the same secrets.
    expect(await (await createAesFileCipher(keyFile)).decrypt(sealed)).toBe(s3Secret)
  })

  it('refuses a tampered value, another key, and a damaged key file', async () => {
    const cipher = await keyringCipher()
    const sealed = await cipher.encrypt('x')
    const data = Buffer.from(sealed.split(':')[1]!, 'base64')
    data[data.length - 1]! ^= 1
    await expect(cipher.decrypt(`aes-gcm-v1:${data.toString('base64')}`)).rejects.toThrow()
    await expect((await keyringCipher()).decrypt(sealed)).rejects.toThrow()
    const keyFile = join(await tempDir(), 'short.key')
    await writeFile(keyFile, Buffer.alloc(5))
    await expect(createAesFileCipher(keyFile)).rejects.toThrow(/damaged/)
    expect((await readFile(keyFile)).length).toBe(5)
  })
})

describe('storeSecret', () => {
  it('encrypts with a keyring; without one, stores plain only with consent, otherwise refuses', async () => {
    const keyring = await keyringCipher()
    const stored = await storeSecret(s3Secret, keyring, noConsent)
    expect(Object.keys(stored)).toEqual(['encrypted'])
    const basic = await basicTextCipher()
    expect(await storeSecret(s3Secret, basic, consent)).toEqual({ plain: s3Secret })
    const error = await storeSecret(s3Secret, basic, noConsent).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RmountError)
    expect((error as RmountError).code).toBe('INVALID_CONFIG')
    expect((error as RmountError).message).toMatch(/^No OS keyring .*basic_text.* Choose one/)
    expect((error as RmountError).message).not.toContain(s3Secret)
  })
})

describe('remotes and their secrets', () => {
  it('keeps secrets encrypted on disk', async () => {
    const cipher = await keyringCipher()
    const cwd = await tempDir()
    const repo = new FileConfigRepository({ cwd })
    const s3 = await applyDraft({ id: 'photos', name: 'Photos', remote: s3Draft }, undefined, cipher, noConsent)
    const nas = await applyDraft({ id: 'nas', name: 'NAS', remote: sftpDraft }, undefined, cipher, noConsent)
    await repo.save({ ...defaultStoredConfig(), remotes: [s3, nas] })
    const onDisk = await readFile(join(cwd, 'config.json'), 'utf8')
    for (const secret of [s3Secret, sshPassword, 'pp', Buffer.from(s3Secret).toString('base64')]) expect(onDisk).not.toContain(secret)
    expect(onDisk).toContain('"encrypted"')
    const { config } = await repo.load()
    expect(await toEngineRemote(config.remotes[0]!, cipher)).toMatchObject({ secretAccessKey: s3Secret })
    expect(await toEngineRemote(config.remotes[1]!, cipher)).toMatchObject({ password: sshPassword, keyPassphrase: 'pp' })
  })

  it('gives views that say whether a secret is set and never hold it, not even encrypted', async () => {
    const cipher = await keyringCipher()
    const s3 = await applyDraft({ id: 'photos', name: 'Photos', remote: s3Draft }, undefined, cipher, noConsent)
    const nas = await applyDraft(
      { id: 'nas', name: 'NAS', remote: { ...sftpDraft, keyPassphrase: undefined } },
      undefined,
      cipher,
      noConsent,
    )
    const plain: StoredRemote = { id: 'p', name: 'P', remote: { type: 'sftp', host: 'h', user: 'u', password: { plain: 'plain-pass' } } }
    const views = [toRemoteView(s3), toRemoteView(nas), toRemoteView(plain)]
    expect(views[0]!.remote).toMatchObject({ type: 's3', accessKeyId: 'AKIAEXAMPLE', secretAccessKey: { set: true } })
    expect(views[1]!.remote).toMatchObject({ password: { set: true }, keyPassphrase: { set: false } })
    const text = JSON.stringify(views)
    for (const secret of [s3Secret, sshPassword, 'plain-pass', 'aes-gcm-v1', 'encrypted', 'plain"']) expect(text).not.toContain(secret)
    const encrypted = (s3.remote.secretAccessKey as { encrypted: string }).encrypted
    expect(text).not.toContain(encrypted.slice(12, 40))
  })

  it('keeps the stored secret for { keep: true }, replaces it for a new value, drops it when left out', async () => {
    const cipher = await keyringCipher()
    const first = await applyDraft({ id: 'nas', name: 'NAS', remote: sftpDraft }, undefined, cipher, noConsent)
    const kept = await applyDraft(
      { id: 'nas', name: 'NAS 2', remote: { ...sftpDraft, password: { keep: true }, keyPassphrase: undefined } },
      first,
      cipher,
      noConsent,
    )
    expect(kept.name).toBe('NAS 2')
    expect(kept.remote.password).toEqual(first.remote.password)
    expect(kept.remote.keyPassphrase).toBeUndefined()
    const replaced = await applyDraft({ id: 'nas', name: 'NAS', remote: { ...sftpDraft, password: 'new one' } }, kept, cipher, noConsent)
    expect(await toEngineRemote(replaced, cipher)).toMatchObject({ password: 'new one' })
  })

  it('refuses { keep: true } when the host, port, user, type or endpoint changed: a saved secret never goes to another server', async () => {
    const cipher = await keyringCipher()
    const sftp = await applyDraft({ id: 'nas', name: 'NAS', remote: sftpDraft }, undefined, cipher, noConsent)
    const keep = { ...sftpDraft, password: { keep: true as const }, keyPassphrase: undefined }
    for (const change of [{ host: 'evil.example' }, { port: 2222 }, { user: 'root' }]) {
      await expect(applyDraft({ id: 'nas', name: 'NAS', remote: { ...keep, ...change } }, sftp, cipher, noConsent)).rejects.toThrow(
        /saved password of remote "nas" stays with its server: the host, port or user changed, so enter the password again/,
      )
    }
    const s3 = await applyDraft({ id: 's3', name: 'S3', remote: s3Draft }, undefined, cipher, noConsent)
    const keepS3 = { ...s3Draft, secretAccessKey: { keep: true as const } }
    await expect(
      applyDraft(
        { id: 's3', name: 'S3', remote: { ...keepS3, provider: 'Other', endpoint: 'https://evil.example' } },
        s3,
        cipher,
        noConsent,
      ),
    ).rejects.toThrow(/secret access key of remote "s3" stays with its server: the type or endpoint changed/)
    // The same destination keeps it, whatever else changed.
    expect(
      (await applyDraft({ id: 's3', name: 'Renamed', remote: { ...keepS3, acl: 'private' } }, s3, cipher, noConsent)).remote
        .secretAccessKey,
    ).toEqual(s3.remote.secretAccessKey)
  })

  it('refuses { keep: true } when there is nothing to keep', async () => {
    const cipher = await keyringCipher()
    const keep = { ...s3Draft, secretAccessKey: { keep: true as const } }
    await expect(applyDraft({ id: 'x', name: 'X', remote: keep }, undefined, cipher, noConsent)).rejects.toThrow(
      /no saved secret access key to keep: enter the secret access key/,
    )
    const sftp = await applyDraft({ id: 'x', name: 'X', remote: sftpDraft }, undefined, cipher, noConsent)
    // A remote whose type changed has no secret of the new type to keep.
    await expect(applyDraft({ id: 'x', name: 'X', remote: keep }, sftp, cipher, noConsent)).rejects.toThrow(RmountError)
  })

  it('stores plain without a keyring only with consent, and refuses an invalid draft', async () => {
    const basic = await basicTextCipher()
    await expect(applyDraft({ id: 'x', name: 'X', remote: s3Draft }, undefined, basic, noConsent)).rejects.toThrow(/No OS keyring/)
    const stored = await applyDraft({ id: 'x', name: 'X', remote: s3Draft }, undefined, basic, consent)
    expect(stored.remote.secretAccessKey).toEqual({ plain: s3Secret })
    const cipher = await keyringCipher()
    const noKey = { ...s3Draft, secretAccessKey: undefined }
    await expect(applyDraft({ id: 'x', name: 'X', remote: noKey }, undefined, cipher, noConsent)).rejects.toThrow(/secretAccessKey/)
  })

  it('passes { env } references to the engine and says when a secret cannot be decrypted', async () => {
    const cipher = await keyringCipher()
    const env: StoredRemote = { id: 'e', name: 'E', remote: { type: 'sftp', host: 'h', user: 'u', password: { env: 'BOX_PASS' } } }
    expect(await toEngineRemote(env, cipher)).toEqual({ type: 'sftp', host: 'h', port: 22, user: 'u', password: { env: 'BOX_PASS' } })
    const other = await applyDraft({ id: 'photos', name: 'P', remote: s3Draft }, undefined, await keyringCipher(), noConsent)
    const error = await toEngineRemote(other, cipher).catch((e: unknown) => e)
    expect((error as RmountError).message).toMatch(/secret access key of remote "photos" cannot be decrypted.*enter it again/)
  })

  it('encrypts plain secrets once a keyring is there', async () => {
    const config: StoredConfig = {
      ...defaultStoredConfig(),
      remotes: [{ id: 'p', name: 'P', remote: { type: 'sftp', host: 'h', user: 'u', password: { plain: 'pw' }, keyFile: '/k' } }],
    }
    expect(await sealPlainSecrets(config, await basicTextCipher())).toEqual({ config, sealed: 0 })
    const cipher = await keyringCipher()
    const { config: sealed, sealed: count } = await sealPlainSecrets(config, cipher)
    expect(count).toBe(1)
    expect(JSON.stringify(sealed)).not.toContain('"pw"')
    expect(await toEngineRemote(sealed.remotes[0]!, cipher)).toMatchObject({ password: 'pw' })
    expect(config.remotes[0]!.remote.password).toEqual({ plain: 'pw' })
  })
})
