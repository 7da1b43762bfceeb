/** The SSH server comes back with another host key: the mount stops for good, and no password goes to that server. */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { RemoteMount } from '../../electron/engine/index.js'
import { cleanUpMounts, isMounted, rcloneGoneFor, waitForState } from '../mount-helpers.js'
import { startSftpPasswordServer, stopAllServers, tempDir } from '../servers/index.js'

const mounts: RemoteMount[] = []
const mountPoints = new Set<string>()
afterAll(async () => {
  await cleanUpMounts(mounts, mountPoints)
  await stopAllServers()
})

// rclone serve sftp logs this at DEBUG for every password it is offered, right or wrong.
const passwordAttempt = /Password login attempt/g

describe('a changed host key', () => {
  it('stops the mount with HOST_KEY_MISMATCH, without a restart and without sending the password', async () => {
    const server = await startSftpPasswordServer({ logLevel: 'DEBUG' })
    const dir = await tempDir('rmount-hostkey-')
    const localPath = join(dir, 'mnt')
    mountPoints.add(localPath)
    const mount = new RemoteMount(
      {
        type: 'sftp',
        host: server.host,
        port: server.port,
        user: server.user,
        password: server.password,
        hostKeyFingerprint: server.hostKeyFingerprint,
      },
      '',
      localPath,
      { stateDir: join(dir, 'state') },
    )
    mounts.push(mount)
    await mount.mount()
    // The server's log does record password logins: the mount's own, with the right key.
    const logBefore = await readFile(server.logFile, 'utf8')
    expect(logBefore.match(passwordAttempt)?.length ?? 0).toBeGreaterThan(0)

    await server.restartWithNewHostKey()
    await waitForState(mount, 'failed', 30_000)
    expect(mount.health().lastError).toMatchObject({ code: 'HOST_KEY_MISMATCH' })
    expect(await rcloneGoneFor(localPath)).toEqual([])
    expect(isMounted(localPath)).toBe(false)
    // It stays stopped: no restart, no second try.
    await sleep(3000)
    expect(mount.health()).toMatchObject({ state: 'failed', restarts: 0 })
    const logAfter = (await readFile(server.logFile, 'utf8')).slice(logBefore.length)
    expect(logAfter.match(passwordAttempt)).toBeNull()
  }, 90_000)
})
