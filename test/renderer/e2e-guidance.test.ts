/**
 * Issue 12 end to end: the window over the real main process, engine, rclone, FUSE and s3rver (see
 * e2e-harness.ts) tells the truth about what is mounted, guides through the editors, and keeps the
 * person's place, focus and typed work.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isMounted } from '../mount-helpers.js'
import { tempDir } from '../servers/index.js'
import {
  badge,
  bucket,
  deliver,
  handlers,
  mountFolders,
  page,
  pageErrors,
  row,
  s3,
  screenshot,
  setupWindow,
  shell,
  snapshotHealth,
} from './e2e-harness.js'

setupWindow()

let folder: string
const fact = (name: string, term: string) => row(name).locator('dt', { hasText: term }).locator('xpath=following-sibling::dd')
const focusedInside = (name: string) => row(name).evaluate((el) => el !== document.body && el.contains(document.activeElement))
const activeIsBody = () => page.evaluate(() => document.activeElement === document.body || document.activeElement === null)

describe('the window guides a new user (issue 12)', () => {
  it('in Chromium, an endpoint with a space in its host is refused on the field (point 6)', async () => {
    await page.getByText('No mounts yet.').waitFor()
    await page.getByRole('button', { name: 'Add a remote', exact: true }).click()
    await page.getByLabel('Provider', { exact: true }).selectOption('Minio')
    await page.getByLabel('Endpoint', { exact: true }).fill('http://exa mple.com')
    await page.getByLabel('Region', { exact: true }).focus()
    expect(await page.getByLabel('Endpoint', { exact: true }).getAttribute('aria-invalid')).toBe('true')
    await page.getByText('Enter the endpoint as a URL, like https://s3.example.com.').waitFor()
  })

  it('the bucket Test connection checked is carried into the mount editor, and Cancel there goes back to the list (points 9, 15)', async () => {
    await page.getByLabel('Name', { exact: true }).fill('Test bucket')
    await page.getByLabel('Endpoint', { exact: true }).fill(s3.endpoint)
    await page.getByLabel('Region', { exact: true }).fill('us-east-1')
    await page.getByLabel('Access key ID', { exact: true }).fill(s3.accessKeyId)
    await page.getByLabel('Secret access key', { exact: true }).fill('any-secret')
    await page.getByLabel('Bucket to check (optional)', { exact: true }).fill(bucket)
    await page.getByRole('button', { name: 'Test connection', exact: true }).click()
    await page
      .locator('.test-result')
      .getByText(/^Connected in \d+ ms\.$/)
      .waitFor({ timeout: 30_000 })
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await page.getByRole('heading', { name: 'Add a mount', exact: true }).waitFor()
    expect(await page.getByLabel('Bucket and prefix', { exact: true }).inputValue()).toBe(bucket)
    await page.getByRole('button', { name: 'Cancel', exact: true }).click()
    await page.getByRole('heading', { name: 'Mounts', exact: true }).waitFor()
    expect(await page.getByRole('heading', { name: /^Add an S3 remote$/ }).count()).toBe(0)
  })

  it('lists the buckets to pick from, tests the chosen one, suggests a folder, and saves and mounts in one step (point 15)', async () => {
    await page.getByRole('button', { name: 'Add a mount', exact: true }).click()
    await page.getByRole('button', { name: 'List buckets', exact: true }).click()
    await page.getByRole('button', { name: `${bucket}/`, exact: true }).click({ timeout: 30_000 })
    expect(await page.getByLabel('Bucket and prefix', { exact: true }).inputValue()).toBe(bucket)
    await page.getByRole('button', { name: 'Test connection', exact: true }).click()
    await page.getByText(`: ${bucket} exists.`).waitFor({ timeout: 30_000 })
    expect(await page.getByLabel('Local folder', { exact: true }).getAttribute('placeholder')).toMatch(/\/RMount\/bucket$/)
    folder = join(await tempDir('rmount-e2e-guide-'), 'photos')
    mountFolders.push(folder)
    shell.nextFolder = folder
    await page.getByRole('button', { name: 'Browse…', exact: true }).click()
    await expect.poll(() => page.getByLabel('Local folder', { exact: true }).inputValue()).toBe(folder)
    await page.getByRole('button', { name: 'Save and mount', exact: true }).click()
    await badge('photos', 'Mounted')
    expect(isMounted(folder)).toBe(true)
  })

  it('focus stays in the row after Unmount and Mount (point 10)', async () => {
    await row('photos').getByRole('button', { name: 'Unmount', exact: true }).focus()
    await page.keyboard.press('Enter')
    await badge('photos', 'Unmounted', 60_000)
    await expect.poll(() => focusedInside('photos')).toBe(true)
    expect(await activeIsBody()).toBe(false)
    await page.keyboard.press('Enter')
    await badge('photos', 'Mounted')
    await expect.poll(() => focusedInside('photos')).toBe(true)
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Unmount')
  })

  it('a nested folder is refused by the form on Local folder, and by the main process in words (point 5)', async () => {
    await page.getByRole('button', { name: 'Add a mount', exact: true }).click()
    await page.getByLabel('Bucket and prefix', { exact: true }).fill(`${bucket}/inner`)
    await page.getByLabel('Local folder', { exact: true }).fill(join(folder, 'inner'))
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await page.getByText(/is inside the folder of another mount/).waitFor()
    expect(await page.getByLabel('Local folder', { exact: true }).getAttribute('aria-invalid')).toBe('true')
    const refused = await handlers['mount:save']({ remoteId: 'test-bucket', remotePath: bucket, localPath: join(folder, '..') })
    expect(refused.ok).toBe(false)
    if (!refused.ok) expect(refused.error.message).toMatch(/^Another mount's folder \(.*photos\) is inside /)
  })

  it('leaving an edited form asks first, from the sidebar and on Escape (point 11)', async () => {
    await page.getByRole('button', { name: 'Remotes', exact: true }).click()
    const dialog = page.getByRole('dialog', { name: 'Discard your changes?', exact: true })
    await dialog.waitFor()
    await dialog.getByRole('button', { name: 'Keep editing', exact: true }).click()
    expect(await page.getByLabel('Local folder', { exact: true }).inputValue()).toBe(join(folder, 'inner'))
    await page.getByLabel('Local folder', { exact: true }).press('Escape')
    await dialog.getByRole('button', { name: 'Discard changes', exact: true }).click()
    await page.getByRole('heading', { name: 'Mounts', exact: true }).waitFor()
  })

  it('editing a mounted mount: the row keeps showing what is mounted until "Remount now" (point 1)', async () => {
    const moved = join(await tempDir('rmount-e2e-guide-'), 'moved')
    mountFolders.push(moved)
    await row('photos').getByRole('button', { name: 'Edit', exact: true }).click()
    await page.getByText(/This mount is mounted. Saved changes apply at the next mount/).waitFor()
    await page.getByLabel('Local folder', { exact: true }).fill(moved)
    await page.getByLabel('Read-only', { exact: true }).check()
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    // A mount keeps its name when its folder changes; still mounted at the old folder, and saying so.
    await row('photos')
      .getByText(/Saved changes apply at the next mount/)
      .waitFor()
    expect(await fact('photos', 'Folder').textContent()).toBe(folder)
    expect(isMounted(folder)).toBe(true)
    await screenshot('guide-edit-while-mounted')
    await row('photos').getByRole('button', { name: 'Remount now', exact: true }).click()
    await expect.poll(() => isMounted(moved), { timeout: 60_000 }).toBe(true)
    await badge('photos', 'Mounted')
    expect(isMounted(folder)).toBe(false)
    expect(await fact('photos', 'Folder').textContent()).toBe(moved)
    await expect
      .poll(() =>
        row('photos')
          .getByText(/Saved changes apply/)
          .count(),
      )
      .toBe(0)
    // Back to read-write for the upload tests, through Save and remount.
    const readOnlyPid = (await snapshotHealth('photos')).pid
    await row('photos').getByRole('button', { name: 'Edit', exact: true }).click()
    await page.getByLabel('Read-only', { exact: true }).uncheck()
    await page.getByRole('button', { name: 'Save and remount', exact: true }).click()
    await expect
      .poll(
        async () => {
          const h = await snapshotHealth('photos')
          return h.state === 'mounted' && h.pid !== readOnlyPid
        },
        { timeout: 60_000 },
      )
      .toBe(true)
    await badge('photos', 'Mounted')
    folder = moved
  })

  it('pending uploads count down the write-back, and the rate is rounded and falls to idle (points 2, 3)', async () => {
    const seen = new Set<string>()
    const rates = new Set<string>()
    await writeFile(join(folder, 'rate.bin'), Buffer.alloc(8 * 1024 * 1024, 7))
    const started = Date.now()
    while (Date.now() - started < 20_000) {
      seen.add((await fact('photos', 'Pending uploads').textContent()) ?? '')
      rates.add((await fact('photos', 'Transfer').textContent()) ?? '')
      if ([...seen].some((t) => t === '0') && [...seen].some((t) => /uploading in \d s/.test(t))) break
      await page.waitForTimeout(200)
    }
    console.log(`pending uploads went through: ${[...seen].join(' | ')}; transfer: ${[...rates].join(' | ')}`)
    expect([...seen].some((t) => /^1, uploading in [1-5] s$/.test(t))).toBe(true)
    for (const rate of rates) expect(rate).toMatch(/^(idle|\d+(\.\d)? [kMG]?B\/s)$/)
    await expect.poll(() => fact('photos', 'Transfer').textContent(), { timeout: 15_000 }).toBe('idle')
    await expect.poll(async () => (await s3.readObject(bucket, 'rate.bin'))?.length, { timeout: 30_000 }).toBe(8 * 1024 * 1024)
  })

  it('an unmount waiting on a frozen server shows what it waits for; Unmount now lists the files left in the cache (point 8)', async () => {
    await writeFile(join(folder, 'stuck.txt'), 'waits for the server\n')
    await expect.poll(() => fact('photos', 'Pending uploads').textContent(), { timeout: 10_000 }).toMatch(/^1/)
    s3.freeze()
    try {
      await row('photos').getByRole('button', { name: 'Unmount', exact: true }).click()
      await expect
        .poll(() => row('photos').textContent(), { timeout: 20_000 })
        .toContain('Waiting for 1 file to upload (0 of 1 done), then unmounting.')
      expect(await row('photos').getByRole('progressbar').count()).toBe(1)
      await screenshot('guide-unmount-now-while-waiting')
      await row('photos').getByRole('button', { name: 'Unmount now', exact: true }).click()
      await badge('photos', 'Unmounted', 60_000)
      await row('photos')
        .getByText(/These files stay in the cache and upload at the next mount of this folder: stuck\.txt/)
        .waitFor()
      expect(isMounted(folder)).toBe(false)
    } finally {
      s3.thaw()
    }
  })

  it('the log tells RMount\'s own events; rclone plumbing only under "Everything" (point 13)', async () => {
    await row('photos').getByRole('button', { name: 'Mount', exact: true }).click()
    await badge('photos', 'Mounted')
    const { pid } = await snapshotHealth('photos')
    process.kill(pid!, 'SIGKILL')
    await badge('photos', 'Restarting', 15_000)
    await badge('photos', 'Mounted')
    // The last error in plain words, with a time and Dismiss.
    await row('photos')
      .getByText(/Last error \(.+\): rclone stopped unexpectedly \(killed\)/)
      .waitFor()
    await row('photos').getByRole('button', { name: 'Logs', exact: true }).click()
    const log = page.getByRole('log', { name: 'Log of photos', exact: true })
    await log.getByText(/restarting: rclone stopped unexpectedly \(killed\)/).waitFor({ timeout: 10_000 })
    await log.getByText(/recovered, mounted again/).waitFor()
    const infoLines = await log.locator('li.log-line').count()
    expect(await log.getByText(/Using --user/).count()).toBe(0)
    await page.getByLabel('Show', { exact: true }).selectOption('debug')
    await expect.poll(() => log.locator('li.log-line').count()).toBeGreaterThan(infoLines)
    await screenshot('guide-log-own-events')
    await page.getByRole('button', { name: 'Back', exact: true }).click()
    await row('photos').getByRole('button', { name: 'Dismiss the last error', exact: true }).click()
    expect(
      await row('photos')
        .getByText(/Last error/)
        .count(),
    ).toBe(0)
  })

  it('a missing key file is named before any connection (point 4)', async () => {
    await page.getByRole('button', { name: 'Remotes', exact: true }).click()
    await page.getByRole('button', { name: 'Add SSH remote', exact: true }).click()
    await page.getByLabel('Host', { exact: true }).fill('127.0.0.1')
    await page.getByLabel('User', { exact: true }).fill('nobody')
    await page.getByLabel('A key file', { exact: true }).check()
    await page.getByLabel('Trust it at the first connection', { exact: true }).check()
    await page.getByLabel('Key file', { exact: true }).fill('/nonexistent/id_ed25519')
    await page.getByRole('button', { name: 'Test connection', exact: true }).click()
    await page.locator('.test-result code', { hasText: 'KEY_FILE_UNREADABLE' }).waitFor({ timeout: 30_000 })
    expect(await page.locator('.test-result').textContent()).toContain('/nonexistent/id_ed25519 does not exist')
    await page.getByLabel('Key file', { exact: true }).press('Escape')
    await page.getByRole('dialog', { name: 'Discard your changes?', exact: true }).getByRole('button', { name: 'Discard changes' }).click()
  })

  it('rows keep their height as values change; the sidebar and the main actions stay in view when the list scrolls (point 16)', async () => {
    await page.getByRole('button', { name: 'Mounts', exact: true }).click()
    const folders = await tempDir('rmount-e2e-guide-many-')
    for (let i = 0; i < 12; i++) {
      const saved = await handlers['mount:save']({
        remoteId: 'test-bucket',
        remotePath: `${bucket}/l${i}`,
        localPath: join(folders, `l${i}`),
      })
      expect(saved.ok).toBe(true)
    }
    await expect.poll(() => page.locator('.mount-row').count()).toBe(13)
    const base = await snapshotHealth('l0')
    const height = () => row('l0').evaluate((el) => el.getBoundingClientRect().height)
    const before = await height()
    await deliver('mount:health', {
      id: 'l0',
      health: {
        ...base,
        pendingUploads: 12345,
        uploadsInProgress: 678,
        transfer: { bytes: 9e12, speed: 0.3395302181971138, transferring: 3, errors: 0 },
      },
    })
    await expect.poll(() => fact('l0', 'Pending uploads').textContent()).toBe('13023 (678 uploading)')
    expect(await height()).toBe(before)
    await page.mouse.wheel(0, 5000)
    await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(200)
    expect(await page.getByRole('button', { name: 'Settings', exact: true }).isVisible()).toBe(true)
    const inView = (name: string) =>
      page.getByRole('button', { name, exact: true }).evaluate((el) => {
        const r = el.getBoundingClientRect()
        return r.top >= 0 && r.bottom <= window.innerHeight
      })
    expect(await inView('Settings')).toBe(true)
    expect(await inView('Add a mount')).toBe(true)
    expect(await inView('Unmount all')).toBe(true)
    await screenshot('guide-scrolled-list', false)
  })

  it('Unmount all unmounts every mount; the page saw no error', async () => {
    await page.getByRole('button', { name: 'Mount all', exact: true }).waitFor()
    await page.getByRole('button', { name: 'Unmount all', exact: true }).click()
    await expect.poll(async () => (await handlers['app:snapshot'](undefined)).ok && isMounted(folder), { timeout: 60_000 }).toBe(false)
    await badge('photos', 'Unmounted', 60_000)
    expect(pageErrors).toEqual([])
  })
})
