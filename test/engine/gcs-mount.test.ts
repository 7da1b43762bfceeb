/**
 * The GCS preset (provider GCS, S3 interface) through the arguments and environment a user's GCS mount
 * gets, with only the endpoint pointed at s3rver: with an rclone that supports it (1.63+, the vendored
 * one) it mounts, writes and reads, and the file reaches the server; with an older one (the compatibility
 * run on 1.60) it is refused with RCLONE_TOO_OLD before anything starts. Google's own request signing
 * cannot be tested here (no Google account, no network): see docs/RCLONE.md.
 */
import { randomBytes } from 'node:crypto'
import { readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { RemoteMount, RmountError } from '../../electron/engine/index.js'
import { atLeast, features, findRclone } from '../../electron/engine/rclone-binary.js'
import { startS3, stopAllServers, tempDir, type S3Server } from '../servers/index.js'
import { cleanUpMounts, isMounted, rclonePidsFor } from '../mount-helpers.js'

const bucket = 'gcs-bucket'
const mounts: RemoteMount[] = []
const mountPoints = new Set<string>()

afterEach(async () => {
  await cleanUpMounts(mounts, mountPoints)
  await stopAllServers()
})

async function gcsMount(s3: S3Server): Promise<RemoteMount> {
  const localPath = join(await tempDir('rmount-gcs-mnt-'), 'mnt')
  const m = new RemoteMount(
    { type: 's3', provider: 'GCS', endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    bucket,
    localPath,
    { stateDir: await tempDir('rmount-gcs-state-'), writeBackMs: 300 },
  )
  mounts.push(m)
  mountPoints.add(localPath)
  return m
}

describe('GCS preset through its S3 interface', () => {
  it('mounts, writes and reads with an rclone of 1.63 or later, and the file reaches the server; older ones get RCLONE_TOO_OLD', async () => {
    const rclone = await findRclone()
    const s3 = await startS3({ buckets: [bucket] })
    const m = await gcsMount(s3)
    if (!atLeast(rclone.semver, features.gcsS3)) {
      const error = await m.mount().then(
        () => null,
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(RmountError)
      expect((error as RmountError).code).toBe('RCLONE_TOO_OLD')
      expect((error as RmountError).message).toContain(rclone.version)
      expect((error as RmountError).message).not.toContain(s3.secretAccessKey)
      expect(isMounted(m.localPath)).toBe(false)
      expect(rclonePidsFor(m.localPath)).toEqual([])
      return
    }
    await m.mount()
    expect(m.state).toBe('mounted')
    expect(m.health().rcloneVersion).toBe(rclone.version)
    const data = randomBytes(150_000)
    await writeFile(join(m.localPath, 'from-gcs-preset.bin'), data)
    expect((await readFile(join(m.localPath, 'from-gcs-preset.bin'))).equals(data)).toBe(true)
    expect(await readdir(m.localPath)).toEqual(['from-gcs-preset.bin'])
    expect((await m.unmount()).pendingFiles).toEqual([])
    expect(await s3.listKeys(bucket)).toEqual(['from-gcs-preset.bin'])
    expect((await s3.readObject(bucket, 'from-gcs-preset.bin'))?.equals(data)).toBe(true)
  })
})
