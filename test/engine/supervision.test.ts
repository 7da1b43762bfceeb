/** Supervision behaviour not tied to one backend: vanished mounts, events, disposal, the package entry. */
import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { RemoteMount, type MountHealth } from '../../electron/engine/index.js'
import { readMountTable } from '../../electron/engine/mountinfo.js'
import { startS3, stopAllServers, tempDir, type S3Server } from '../servers/index.js'
import { rcTargetOf, s3RemoteOf, waitForState } from '../mount-helpers.js'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../..', import.meta.url))

async function s3Mount(s3: S3Server, bucket: string) {
  const dir = await tempDir('rmount-sup-')
  const localPath = join(dir, 'mnt')
  return { localPath, mount: new RemoteMount(s3RemoteOf(s3), bucket, localPath, { stateDir: join(dir, 'state') }) }
}

afterAll(stopAllServers)

describe('supervision', () => {
  it('mounts again when the mount is taken away behind its back', async () => {
    const s3 = await startS3({ buckets: ['vanish'] })
    const { mount, localPath } = await s3Mount(s3, 'vanish')
    const states: string[] = []
    mount.on('state', (state, health) => states.push(`${state}: ${health.reason}`))
    try {
      await mount.mount()
      await writeFile(join(localPath, 'before.txt'), 'before')
      const firstPid = mount.health().pid
      await run('fusermount3', ['-u', localPath]).catch(() => run('fusermount', ['-u', localPath]))
      await waitForState(mount, 'restarting')
      await waitForState(mount, 'mounted')
      expect(mount.health().pid).not.toBe(firstPid)
      expect(mount.health().restarts).toBe(1)
      expect(await readFile(join(localPath, 'before.txt'), 'utf8')).toBe('before')
      expect(states.every((s) => /: \S/.test(s))).toBe(true)
    } finally {
      await mount.unmount({ force: true })
    }
    expect((await readMountTable()).some((m) => m.mountPoint === localPath)).toBe(false)
  })

  it('reports health, log lines and the rc endpoint, and unmounts when disposed', async () => {
    const s3 = await startS3({ buckets: ['events'] })
    const { mount, localPath } = await s3Mount(s3, 'events')
    const logs: string[] = []
    mount.on('log', (line) => logs.push(line.message))
    {
      await using disposable = mount
      await disposable.mount()
      const health = disposable.health()
      expect(health).toMatchObject({ state: 'mounted', localPath, restarts: 0, lastError: null, pendingUploads: 0 })
      expect(health.pid).toBeGreaterThan(0)
      expect(health.mountedAt).toBeGreaterThan(Date.now() - 60_000)
      expect(health.rcloneVersion).toMatch(/^v1\./)
      expect(rcTargetOf(disposable)).not.toBeNull()
      expect(disposable.recentLogs().length).toBe(logs.length)
      // An idle mount reports numbers every fifteenth health round (every round while it uploads).
      const tick = await new Promise<MountHealth>((resolve) => disposable.once('health', resolve))
      expect(tick.lastProbeOk).toBeGreaterThan(Date.now() - 3000)
      await writeFile(join(localPath, 'busy.txt'), 'x'.repeat(1000))
      const busy = await new Promise<MountHealth>((resolve) => {
        const onHealth = (h: MountHealth) => {
          if (h.pendingUploads + h.uploadsInProgress === 0) return
          disposable.off('health', onHealth)
          resolve(h)
        }
        disposable.on('health', onHealth)
      })
      expect(busy.pendingUploads + busy.uploadsInProgress).toBe(1)
    }
    expect(mount.state).toBe('unmounted')
    expect((await readMountTable()).some((m) => m.mountPoint === localPath)).toBe(false)
  })

  it('unmounting a mount that never mounted is a no-op', async () => {
    const s3 = await startS3({ buckets: ['noop'] })
    const { mount } = await s3Mount(s3, 'noop')
    await expect(mount.unmount()).resolves.toEqual({ pendingFiles: [] })
    expect(mount.state).toBe('unmounted')
  })
})

describe('package', () => {
  it("is importable as 'rmount' from the repository after the build", async () => {
    const { stdout } = await run(
      process.execPath,
      ['--input-type=module', '-e', "const m = await import('rmount'); console.log(Object.keys(m).sort().join(' '))"],
      { cwd: root },
    )
    for (const name of ['RemoteMount', 'RemoteServer', 'RmountError', 'checkSystem'])
      expect(stdout.split(' ').map((s) => s.trim())).toContain(name)
  })
})

describe('testConnection', () => {
  it('gives the specific outcome without mounting anything', async () => {
    const { testConnection } = await import('../../electron/engine/index.js')
    const s3 = await startS3({ buckets: ['tested'] })
    const remote = s3RemoteOf(s3)
    expect(await testConnection(remote, 'tested')).toMatchObject({ ok: true })
    // No bucket chosen yet: listing the buckets still checks the keys.
    expect(await testConnection(remote, '')).toMatchObject({ ok: true })
    expect(await testConnection(remote, 'missing-bucket')).toMatchObject({ ok: false, error: { code: 'REMOTE_NOT_FOUND' } })
    const wrong = await testConnection({ ...remote, accessKeyId: 'WRONGKEY' }, 'tested')
    expect(wrong).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED' } })
    expect(wrong.error!.message).toMatch(/check the access key/)
    expect(await testConnection({ ...remote, endpoint: 'not a url' }, 'tested')).toMatchObject({
      ok: false,
      error: { code: 'INVALID_CONFIG' },
    })
  })
})
