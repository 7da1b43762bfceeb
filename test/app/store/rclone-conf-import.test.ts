/** rclone.conf import, checked against rclone 1.60 itself: its obscure, its config parser. */
import { execFileSync } from 'node:child_process'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { RmountError } from '../../../shared/errors.js'
import { obscure, reveal } from '../../../electron/engine/index.js'
import { importConfig } from '../../../electron/app/store/config-transfer.js'
import { parseRcloneConf, importRcloneConf, slug } from '../../../electron/app/store/rclone-conf-import.js'
import { toEngineRemote } from '../../../electron/app/store/secrets.js'
import { defaultStoredConfig } from '../../../electron/app/store/store-schema.js'
import { keyringCipher, tempDir } from './fixtures.js'

/** `rclone obscure -` reads the password from the first line of stdin, so it never shows in the process list. */
function rcloneObscure(password: string): string {
  return execFileSync('rclone', ['obscure', '-'], { input: `${password}\n`, encoding: 'utf8' }).trim()
}

function rcloneDump(path: string): Record<string, Record<string, string>> {
  return JSON.parse(execFileSync('rclone', ['config', 'dump', '--config', path], { encoding: 'utf8' }))
}

const options = { homeDir: '/home/me', userName: 'me' }

describe('reveal', () => {
  it("reads back what rclone obscured, and what the engine's obscure wrote", () => {
    for (const password of ['hunter2', 'pa ss wörd ✓', 'x'.repeat(100), '=:;#`"']) {
      expect(reveal(rcloneObscure(password))).toBe(password)
      expect(reveal(obscure(password))).toBe(password)
    }
  })

  it('refuses what is not an obscured value', () => {
    expect(() => reveal('short')).toThrow(/too short/)
    expect(() => reveal('not base64 at all!')).toThrow(/obscured form/)
  })
})

describe('parseRcloneConf', () => {
  it('reads values exactly as rclone does', async () => {
    const text = [
      '\uFEFF; a comment',
      'stray = before any section',
      '[a]',
      'type = s3',
      'hash = ab#cd',
      'semi = ab;cd',
      'tick = `x = y`',
      'triple = """he said "hi" """',
      'dq = "quoted"',
      'colon: value',
      'spaced =   padded   ',
      'empty =',
      'dup = 1',
      'dup = 2',
      '  [ spaced name ]  ',
      'type = sftp\r',
      '',
    ].join('\n')
    const path = join(await tempDir(), 'rclone.conf')
    await writeFile(path, text)
    const ours = Object.fromEntries(parseRcloneConf(text).map((s) => [s.name, Object.fromEntries(s.values)]))
    const { DEFAULT: _default, ...theirs } = rcloneDump(path)
    expect(ours).toEqual(theirs)
  })

  it('refuses a line rclone would refuse, by number and without its text', () => {
    const error = (() => {
      try {
        parseRcloneConf('[a]\ntype = sftp\nsecret-token-without-equals\n')
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(RmountError)
    expect((error as Error).message).toMatch(/^Line 3 of the rclone.conf cannot be read/)
    expect((error as Error).message).not.toContain('secret-token')
    expect(() => parseRcloneConf('[]\n')).toThrow(/Line 1/)
    expect(() => parseRcloneConf('[a]\nk = `open\n')).toThrow(/closing quote/)
  })
})

describe('importRcloneConf', () => {
  it('imports an s3 and an sftp section, reveals the password, and skips other types with a reason', async () => {
    const password = 'n4s p@ss;word#1'
    const text = [
      '[Photos on S3]',
      'type = s3',
      'provider = AWS',
      'region = eu-west-1',
      'access_key_id = AKIAEXAMPLE',
      'secret_access_key = wJalrXUtnFEMI/K7MDENG',
      'acl = private',
      'location_constraint =',
      '',
      '[ceph]',
      'type = s3',
      'provider = Ceph',
      'endpoint = ceph.example.org',
      'env_auth = true',
      'region = other-v2-signature',
      'storage_class = STANDARD_IA',
      '',
      '[My NAS]',
      'type = sftp',
      'host = nas.lan',
      'port = 2222',
      'user = admin',
      `pass = ${rcloneObscure(password)}`,
      'known_hosts_file = ~/.ssh/known_hosts',
      'shell_type = unix',
      'md5sum_command = md5sum',
      '',
      '[agent-box]',
      'type = sftp',
      'host = box',
      '',
      '[gdrive]',
      'type = drive',
      'token = {"access_token":"x"}',
      '',
      '[crypted]',
      'type = crypt',
      'remote = gdrive:secret',
      '',
      '[no-endpoint]',
      'type = s3',
      'provider = Scaleway',
      'env_auth = true',
      '',
      '[bad-pass]',
      'type = sftp',
      'host = h',
      'pass = plainly-not-obscured-but-long-enough-to-decode',
    ].join('\n')
    const path = join(await tempDir(), 'rclone.conf')
    await writeFile(path, text, { mode: 0o600 })
    const before = await stat(path)
    const result = importRcloneConf(await readFile(path, 'utf8'), options)

    expect(result.remotes.map((r) => [r.id, r.name])).toEqual([
      ['photos-on-s3', 'Photos on S3'],
      ['ceph', 'ceph'],
      ['my-nas', 'My NAS'],
      ['agent-box', 'agent-box'],
    ])
    const [photos, ceph, nas, agentBox] = result.remotes.map((r) => r.remote)
    expect(photos).toMatchObject({
      type: 's3',
      provider: 'AWS',
      region: 'eu-west-1',
      accessKeyId: 'AKIAEXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG',
      acl: 'private',
    })
    expect(ceph).toMatchObject({ provider: 'Other', endpoint: 'https://ceph.example.org', envAuth: true, v2Auth: true })
    expect(ceph).not.toHaveProperty('region', 'other-v2-signature')
    expect(nas).toMatchObject({ type: 'sftp', host: 'nas.lan', port: 2222, user: 'admin', knownHostsFile: '/home/me/.ssh/known_hosts' })
    expect(nas!.type === 'sftp' && nas!.password).toBe(password)
    expect(agentBox).toMatchObject({ host: 'box', port: 22, user: 'me', agent: true })

    expect(result.skipped).toEqual([
      'ceph: imported without the rclone options storage_class (RMount does not set them).',
      'gdrive: rclone type "drive" is not supported (RMount mounts S3 and SFTP remotes).',
      'crypted: rclone type "crypt" is not supported (RMount mounts S3 and SFTP remotes).',
      'no-endpoint: remote.endpoint: Enter the endpoint URL of your Other server.',
      expect.stringMatching(/^bad-pass: its pass cannot be revealed/),
    ])
    // Only read: the file is as it was.
    expect(await readFile(path, 'utf8')).toBe(text)
    expect((await stat(path)).mtimeMs).toBe(before.mtimeMs)

    // The import path of the app: through importConfig, secrets encrypted.
    const cipher = await keyringCipher()
    const { config } = await importConfig({ version: 1, remotes: result.remotes, mounts: [] }, defaultStoredConfig(), cipher)
    expect(JSON.stringify(config)).not.toContain(password)
    expect(await toEngineRemote(config.remotes[2]!, cipher)).toMatchObject({ password })
  })

  it('skips an encrypted rclone.conf with a reason', () => {
    const text = '# Encrypted rclone configuration File\n\nRCLONE_ENCRYPT_V0:\nXVn5ZqO0zLd0w1sKkNUm8n3ayR2xOjI0Q5tAJtWvdA==\n'
    const result = importRcloneConf(text, options)
    expect(result.remotes).toEqual([])
    expect(result.skipped).toHaveLength(1)
    expect(result.skipped[0]).toMatch(/encrypted.*rclone config/)
  })

  it('makes valid, distinct ids from section names', () => {
    expect(slug('Photos on S3')).toBe('photos-on-s3')
    expect(slug('Ümlaut_Box!')).toBe('umlaut-box')
    expect(slug('---')).toBe('remote')
    expect(slug('x'.repeat(80))).toHaveLength(63)
    const text = '[a b]\ntype = sftp\nhost = h\n[a-b]\ntype = sftp\nhost = h\n[A B]\ntype = sftp\nhost = h\n'
    expect(importRcloneConf(text, options).remotes.map((r) => r.id)).toEqual(['a-b', 'a-b-2', 'a-b-3'])
  })
})
