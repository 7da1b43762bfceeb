/**
 * Files waiting to upload survive a change of the remote's options: rclone hashes the options into
 * its cache path, so without RMount carrying them over they would stay in the old folder for ever.
 * Real s3rver, real rclone (the bundled one and Debian's 1.60), real FUSE mounts.
 */
import { readdir, writeFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { RemoteMount } from '../../electron/engine/index.js'
import { startS3, stopAllServers, tempDir } from '../servers/index.js'
import { cleanUpMounts, eventually, s3RemoteOf } from '../mount-helpers.js'

const bucket = 'carry'
const mounts: RemoteMount[] = []
const mountPoints = new Set<string>()

afterEach(() => cleanUpMounts(mounts, mountPoints))
afterAll(stopAllServers)

const rclones = [
  ['bundled rclone', 'vendor/bin/rclone'],
  ['Debian rclone 1.60', '/usr/bin/rclone'],
] as const

describe.each(rclones)('pending uploads across an options change (%s)', (_name, rclonePath) => {
  it('carries files left by a forced unmount over to the new cache folder and uploads them at the next mount', async () => {
    const s3 = await startS3({ buckets: [bucket] })
    const localPath = join(await tempDir('rmount-carry-mnt-'), 'mnt')
    const stateDir = await tempDir('rmount-carry-state-')
    mountPoints.add(localPath)
    const mountWith = (region: string, writeBackMs: number) => {
      const m = new RemoteMount({ ...s3RemoteOf(s3), region }, bucket, localPath, { stateDir, rclonePath, writeBackMs })
      mounts.push(m)
      return m
    }

    // A long write-back delay keeps the files in the cache until the forced unmount.
    const first = mountWith('us-east-1', 600_000)
    await first.mount()
    await writeFile(join(localPath, 'a.txt'), 'written before the options changed\n')
    await mkdir(join(localPath, 'sub'))
    await writeFile(join(localPath, 'sub', 'b.txt'), 'also waiting\n')
    expect(await eventually(() => first.health().pendingUploads === 2, 10_000)).toBe(true)
    const { pendingFiles } = await first.unmount({ force: true })
    expect(pendingFiles).toEqual(['a.txt', 'sub/b.txt'])
    expect(await s3.listKeys(bucket)).toEqual([])

    // Another region is another options hash, so another cache folder: without the carry-over the files stay behind.
    const second = mountWith('eu-west-1', 200)
    await second.mount()
    const uploaded = await eventually(async () => (await s3.listKeys(bucket)).length === 2, 20_000)
    expect(await s3.listKeys(bucket), `uploaded: ${uploaded}`).toEqual(['a.txt', 'sub/b.txt'])
    expect((await s3.readObject(bucket, 'a.txt'))?.toString()).toBe('written before the options changed\n')
    expect((await s3.readObject(bucket, 'sub/b.txt'))?.toString()).toBe('also waiting\n')
    const folders = (await readdir(join(stateDir, 'cache', 'vfsMeta'))).sort()
    expect(folders).toHaveLength(2)
    expect(folders.every((name) => /^rmount\{[^}]+\}$/.test(name))).toBe(true)
    expect((await second.unmount()).pendingFiles).toEqual([])
  })
})
