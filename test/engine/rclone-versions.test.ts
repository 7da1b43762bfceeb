/**
 * What a current rclone gives, and the old way kept for rclone before it, on the vendored rclone and on the
 * system's 1.60 side by side: the rc endpoint (unix socket from 1.69, loopback TCP before), the named upload
 * queue (vfs/queue, from 1.68), and changes made on the remote by another client showing in the mount.
 */
import { execFile } from 'node:child_process'
import { readFileSync, readdirSync, readlinkSync } from 'node:fs'
import { stat, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { RemoteMount, type MountHealth, type MountOptionsInput, type RemoteInput } from '../../electron/engine/index.js'
import { cleanUpMounts, rcStatusWithoutAuth, rcTargetOf, s3RemoteOf } from '../mount-helpers.js'
import { startS3, startSshd, stopAllServers, tempDir, type S3Server } from '../servers/index.js'

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

/** `ls -A` in a child with a deadline, so a hung mount costs the child, not the test. */
function list(dir: string): Promise<string[]> {
  return new Promise((resolvePromise, reject) => {
    execFile('ls', ['-A', dir], { timeout: 5000 }, (error, stdout) => {
      if (error) reject(error)
      else resolvePromise(stdout.split('\n').filter(Boolean))
    })
  })
}

/** Another S3 client (its own rclone, its own credentials) puts an object into the bucket. */
function putObject(s3: S3Server, key: string, body: string): Promise<void> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    RCLONE_CONFIG_OTHER_TYPE: 's3',
    RCLONE_CONFIG_OTHER_PROVIDER: 'Minio',
    RCLONE_CONFIG_OTHER_ENDPOINT: s3.endpoint,
    RCLONE_CONFIG_OTHER_ACCESS_KEY_ID: s3.accessKeyId,
    RCLONE_CONFIG_OTHER_SECRET_ACCESS_KEY: s3.secretAccessKey,
    RCLONE_CONFIG_OTHER_NO_CHECK_BUCKET: 'true',
  }
  return new Promise((resolvePromise, reject) => {
    const child = execFile(vendored, ['--config', '/dev/null', 'rcat', `other:${bucket}/${key}`], { env, timeout: 20_000 }, (error) =>
      error ? reject(error) : resolvePromise(),
    )
    child.stdin!.end(body)
  })
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
    await putObject(s3, 'from-colleague.txt', 'hello')
    const ms = await msUntilListed(m.localPath, 'from-colleague.txt', 15_000)
    expect(ms).toBeLessThan(10_000)

    const cached = await newMount(s3RemoteOf(s3), bucket, { rclonePath, changeCheckSeconds: 3600 })
    await cached.mount()
    expect(await list(cached.localPath)).toEqual(['from-colleague.txt'])
    await putObject(s3, 'second.txt', 'again')
    await sleep(2000)
    // Without a refresh the hour-long change check still hides it, which is what refresh() is for.
    expect(await list(cached.localPath)).toEqual(['from-colleague.txt'])
    await cached.refresh()
    expect(await list(cached.localPath)).toEqual(['from-colleague.txt', 'second.txt'])
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
