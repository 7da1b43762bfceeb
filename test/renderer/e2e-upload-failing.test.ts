/**
 * A mount whose remote answers but whose uploads keep failing (UPLOAD_FAILING), end to end: the real
 * engine, rclone, FUSE and s3rver (see e2e-harness.ts). The bucket's folder is removed from s3rver's
 * data directory after a first upload, so the server still answers and every later upload fails.
 */
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../servers/index.js'
import { badge, bucket, handlers, mountFolders, page, pageErrors, row, s3, screenshot, setupWindow, snapshotHealth } from './e2e-harness.js'

setupWindow()

describe('a mount whose uploads fail (issue 12)', () => {
  it('says "Uploads failing" with the cause, not "remote not answering", and keeps Open folder', async () => {
    const remote = await handlers['remote:save']({
      name: 'Uploads',
      remote: {
        type: 's3',
        provider: 'Minio',
        endpoint: s3.endpoint,
        region: 'us-east-1',
        accessKeyId: s3.accessKeyId,
        secretAccessKey: s3.secretAccessKey,
      },
    })
    if (!remote.ok) throw new Error(`${remote.error.code}: ${remote.error.message}`)
    const folder = join(await tempDir('rmount-e2e-upload-'), 'failing')
    mountFolders.push(folder)
    const saved = await handlers['mount:save']({
      remoteId: remote.value.id,
      remotePath: bucket,
      localPath: folder,
      options: { writeBackMs: 200 },
    })
    if (!saved.ok) throw new Error(`${saved.error.code}: ${saved.error.message}`)
    const id = saved.value.id
    await page.getByRole('button', { name: 'Mounts', exact: true }).click()
    await row('failing').getByRole('button', { name: 'Mount', exact: true }).click()
    await badge('failing', 'Mounted')

    await writeFile(join(folder, 'first.txt'), 'reaches the bucket\n')
    // Uploaded, and done with: rclone checks the object after the PUT, and the bucket must outlive that check.
    await expect
      .poll(
        async () => {
          const health = await snapshotHealth(id)
          return (await s3.readObject(bucket, 'first.txt')) !== null && health.pendingUploads + health.uploadsInProgress === 0
        },
        { timeout: 20_000 },
      )
      .toBe(true)
    // The bucket goes away behind rclone's back: the remote still answers, but every upload now fails.
    await rm(join(s3.dataDir, bucket), { recursive: true, force: true })
    await writeFile(join(folder, 'second.txt'), Buffer.alloc(12_345, 1))

    await badge('failing', 'Uploads failing', 90_000)
    const text = await row('failing').textContent()
    expect(text).toMatch(/Uploads to bucket .* keep failing/)
    expect(text).toContain(`Bucket ${bucket} does not exist`)
    expect(text).toContain('UPLOAD_FAILING')
    expect(text).not.toMatch(/not answer/i)
    expect(await row('failing').getByRole('button', { name: 'Open folder', exact: true }).isEnabled()).toBe(true)
    await screenshot('guide-upload-failing')
    expect(pageErrors).toEqual([])
  }, 150_000)
})
