/**
 * What a current rclone gives, and the old way kept for rclone before it, on the vendored rclone and on the
 * system's 1.60 side by side: the rc endpoint (unix socket from 1.69, loopback TCP before), the named upload
 * queue (vfs/queue, from 1.68), and changes made on the remote by another client showing in the mount.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs'
import { mkdir, stat, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { RemoteMount, type MountHealth, type MountOptionsInput, type RemoteInput } from '../../electron/engine/index.js'
import { cleanUpMounts, list, putObjectAsAnotherClient, rcStatusWithoutAuth, rcTargetOf, s3RemoteOf } from '../mount-helpers.js'
import { startS3, startSshd, stopAllServers, tempDir } from '../servers/index.js'

const vendored = resolve(fileURLToPath(new URL('../../vendor/bin/rclone', import.meta.url)))
const rclones = [
  { name: 'vendored rclone', path: vendored, current: true },
  { name: 'rclone 1.60 (the oldest supported)', path: '/usr/bin/rclone', current: false },
]
const bucket = 'shared'

const mounts: RemoteMount[] = []
const mountPoints = new Set<string>()

afterEach(async () => {
  await cleanUpMounts(mounts, mountPoints)
  await stopAllServers()
})

async function newMount(remote: RemoteInput, remotePath: string, options: MountOptionsInput): Promise<RemoteMount> {
  const localPath = join(await tempDir('rmount-ver-mnt-'), 'mnt')
  const m = new RemoteMount(remote, remotePath, localPath, { stateDir: await tempDir('rmount-ver-state-'), ...options })
  mounts.push(m)
  mountPoints.add(localPath)
  return m
}

/** ms until `name` shows in a listing of `dir`, listing every 200 ms; rejects after `timeoutMs`. */
async function msUntilListed(dir: string, name: string, timeoutMs: number): Promise<number> {
  const started = performance.now()
  while (!(await list(dir)).includes(name)) {
    if (performance.now() - started > timeoutMs) throw new Error(`${name} did not show in ${dir} within ${timeoutMs} ms`)
    await sleep(200)
  }
  return performance.now() - started
}

/** Inodes of the TCP sockets in LISTEN state on this machine (/proc/net/tcp and tcp6; state 0A is LISTEN). */
function tcpListenInodes(): Set<string> {
  const inodes = new Set<string>()
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/)
      if (fields[3] === '0A') inodes.add(fields[9]!)
    }
  }
  return inodes
}

/** The listening TCP sockets among a process's open files. */
function tcpListenersOf(pid: number): string[] {
  const listening = tcpListenInodes()
  const owned: string[] = []
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    const link = (() => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`)
      } catch {
        return ''
      }
    })()
    const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1]
    if (inode && listening.has(inode)) owned.push(inode)
  }
  return owned
}

describe.each(rclones)('$name', ({ path: rclonePath, current }) => {
  it(`serves rc ${current ? 'on a unix socket in the 0700 state folder, no TCP port' : 'on loopback TCP'}, always with auth`, async () => {
    const s3 = await startS3({ buckets: [bucket] })
    const m = await newMount(s3RemoteOf(s3), bucket, { rclonePath })
    await m.mount()
    const target = rcTargetOf(m)
    expect(target).not.toBeNull()
    const listeners = tcpListenersOf(m.health().pid!)
    if (current) {
      expect(target).toEqual({ socketPath: join(m.paths.stateDir, 'rc.sock') })
      expect((await stat(m.paths.stateDir)).mode & 0o777).toBe(0o700)
      expect((await stat(join(m.paths.stateDir, 'rc.sock'))).isSocket()).toBe(true)
      expect(listeners).toEqual([])
    } else {
      // The check above can see a listener: the old rclone's loopback port is one.
      expect('port' in target!).toBe(true)
      expect(listeners.length).toBe(1)
    }
    for (const endpoint of ['/core/pid', '/config/dump', '/vfs/forget']) expect(await rcStatusWithoutAuth(target!, endpoint)).toBe(401)
    // The engine itself talks to it: health rounds and refresh() go through the same endpoint.
    await m.refresh()
    expect((await m.unmount()).pendingFiles).toEqual([])
  })

  it(`lists the files waiting to upload ${current ? 'by name (vfs/queue)' : 'by count only (no vfs/queue)'}, and a forced unmount names them`, async () => {
    const s3 = await startS3({ buckets: [bucket] })
    const m = await newMount(s3RemoteOf(s3), bucket, { rclonePath, writeBackMs: 60_000 })
    await m.mount()
    await writeFile(join(m.localPath, 'queued.txt'), 'waits a minute')
    const health = await new Promise<MountHealth>((resolveHealth) => {
      const onHealth = (h: MountHealth) => {
        if (h.pendingUploads + h.uploadsInProgress === 0) return
        m.off('health', onHealth)
        resolveHealth(h)
      }
      m.on('health', onHealth)
    })
    expect(health.pendingUploads).toBe(1)
    if (current) expect(health.pendingFiles).toEqual(['queued.txt'])
    else expect(health.pendingFiles).toBeUndefined()
    expect((await m.unmount({ force: true })).pendingFiles).toEqual(['queued.txt'])
    expect(await s3.listKeys(bucket)).toEqual([])
  })

  it('shows a file another client puts into the bucket within 10 s, and at once after refresh()', async () => {
    const s3 = await startS3({ buckets: [bucket] })
    const m = await newMount(s3RemoteOf(s3), bucket, { rclonePath })
    await m.mount()
    expect(await list(m.localPath)).toEqual([])
    await putObjectAsAnotherClient(s3, bucket, 'from-colleague.txt', 'hello')
    const ms = await msUntilListed(m.localPath, 'from-colleague.txt', 15_000)
    expect(ms).toBeLessThan(10_000)

    // Files of our own still waiting to upload (a minute's write-back) keep rclone from dropping their folders' listings.
    const cached = await newMount(s3RemoteOf(s3), bucket, { rclonePath, changeCheckSeconds: 3600, writeBackMs: 60_000 })
    await cached.mount()
    expect(await list(cached.localPath)).toEqual(['from-colleague.txt'])
    await mkdir(join(cached.localPath, 'sub'))
    await writeFile(join(cached.localPath, 'sub', 'mine.txt'), 'waits')
    await writeFile(join(cached.localPath, 'mine-too.txt'), 'waits')
    expect(await list(join(cached.localPath, 'sub'))).toEqual(['mine.txt'])
    await putObjectAsAnotherClient(s3, bucket, 'second.txt', 'again')
    await putObjectAsAnotherClient(s3, bucket, 'sub/theirs.txt', 'again')
    await sleep(2000)
    // Without a refresh the hour-long change check still hides them, which is what refresh() is for.
    expect(await list(cached.localPath)).toEqual(['from-colleague.txt', 'mine-too.txt', 'sub'])
    expect(await list(join(cached.localPath, 'sub'))).toEqual(['mine.txt'])
    await cached.refresh()
    expect(await list(cached.localPath)).toEqual(['from-colleague.txt', 'mine-too.txt', 'second.txt', 'sub'])
    expect(await list(join(cached.localPath, 'sub'))).toEqual(['mine.txt', 'theirs.txt'])
  })

  it('shows a file another client writes on the SFTP server within 10 s, and at once after refresh()', async () => {
    const sshd = await startSshd()
    const remote: RemoteInput = { type: 'sftp', host: '127.0.0.1', port: sshd.port, user: sshd.user, keyFile: sshd.keyFile }
    const m = await newMount(remote, sshd.rootDir, { rclonePath })
    await m.mount()
    expect(await list(m.localPath)).toEqual([])
    await writeFile(join(sshd.rootDir, 'from-colleague.txt'), 'hello')
    const ms = await msUntilListed(m.localPath, 'from-colleague.txt', 15_000)
    expect(ms).toBeLessThan(10_000)

    const cached = await newMount(remote, sshd.rootDir, { rclonePath, changeCheckSeconds: 3600 })
    await cached.mount()
    expect(await list(cached.localPath)).toEqual(['from-colleague.txt'])
    await writeFile(join(sshd.rootDir, 'second.txt'), 'again')
    await sleep(2000)
    expect(await list(cached.localPath)).toEqual(['from-colleague.txt'])
    await cached.refresh()
    expect(await list(cached.localPath)).toEqual(['from-colleague.txt', 'second.txt'])
  })
})
