/** Export to and import from the `rmount up --config` format, checked with the CLI's own loader. */
import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { configFileSchema } from '../../../shared/config.js'
import { RmountError } from '../../../shared/errors.js'
import type { StoredConfig } from '../../../electron/app/contracts.js'
import { loadConfigFile } from '../../../electron/engine/index.js'
import { FileConfigRepository } from '../../../electron/app/store/config-repository.js'
import { exportConfig, exportEnvName, importConfig, writeConfigFile } from '../../../electron/app/store/config-transfer.js'
import { applyDraft, toEngineRemote } from '../../../electron/app/store/secrets.js'
import { defaultStoredConfig } from '../../../electron/app/store/store-schema.js'
import { basicTextCipher, keyringCipher, tempDir } from './fixtures.js'
import type { SecretCipher } from '../../../electron/app/contracts.js'

const secrets = { s3: 's3-secret-value-123', ssh: 'ssh pass word', passphrase: 'key-passphrase' }

async function storedWithSecrets(cipher: SecretCipher): Promise<StoredConfig> {
  const settings = { allowPlaintextSecrets: false }
  const photos = await applyDraft(
    { id: 'my-photos', name: 'Photos', remote: { type: 's3', provider: 'AWS', accessKeyId: 'AKIA1', secretAccessKey: secrets.s3 } },
    undefined,
    cipher,
    settings,
  )
  const nas = await applyDraft(
    {
      id: 'nas',
      name: 'NAS',
      remote: {
        type: 'sftp',
        host: 'nas.lan',
        port: 2222,
        user: 'me',
        password: secrets.ssh,
        keyFile: '/k',
        keyPassphrase: secrets.passphrase,
      },
    },
    undefined,
    cipher,
    settings,
  )
  const env = { id: 'env', name: 'Env', remote: { type: 'sftp' as const, host: 'h', user: 'u', password: { env: 'MY_OWN_VAR' } } }
  return {
    ...defaultStoredConfig(),
    remotes: [photos, nas, env],
    mounts: [
      { id: 'photos', remoteId: 'my-photos', remotePath: 'bucket', localPath: '/home/me/Photos', mountAtStart: true, options: {} },
      { id: 'nas', remoteId: 'nas', remotePath: '/srv', localPath: '/home/me/nas', mountAtStart: false, options: { readOnly: true } },
    ],
  }
}

describe('exportConfig', () => {
  it('names environment variables in SCREAMING_SNAKE', () => {
    expect(exportEnvName('my-photos', 'secretAccessKey')).toBe('RMOUNT_MY_PHOTOS_SECRET_ACCESS_KEY')
    expect(exportEnvName('nas2', 'keyPassphrase')).toBe('RMOUNT_NAS2_KEY_PASSPHRASE')
  })

  it('without secrets, writes only { env } references, in a file `rmount up` loads', async () => {
    const cipher = await keyringCipher()
    const stored = await storedWithSecrets(cipher)
    const file = await exportConfig(stored, cipher, { includeSecrets: false })
    expect(configFileSchema.safeParse(file).success).toBe(true)
    const text = JSON.stringify(file)
    for (const secret of [...Object.values(secrets), 'encrypted', 'aes-gcm-v1']) expect(text).not.toContain(secret)
    expect(file.remotes[0]!.remote).toMatchObject({ secretAccessKey: { env: 'RMOUNT_MY_PHOTOS_SECRET_ACCESS_KEY' } })
    expect(file.remotes[1]!.remote).toMatchObject({
      password: { env: 'RMOUNT_NAS_PASSWORD' },
      keyPassphrase: { env: 'RMOUNT_NAS_KEY_PASSPHRASE' },
    })
    // A reference the user chose is theirs: it stays.
    expect(file.remotes[2]!.remote).toMatchObject({ password: { env: 'MY_OWN_VAR' } })
    expect(Object.keys(file)).toEqual(['version', 'remotes', 'mounts'])

    const path = join(await tempDir(), 'rmount.json')
    await writeConfigFile(path, file)
    const loaded = await loadConfigFile(path)
    expect(loaded.warnings).toEqual([])
    expect(loaded.config.remotes.map((r) => r.id)).toEqual(['my-photos', 'nas', 'env'])
    expect(loaded.config.mounts.map((m) => m.localPath)).toEqual(['/home/me/Photos', '/home/me/nas'])
  })

  it('with secrets, writes the values to a 0600 file that imports back to the same remotes', async () => {
    const cipher = await keyringCipher()
    const stored = await storedWithSecrets(cipher)
    const file = await exportConfig(stored, cipher, { includeSecrets: true })
    expect(file.remotes[0]!.remote).toMatchObject({ secretAccessKey: secrets.s3 })
    const path = join(await tempDir(), 'with-secrets.json')
    await writeFile(path, 'an older export, readable by all', { mode: 0o644 })
    await writeConfigFile(path, file)
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect((await loadConfigFile(path)).warnings).toEqual([])

    // Imported on another machine, with another key.
    const otherCipher = await keyringCipher()
    const { config, remotes, mounts } = await importConfig(JSON.parse(await readFile(path, 'utf8')), defaultStoredConfig(), otherCipher)
    expect({ remotes, mounts }).toEqual({ remotes: 3, mounts: 2 })
    for (const [i, remote] of config.remotes.entries()) {
      expect(await toEngineRemote(remote, otherCipher)).toEqual(await toEngineRemote(stored.remotes[i]!, cipher))
    }
    expect(JSON.stringify(config)).not.toContain(secrets.s3)
    expect(config.mounts.map((m) => m.id)).toEqual(['photos', 'nas'])
  })
})

describe('importConfig', () => {
  it('merges by id, the imported remote or mount winning, and keeps settings', async () => {
    const cipher = await keyringCipher()
    const current = { ...(await storedWithSecrets(cipher)), settings: { ...defaultStoredConfig().settings, theme: 'dark' as const } }
    const json = {
      version: 1,
      remotes: [
        { id: 'nas', name: 'NAS (new)', remote: { type: 'sftp', host: 'nas2.lan', user: 'me', agent: true } },
        { id: 'extra', name: 'Extra', remote: { type: 's3', provider: 'Minio', endpoint: 'http://127.0.0.1:9000', envAuth: true } },
      ],
      mounts: [{ id: 'extra', remoteId: 'extra', remotePath: 'b', localPath: '/home/me/extra' }],
    }
    const { config } = await importConfig(json, current, cipher)
    expect(config.remotes.map((r) => [r.id, r.name])).toEqual([
      ['my-photos', 'Photos'],
      ['nas', 'NAS (new)'],
      ['env', 'Env'],
      ['extra', 'Extra'],
    ])
    expect(config.remotes[1]!.remote.password).toBeUndefined()
    expect(config.mounts.map((m) => m.id)).toEqual(['photos', 'nas', 'extra'])
    expect(config.settings.theme).toBe('dark')
  })

  it('refuses an invalid file with each bad field named, and changes nothing', async () => {
    const cipher = await keyringCipher()
    const cwd = await tempDir()
    const repo = new FileConfigRepository({ cwd })
    const current = await storedWithSecrets(cipher)
    await repo.save(current)
    const onDisk = await readFile(join(cwd, 'config.json'), 'utf8')
    const snapshot = structuredClone(current)
    const bad = {
      version: 1,
      remotes: [{ id: 'Bad Id', name: 'x', remote: { type: 'sftp', host: 'h', user: 'u', port: 0, password: 'pw' } }],
      mounts: [{ id: 'm', remoteId: 'nobody', remotePath: '', localPath: 'relative/path' }],
    }
    const error = await importConfig(bad, current, cipher).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RmountError)
    expect((error as RmountError).code).toBe('INVALID_CONFIG')
    expect((error as RmountError).message).toContain('remotes.0.id: Use lower-case letters, digits and dashes.')
    expect((error as RmountError).message).toContain('remotes.0.remote.port: Ports go from 1 to 65535.')
    expect((error as RmountError).message).toContain('mounts.0.localPath')
    expect(current).toEqual(snapshot)
    expect(await readFile(join(cwd, 'config.json'), 'utf8')).toBe(onDisk)
    await expect(importConfig('not even an object', current, cipher)).rejects.toThrow(/config: /)
  })

  it('refuses a file that clashes with the current config, and inline secrets without a keyring or consent', async () => {
    const cipher = await keyringCipher()
    const current = await storedWithSecrets(cipher)
    const clash = {
      version: 1,
      remotes: [{ id: 'box', name: 'Box', remote: { type: 'sftp', host: 'box', user: 'me', agent: true } }],
      mounts: [{ id: 'other', remoteId: 'box', remotePath: '/', localPath: '/home/me/Photos' }],
    }
    await expect(importConfig(clash, current, cipher)).rejects.toThrow(/Two mounts use the folder \/home\/me\/Photos/)
    const inline = { version: 1, remotes: [{ id: 'x', name: 'X', remote: { type: 'sftp', host: 'h', user: 'u', password: 'pw' } }] }
    await expect(importConfig(inline, current, await basicTextCipher())).rejects.toThrow(/No OS keyring/)
    const consented = { ...current, settings: { ...current.settings, allowPlaintextSecrets: true } }
    const { config } = await importConfig(inline, consented, await basicTextCipher())
    expect(config.remotes.at(-1)!.remote.password).toEqual({ plain: 'pw' })
  })
})
