/** A missing or unreadable key file is named as such, before rclone tries to connect (issue 12, point 4). */
import { chmod, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { testConnection } from '../../electron/engine/index.js'
import { stopAllServers, tempDir } from '../servers/index.js'

// Port 1 on loopback refuses at once: were the key file not checked first, this would be REMOTE_UNREACHABLE.
const server = { type: 'sftp' as const, host: '127.0.0.1', port: 1, user: 'me' }

describe('key file check', () => {
  it('a missing key file gets KEY_FILE_UNREADABLE, not a refused login or an unreachable server', async () => {
    const keyFile = join(await tempDir('rmount-keyfile-'), 'id_missing')
    const result = await testConnection({ ...server, keyFile }, '')
    expect(result.ok).toBe(false)
    expect(result.error?.code).toBe('KEY_FILE_UNREADABLE')
    expect(result.error?.message).toContain(`${keyFile} does not exist`)
  })

  it.runIf(process.getuid?.() !== 0)('a key file the user cannot read gets KEY_FILE_UNREADABLE', async () => {
    const keyFile = join(await tempDir('rmount-keyfile-'), 'id_locked')
    await writeFile(keyFile, 'not a key\n')
    await chmod(keyFile, 0o000)
    const result = await testConnection({ ...server, keyFile }, '')
    expect(result.error?.code).toBe('KEY_FILE_UNREADABLE')
    expect(result.error?.message).toContain('cannot be read by your user')
  })

  it('a folder given as the key file gets KEY_FILE_UNREADABLE', async () => {
    const keyFile = await tempDir('rmount-keyfile-')
    const result = await testConnection({ ...server, keyFile }, '')
    expect(result.error?.code).toBe('KEY_FILE_UNREADABLE')
    expect(result.error?.message).toContain('is not a file')
  })
})

afterAll(() => stopAllServers())
