/**
 * Issue 11 in the window, end to end over the real main process, engine, rclone and s3rver (see
 * e2e-harness.ts): a mount shows under its own name, "Copy link…" makes a link that downloads the file,
 * and Settings has the file manager switch.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { putObjectAsAnotherClient } from '../mount-helpers.js'
import { tempDir } from '../servers/index.js'
import { bucket, core, page, pageErrors, row, s3, screenshot, secret, setupWindow, shell } from './e2e-harness.js'

setupWindow()

describe('named mounts, share links and the sidebar setting in the window (issue 11)', () => {
  it('a mount is shown under its name; Copy link… gives a 7-day link that downloads the file', async () => {
    await putObjectAsAnotherClient(s3, bucket, 'reports/q3 summary.txt', 'Q3: up and to the right\n')
    const remote = await core.saveRemote({
      name: 'Team S3',
      remote: { type: 's3', provider: 'Minio', endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: secret },
    })
    const folder = join(await tempDir('rmount-e2e-link-'), 'reports')
    await core.saveMount({
      remoteId: remote.id,
      remotePath: `${bucket}/reports`,
      localPath: folder,
      name: 'Quarterly reports',
      mountAtStart: false,
      options: {},
    })
    await row('Quarterly reports').waitFor()

    await row('Quarterly reports').getByRole('button', { name: 'Copy link…', exact: true }).click()
    const dialog = page.getByRole('dialog', { name: 'Share a file from Quarterly reports' })
    shell.nextFile = join(folder, 'q3 summary.txt')
    await dialog.getByRole('button', { name: 'Browse…', exact: true }).click()
    await expect.poll(() => dialog.getByLabel('File', { exact: true }).inputValue()).toBe(shell.nextFile)
    await dialog.getByLabel('7 days', { exact: true }).check()
    await dialog.getByRole('button', { name: 'Copy link', exact: true }).click()
    const link = dialog.getByLabel('Link', { exact: true })
    await link.waitFor({ timeout: 30_000 })
    const url = await link.inputValue()
    expect(url).toMatch(/X-Amz-Expires=604800/)
    expect(await (await fetch(url)).text()).toBe('Q3: up and to the right\n')
    await screenshot('share-link-dialog', false)
    await dialog.getByRole('button', { name: 'Close', exact: true }).click()
  })

  it('Settings turns the file manager sidebar entries off and on', async () => {
    await page.getByRole('button', { name: 'Settings', exact: true }).click()
    const box = page.getByLabel("Show mounted folders in the file manager's sidebar", { exact: true })
    expect(await box.isChecked()).toBe(true)
    // The box shows the saved setting, so it changes once the main process has stored the click.
    await box.click()
    await expect.poll(() => core.snapshot().settings.fileManagerBookmarks).toBe(false)
    await expect.poll(() => box.isChecked()).toBe(false)
    await box.click()
    await expect.poll(() => core.snapshot().settings.fileManagerBookmarks).toBe(true)
    await expect.poll(() => box.isChecked()).toBe(true)
    expect(pageErrors).toEqual([])
  })
})
