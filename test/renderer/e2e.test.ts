/**
 * The built window in a real headless Chromium, under the app's CSP, talking to the real main
 * process: every `window.rmount.request` goes through a Playwright binding to the real IPC handler
 * table over the real app core, engine, rclone, FUSE and s3rver, and the core's events are pushed
 * back into the page (see e2e-harness.ts). Nothing of the engine is stubbed; only the shell's file
 * dialogs answer what the test sets, through the ShellServices seam.
 */
import { randomBytes } from 'node:crypto'
import { stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { MountHealth } from '../../shared/mount-state.js'
import { isMounted } from '../mount-helpers.js'
import { startSftpPasswordServer, tempDir } from '../servers/index.js'
import {
  badge,
  bucket,
  bundleSize,
  core,
  deliver,
  handlers,
  mountFolders,
  outDir,
  page,
  pageErrors,
  row,
  s3,
  screenshot,
  secret,
  setupWindow,
  shell,
  snapshotHealth,
} from './e2e-harness.js'

setupWindow()

describe('the window over the real main process', () => {
  it('starts empty, under the CSP, with no violation', async () => {
    await page.getByText('No mounts yet.').waitFor()
    expect(await page.getByRole('button', { name: 'Add a remote', exact: true }).isVisible()).toBe(true)
    await screenshot('1-empty')
    expect(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([])
  })

  it('adds an S3 remote: a wrong access key ID is named by Test connection, the right one connects', async () => {
    await page.getByRole('button', { name: 'Add a remote', exact: true }).click()
    await page.getByLabel('Name', { exact: true }).fill('Test bucket')
    await page.getByLabel('Provider', { exact: true }).selectOption('Minio')
    await page.getByLabel('Endpoint', { exact: true }).fill(s3.endpoint)
    await page.getByLabel('Region', { exact: true }).fill('us-east-1')
    // s3rver checks only the access key ID of a v4 signature, never the secret (a wrong secret
    // connects). With v2Auth it refuses even the right secret under rclone 1.60, so that cannot tell
    // a wrong secret apart either. A wrong access key ID is the credential mistake s3rver can see.
    await page.getByLabel('Access key ID', { exact: true }).fill('WRONG-KEY-ID')
    await page.getByLabel('Secret access key', { exact: true }).fill(secret)
    await page.getByLabel('Bucket to check (optional)', { exact: true }).fill(bucket)
    await page.getByRole('button', { name: 'Test connection', exact: true }).click()
    const result = page.locator('.test-result')
    await result.locator('code', { hasText: 'AUTH_FAILED' }).waitFor({ timeout: 30_000 })
    expect(await result.textContent()).toMatch(/AUTH_FAILED.*check the access key ID and the secret access key/)
    await screenshot('2-remote-editor-auth-failed')

    await page.getByLabel('Access key ID', { exact: true }).fill(s3.accessKeyId)
    await page.getByRole('button', { name: 'Test connection', exact: true }).click()
    await result.getByText(/^Connected in \d+ ms\.$/).waitFor({ timeout: 30_000 })
    await screenshot('3-remote-editor-connected')
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await page.getByRole('heading', { name: 'Add a mount', exact: true }).waitFor()
  })

  it('adds a mount, mounts it, and a file written through it is on the server after unmount', async () => {
    const folder = join(await tempDir('rmount-e2e-mnt-'), 'photos')
    mountFolders.push(folder)
    shell.nextFolder = folder
    expect(await page.getByLabel('Remote', { exact: true }).inputValue()).toBe('test-bucket')
    await page.getByLabel('Bucket and prefix', { exact: true }).fill(bucket)
    await page.getByRole('button', { name: 'Browse…', exact: true }).click()
    await expect.poll(() => page.getByLabel('Local folder', { exact: true }).inputValue()).toBe(folder)
    await screenshot('4-mount-editor')
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await badge('photos', 'Unmounted')

    await row('photos').getByRole('button', { name: 'Mount', exact: true }).click()
    await badge('photos', 'Mounted')
    expect(isMounted(folder)).toBe(true)
    await screenshot('5-mounted')

    const content = `written through the mount at ${new Date().toISOString()}\n`
    await writeFile(join(folder, 'hello.txt'), content)
    await row('photos').getByRole('button', { name: 'Unmount', exact: true }).click()
    // Unmounting waits until the file is uploaded.
    await badge('photos', 'Unmounted', 60_000)
    expect(isMounted(folder)).toBe(false)
    expect((await s3.readObject(bucket, 'hello.txt'))?.toString()).toBe(content)
  })

  it('a killed rclone shows "Restarting", then "Mounted" again', async () => {
    await row('photos').getByRole('button', { name: 'Mount', exact: true }).click()
    await badge('photos', 'Mounted')
    // Every text the badge shows, recorded in the page as the DOM changes.
    await row('photos')
      .locator('.badge')
      .evaluate((el) => {
        const seen: string[] = [el.textContent ?? '']
        ;(window as unknown as { __badgeSeen: string[] }).__badgeSeen = seen
        new MutationObserver(() => {
          if (seen.at(-1) !== el.textContent) seen.push(el.textContent ?? '')
        }).observe(el, { subtree: true, childList: true, characterData: true })
      })
    const { pid } = await snapshotHealth('photos')
    expect(pid).toBeGreaterThan(0)
    process.kill(pid!, 'SIGKILL')
    const seenNow = () => page.evaluate(() => (window as unknown as { __badgeSeen: string[] }).__badgeSeen)
    await expect.poll(seenNow, { timeout: 15_000 }).toContain('photos: Restarting')
    await expect.poll(async () => (await seenNow()).at(-1), { timeout: 30_000 }).toBe('photos: Mounted')
    const seen = await seenNow()
    console.log(`badge went through: ${seen.join(' → ')}`)
    expect(seen).toContain('photos: Restarting')
    expect(seen.indexOf('photos: Restarting')).toBeLessThan(seen.lastIndexOf('photos: Mounted'))
    const after = await snapshotHealth('photos')
    expect(after.pid).not.toBe(pid)
    expect(after.restarts).toBe(1)
    await expect
      .poll(() => row('photos').locator('dt', { hasText: 'Restarts' }).locator('xpath=following-sibling::dd').textContent())
      .toBe('1')
    await screenshot('6-after-restart')
  })

  it('shows the live log, and copies the diagnostics without secrets', async () => {
    await row('photos').getByRole('button', { name: 'Logs', exact: true }).click()
    const log = page.getByRole('log', { name: 'Log of photos', exact: true })
    await log.locator('li.log-line').first().waitFor({ timeout: 10_000 })
    await page.getByRole('button', { name: 'Copy diagnostics', exact: true }).click()
    await page.getByText('Copied the diagnostics (secrets removed).').waitFor({ timeout: 10_000 })
    const copied = await page.evaluate(() => navigator.clipboard.readText())
    expect(copied).toContain('Mount photos')
    expect(copied).not.toContain(secret)
    await screenshot('7-logs')
    await page.getByRole('button', { name: 'Back', exact: true }).click()
    // Back in the list, the mount whose log was open has the focus.
    expect(await row('photos').evaluate((el) => el === document.activeElement)).toBe(true)
    // The shell opens the window on a mount's log with a fragment (shared/window-link.ts).
    await page.evaluate(() => (location.hash = 'mount=photos&view=logs'))
    await page.getByRole('heading', { name: 'Log of photos', exact: true }).waitFor()
    await page.getByRole('button', { name: 'Back', exact: true }).click()
    await row('photos').getByRole('button', { name: 'Unmount', exact: true }).click()
    await badge('photos', 'Unmounted', 60_000)
  })

  it('keyboard: the delete dialog takes focus, keeps it, closes on Escape and gives it back', async () => {
    const deleteButton = row('photos').getByRole('button', { name: 'Delete', exact: true })
    await deleteButton.focus()
    await page.keyboard.press('Enter')
    const dialog = page.getByRole('dialog', { name: 'Delete the mount “photos”?', exact: true })
    await dialog.waitFor()
    expect(await dialog.textContent()).toContain('are not deleted')
    const focusedText = () => page.evaluate(() => document.activeElement?.textContent ?? '')
    try {
      expect(await focusedText()).toBe('Cancel')
      await page.keyboard.press('Tab')
      expect(await focusedText()).toBe('Delete mount')
      await page.keyboard.press('Shift+Tab')
      expect(await focusedText()).toBe('Cancel')
      // The rest of the window is inert while the dialog is open: it cannot take focus.
      await page.evaluate(() => document.querySelector<HTMLElement>('nav button')?.focus())
      expect(await focusedText()).toBe('Cancel')
      await screenshot('8-delete-dialog', false)
    } finally {
      await page.keyboard.press('Escape')
    }
    await dialog.waitFor({ state: 'detached' })
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Delete')
    expect(await deleteButton.evaluate((el) => el === document.activeElement)).toBe(true)
  })

  it('the SSH form says a bad port is out of range, inline', async () => {
    await page.getByRole('button', { name: 'Remotes', exact: true }).click()
    await page.getByRole('button', { name: 'Add SSH remote', exact: true }).click()
    await page.getByLabel('Host', { exact: true }).fill('nas.lan')
    await page.getByLabel('Port', { exact: true }).fill('70000')
    await page.getByLabel('User', { exact: true }).focus()
    await page.getByText('Ports go from 1 to 65535.').waitFor()
    expect(await page.getByLabel('Port', { exact: true }).getAttribute('aria-invalid')).toBe('true')
    await screenshot('9-ssh-bad-port')
    await page.getByRole('button', { name: 'Cancel', exact: true }).click()
  })

  it('an SSH remote with a wrong password: Test connection names AUTH_FAILED; the right one connects', async () => {
    const password = `pw-${randomBytes(6).toString('hex')}`
    const server = await startSftpPasswordServer({ user: 'alice', password })
    await page.getByRole('button', { name: 'Remotes', exact: true }).click()
    await page.getByRole('button', { name: 'Add SSH remote', exact: true }).click()
    await page.getByLabel('Name', { exact: true }).fill('Password server')
    await page.getByLabel('Host', { exact: true }).fill('127.0.0.1')
    await page.getByLabel('Port', { exact: true }).fill(String(server.port))
    await page.getByLabel('User', { exact: true }).fill(server.user)
    await page.getByLabel('A password', { exact: true }).check()
    await page.getByLabel('Its fingerprint', { exact: true }).check()
    await page.getByLabel('Host key fingerprint', { exact: true }).fill(server.hostKeyFingerprint)
    await page.getByLabel('Password', { exact: true }).fill(`${password}-wrong`)
    await page.getByRole('button', { name: 'Test connection', exact: true }).click()
    const result = page.locator('.test-result')
    await result.locator('code', { hasText: 'AUTH_FAILED' }).waitFor({ timeout: 30_000 })
    expect(await result.textContent()).toMatch(/AUTH_FAILED.*refused the login of user alice/)
    expect(await result.textContent()).not.toContain(password)
    await page.getByLabel('Password', { exact: true }).fill(password)
    await page.getByRole('button', { name: 'Test connection', exact: true }).click()
    await result.getByText(/^Connected in \d+ ms\.$/).waitFor({ timeout: 30_000 })
    await page.getByRole('button', { name: 'Cancel', exact: true }).click()
  })

  it('an SSH host typed as host:port fills Port; Test connection shows its key with Trust this key, which pins it', async () => {
    const password = `pw-${randomBytes(6).toString('hex')}`
    const server = await startSftpPasswordServer({ user: 'bob', password })
    await page.getByRole('button', { name: 'Remotes', exact: true }).click()
    await page.getByRole('button', { name: 'Add SSH remote', exact: true }).click()
    await page.getByLabel('Name', { exact: true }).fill('First use')
    await page.getByLabel('Host', { exact: true }).fill(`127.0.0.1:${server.port}`)
    await page.getByLabel('User', { exact: true }).focus()
    expect(await page.getByLabel('Host', { exact: true }).inputValue()).toBe('127.0.0.1')
    expect(await page.getByLabel('Port', { exact: true }).inputValue()).toBe(String(server.port))
    await page.getByLabel('User', { exact: true }).fill(server.user)
    await page.getByLabel('A password', { exact: true }).check()
    await page.getByLabel('Password', { exact: true }).fill(password)
    await page.getByLabel('Trust it at the first connection', { exact: true }).check()
    await page.getByRole('button', { name: 'Test connection', exact: true }).click()
    await page
      .locator('.test-result')
      .getByText(/^Connected in \d+ ms\.$/)
      .waitFor({ timeout: 30_000 })
    const keyStep = page.getByRole('group', { name: 'The server’s host key' })
    await keyStep.getByText(server.hostKeyFingerprint).waitFor()
    await screenshot('13-trust-this-key')
    await keyStep.getByRole('button', { name: 'Trust this key', exact: true }).click()
    expect(await page.getByLabel('Its fingerprint', { exact: true }).isChecked()).toBe(true)
    expect(await page.getByLabel('Host key fingerprint', { exact: true }).inputValue()).toBe(server.hostKeyFingerprint)
    // The line `ssh-keygen -lf` prints is accepted as it is pasted.
    await page.getByLabel('Host key fingerprint', { exact: true }).fill(`256 ${server.hostKeyFingerprint} root@server (ED25519)`)
    await page.getByRole('button', { name: 'Test connection', exact: true }).click()
    await page.getByText(`The server showed the pinned key ${server.hostKeyFingerprint}.`).waitFor({ timeout: 30_000 })
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await page.getByRole('heading', { name: 'Add a mount', exact: true }).waitFor()
    const saved = core.snapshot().remotes.find((r) => r.name === 'First use')
    expect(saved?.remote).toMatchObject({ host: '127.0.0.1', port: server.port, hostKeyFingerprint: server.hostKeyFingerprint })
    await page.getByRole('button', { name: 'Cancel', exact: true }).click()
  })

  it('an imported config is reviewed first: env references, mount at start and unpinned hosts listed; imported without mounting at start', async () => {
    const file = join(await tempDir('rmount-e2e-import-'), 'from-a-friend.json')
    const localPath = join(await tempDir('rmount-e2e-import-mnt-'), 'shared')
    await writeFile(
      file,
      JSON.stringify({
        version: 1,
        remotes: [
          {
            id: 'friend',
            name: 'Friend’s NAS',
            remote: { type: 'sftp', host: 'friend.example', user: 'me', password: { env: 'GITHUB_TOKEN' } },
          },
        ],
        mounts: [{ id: 'friend', remoteId: 'friend', remotePath: '/', localPath, mountAtStart: true, options: { readOnly: true } }],
      }),
    )
    shell.nextFile = file
    await page.getByRole('button', { name: 'Settings', exact: true }).click()
    await page.getByRole('button', { name: 'Import an RMount config…', exact: true }).click()
    const dialog = page.getByRole('dialog', { name: 'Import from-a-friend.json?' })
    await dialog.getByText('$GITHUB_TOKEN').waitFor()
    expect(await dialog.textContent()).toMatch(/sent to SSH me@friend\.example/)
    expect(await dialog.textContent()).toMatch(/friend\.example:22: its key is pinned at the first successful connection/)
    expect(await dialog.getByLabel(/when RMount starts, as the file asks/).isChecked()).toBe(false)
    expect(core.snapshot().remotes.some((r) => r.id === 'friend')).toBe(false)
    await screenshot('14-import-review')
    await dialog.getByRole('button', { name: 'Import', exact: true }).click()
    await page.getByText('Imported 1 remote(s) and 1 mount(s).').waitFor()
    expect(core.snapshot().mounts.find((m) => m.id === 'friend')).toMatchObject({ mountAtStart: false, options: { readOnly: true } })
    await handlers['mount:delete']({ id: 'friend' })
    await handlers['remote:delete']({ id: 'friend' })
  })

  it('settings show rclone and the system check', async () => {
    await page.getByRole('button', { name: 'Settings', exact: true }).click()
    await page.getByText(/^Found rclone v\S+ at \//).waitFor({ timeout: 30_000 })
    await screenshot('10-settings')
    await page.emulateMedia({ colorScheme: 'dark' })
    await screenshot('11-settings-dark')
    await page.emulateMedia({ colorScheme: 'light' })
  })

  it('50 mounts with health every second: no long task over 200 ms', async () => {
    const ids: string[] = []
    const folders = await tempDir('rmount-e2e-many-')
    for (let i = 0; i < 50; i++) {
      const result = await handlers['mount:save']({
        remoteId: 'test-bucket',
        remotePath: `${bucket}/m${i}`,
        localPath: join(folders, `m${i}`),
      })
      if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`)
      ids.push(result.value.id)
    }
    await page.getByRole('button', { name: 'Mounts', exact: true }).click()
    await expect.poll(() => page.locator('.mount-row').count()).toBe(51)
    // Real health objects of the saved mounts, made to look busy: each second every mount reports
    // new transfer numbers, and a few change state, as a fleet of live mounts would.
    const base = Object.fromEntries(await Promise.all(ids.map(async (id) => [id, await snapshotHealth(id)] as const)))
    const states = ['mounted', 'mounted', 'mounted', 'degraded', 'restarting'] as const
    const seconds = 10
    const measuring = page.evaluate((ms) => {
      const w = window as unknown as { __longTasks: Array<{ start: number; duration: number }> }
      const start = performance.now()
      const deltas: number[] = []
      let last = start
      return new Promise<{ deltas: number[]; longTasks: number[] }>((resolve) => {
        const frame = (now: number) => {
          deltas.push(now - last)
          last = now
          if (now - start < ms) requestAnimationFrame(frame)
          else resolve({ deltas, longTasks: w.__longTasks.filter((t) => t.start >= start).map((t) => t.duration) })
        }
        requestAnimationFrame(frame)
      })
    }, seconds * 1000)
    let events = 0
    for (let tick = 0; tick < seconds; tick++) {
      const started = Date.now()
      await Promise.all(
        ids.map((id, i) => {
          events++
          const health: MountHealth = {
            ...base[id]!,
            state: states[(i + tick) % states.length]!,
            stateSince: Date.now() - i * 1000,
            restarts: tick,
            pendingUploads: (i * 7 + tick) % 5,
            lastProbeOk: Date.now(),
            transfer: { bytes: tick * 1_000_000 + i, speed: 100_000 * ((i + tick) % 9), transferring: i % 3, errors: 0 },
          }
          return deliver('mount:health', { id, health })
        }),
      )
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 - (Date.now() - started))))
    }
    const { deltas, longTasks } = await measuring
    const sorted = [...deltas].sort((a, b) => a - b)
    const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
    const mean = deltas.reduce((a, b) => a + b, 0) / deltas.length
    console.log(
      `50 mounts, ${events} health events over ${seconds} s: ${deltas.length} frames, frame time mean ${mean.toFixed(1)} ms, ` +
        `p50 ${pct(50).toFixed(1)} ms, p95 ${pct(95).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms; ` +
        `long tasks: ${longTasks.length}${longTasks.length ? ` (${longTasks.map((d) => d.toFixed(0)).join(', ')} ms)` : ''}`,
    )
    await screenshot('12-fifty-mounts', false)
    expect(longTasks.filter((d) => d > 200)).toEqual([])
    expect(await row('m7').locator('.badge').textContent()).toMatch(/^m7: (Mounted|Degraded|Restarting)$/)
  }, 60_000)

  it('reports the bundle size; the page saw no CSP violation and no error', async () => {
    const size = await bundleSize(outDir)
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`
    console.log(
      `renderer bundle: ${kb(size.bytes)} (${size.bytes} bytes), gzip ${kb(size.gzip)} (${size.gzip} bytes): ` +
        Object.entries(size.files)
          .map(([name, f]) => `${name} ${f.bytes} B / gzip ${f.gzip} B`)
          .join(', '),
    )
    expect((await stat(join(outDir, 'index.html'))).isFile()).toBe(true)
    expect(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([])
    expect(pageErrors).toEqual([])
  })
})
