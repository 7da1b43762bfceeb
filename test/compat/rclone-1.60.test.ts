/**
 * The compatibility run (vitest.compat.config.ts, RMOUNT_RCLONE=/usr/bin/rclone): the oldest rclone the
 * engine supports, Debian 12's 1.60, still mounts S3 and SFTP, recovers from kill -9, and uploads
 * everything before unmount() returns. GCS on it is refused with RCLONE_TOO_OLD (test/engine/gcs-mount.test.ts,
 * which this run includes too). The full suite runs on the vendored rclone.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { RemoteMount, type RemoteInput } from '../../electron/engine/index.js'
import { findRclone, minimumVersion, atLeast, rcloneEnvVar } from '../../electron/engine/rclone-binary.js'
import { startS3, startSshd, stopAllServers, tempDir, type S3Server, type SshdServer } from '../servers/index.js'
import { cleanUpMounts, isMounted, s3RemoteOf, waitForState } from '../mount-helpers.js'

const bucket = 'bucket'
const mounts: RemoteMount[] = []
const mountPoints = new Set<string>()
let sshd: SshdServer

beforeAll(async () => {
  sshd = await startSshd()
})

afterEach(async () => {
  await cleanUpMounts(mounts, mountPoints)
})

afterAll(async () => {
  await stopAllServers()
})

async function newMount(remote: RemoteInput, remotePath: string): Promise<RemoteMount> {
  const localPath = join(await tempDir('rmount-compat-mnt-'), 'mnt')
  const m = new RemoteMount(remote, remotePath, localPath, { stateDir: await tempDir('rmount-compat-state-'), writeBackMs: 300 })
  mounts.push(m)
  mountPoints.add(localPath)
  return m
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')

/** The bucket's objects, each as its SHA-256. */
async function bucketHashes(s3: S3Server): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {}
  for (const key of await s3.listKeys(bucket)) hashes[key] = sha256((await s3.readObject(bucket, key))!)
  return hashes
}

describe(`compatibility: the rclone ${rcloneEnvVar} names`, () => {
  it('is an old rclone the engine still supports (Debian 12: 1.60.1)', async () => {
    expect(process.env[rcloneEnvVar], `run this file through vitest.compat.config.ts, which sets ${rcloneEnvVar}`).toBeTruthy()
    const rclone = await findRclone()
    expect(rclone).toMatchObject({ path: process.env[rcloneEnvVar], source: 'env' })
    expect(atLeast(rclone.semver, minimumVersion)).toBe(true)
    expect(atLeast(rclone.semver, [1, 63, 0]), `${rclone.version} is not an old rclone: the compatibility run would test nothing old`).toBe(
      false,
    )
  })

  it('mounts S3: writes, reads, renames, and the server has the bytes after unmount', async () => {
    const s3 = await startS3({ buckets: [bucket] })
    const m = await newMount(s3RemoteOf(s3), bucket)
    await m.mount()
    expect(m.health().rcloneVersion).toBe((await findRclone()).version)
    const data = randomBytes(300_000)
    await mkdir(join(m.localPath, 'docs'))
    await writeFile(join(m.localPath, 'docs', 'a.bin'), data)
    await rename(join(m.localPath, 'docs', 'a.bin'), join(m.localPath, 'docs', 'b.bin'))
    expect((await readFile(join(m.localPath, 'docs', 'b.bin'))).equals(data)).toBe(true)
    expect((await m.unmount()).pendingFiles).toEqual([])
    expect(isMounted(m.localPath)).toBe(false)
    expect(await bucketHashes(s3)).toEqual({ 'docs/b.bin': sha256(data) })
  })

  it('mounts SFTP (OpenSSH, key): writes and reads, and the server has the bytes after unmount', async () => {
    const remote = { type: 'sftp', host: '127.0.0.1', port: sshd.port, user: sshd.user, keyFile: sshd.keyFile } as RemoteInput
    const m = await newMount(remote, sshd.rootDir)
    await m.mount()
    const data = randomBytes(2 * 1024 * 1024 + 3)
    await writeFile(join(m.localPath, 'big.bin'), data)
    expect(sha256(await readFile(join(m.localPath, 'big.bin')))).toBe(sha256(data))
    expect((await m.unmount()).pendingFiles).toEqual([])
    expect(sha256(await readFile(join(sshd.rootDir, 'big.bin')))).toBe(sha256(data))
  })

  it('restarts rclone after kill -9, and a file closed before the crash still reaches the server', async () => {
    const s3 = await startS3({ buckets: [bucket] })
    const m = await newMount(s3RemoteOf(s3), bucket)
    await m.mount()
    const data = randomBytes(200_000)
    await writeFile(join(m.localPath, 'before-crash.bin'), data)
    await sleep(100)
    const oldPid = m.health().pid!
    process.kill(oldPid, 'SIGKILL')
    await waitForState(m, 'restarting', 5000)
    await waitForState(m, 'mounted', 20_000)
    expect(m.health().pid).not.toBe(oldPid)
    expect((await readFile(join(m.localPath, 'before-crash.bin'))).equals(data)).toBe(true)
    expect((await m.unmount()).pendingFiles).toEqual([])
    expect(await bucketHashes(s3)).toEqual({ 'before-crash.bin': sha256(data) })
  })

  it('uploads every file written just before unmount() before it returns', async () => {
    const s3 = await startS3({ buckets: [bucket] })
    const m = await newMount(s3RemoteOf(s3), bucket)
    await m.mount()
    const expected: Record<string, string> = {}
    for (let i = 0; i < 12; i++) {
      const data = randomBytes(i * 97_331)
      await writeFile(join(m.localPath, `file-${i}.bin`), data)
      expected[`file-${i}.bin`] = sha256(data)
    }
    const result = await m.unmount()
    expect(result.pendingFiles).toEqual([])
    expect(m.state).toBe('unmounted')
    expect(await readdir(m.localPath)).toEqual([])
    expect(await bucketHashes(s3)).toEqual(expected)
  })
})
