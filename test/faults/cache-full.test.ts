/** The cache disk fills up: writers get ENOSPC, the mount stays up and says CACHE_FULL, and recovers when space returns. */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { RemoteMount } from '../../electron/engine/index.js'
import { cleanUpMounts, isMounted, waitForState } from '../mount-helpers.js'
import { stopAllServers, tempDir } from '../servers/index.js'
import { startRemote } from './fault-helpers.js'

const run = promisify(execFile)
const mounts: RemoteMount[] = []
const mountPoints = new Set<string>()
const tmpfsMounts: string[] = []
afterAll(async () => {
  await cleanUpMounts(mounts, mountPoints)
  for (const path of tmpfsMounts) await run('umount', ['-l', path]).catch(() => undefined)
  await stopAllServers()
})

describe('a full cache disk', () => {
  it('fails the writer (rclone says EIO, not ENOSPC), keeps the mount up with CACHE_FULL, recovers when space returns, and loses nothing', async () => {
    const remote = await startRemote('s3')
    const dir = await tempDir('rmount-cachefull-')
    const stateDir = join(dir, 'state')
    await mkdir(stateDir)
    await run('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tmpfs', stateDir])
    tmpfsMounts.push(stateDir)
    const localPath = join(dir, 'mnt')
    mountPoints.add(localPath)
    const mount = new RemoteMount(remote.remote, remote.remotePath, localPath, { stateDir, writeBackMs: 500 })
    mounts.push(mount)
    await mount.mount()
    const pid = mount.health().pid

    const before = randomBytes(256 * 1024)
    await writeFile(join(localPath, 'before.bin'), before)
    for (let i = 0; i < 100 && !(await remote.read('before.bin'))?.equals(before); i++) await sleep(100)
    expect((await remote.read('before.bin'))?.equals(before)).toBe(true)

    // A program saving a file larger than the cache disk (in a child: the write goes through FUSE).
    const writer = await run('dd', ['if=/dev/urandom', `of=${join(localPath, 'big.bin')}`, 'bs=1M', 'count=8']).then(
      () => 'written',
      (error: { stderr?: string }) => error.stderr ?? '',
    )
    // rclone (1.75.2 measured) turns the cache's ENOSPC into EIO for the writer; either way the write fails loudly.
    expect(writer).toMatch(/No space left on device|Input\/output error/)
    console.log(`cache full: the writer got "${/No space left on device|Input\/output error/.exec(writer)?.[0]}"`)
    await waitForState(mount, 'degraded', 10_000)
    expect(mount.health().lastError).toMatchObject({ code: 'CACHE_FULL', message: expect.stringMatching(/Free space on that disk/) })
    expect(isMounted(localPath)).toBe(true)
    expect(mount.health()).toMatchObject({ pid, restarts: 0 })

    // Space returns.
    await run('mount', ['-o', 'remount,size=64m', stateDir])
    await waitForState(mount, 'mounted', 10_000)
    const after = randomBytes(256 * 1024)
    await writeFile(join(localPath, 'after.bin'), after)
    await mount.unmount({ timeoutMs: 60_000 })
    expect((await remote.read('before.bin'))?.equals(before)).toBe(true)
    expect((await remote.read('after.bin'))?.equals(after)).toBe(true)
    expect(mount.health().restarts).toBe(0)
  }, 90_000)
})
