/**
 * The built app in a real Electron, driven by Playwright: the window opens hardened, the tray is up,
 * a remote can be added through the page's API and shows in the window, closing the window keeps the
 * app in the tray, and quitting exits. Needs the Electron binary, which this machine cannot download:
 * where it is missing the test is skipped, and says so.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { execa } from 'execa'
import { _electron, type ElectronApplication } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/** What electron-e2e-entry.mjs records in the main process: the tray's last menu (Electron's Menu). */
interface Recorded {
  rmountTrayMenu?: { items: Array<{ label: string; click(): void }> }
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/**
 * The Electron executable, found without `require('electron')`: that require starts a download
 * when the binary is missing (and blocks on it), where all we want is to know.
 */
function electronBinary(): { path: string } | { missing: string } {
  const packageDir = join(root, 'node_modules', 'electron')
  if (!existsSync(join(packageDir, 'package.json'))) return { missing: 'the electron package is not installed' }
  const pathFile = join(packageDir, 'path.txt')
  if (!existsSync(pathFile))
    return {
      missing:
        'the Electron binary was never downloaded (node_modules/electron/path.txt is missing; installed with ELECTRON_SKIP_BINARY_DOWNLOAD?)',
    }
  const relative = readFileSync(pathFile, 'utf8')
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(packageDir, 'dist')
  const path = join(dist, relative)
  return existsSync(path) ? { path } : { missing: `the Electron binary ${path} is missing` }
}

const found = electronBinary()
const hasElectron = 'path' in found
const canShow = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY) || existsSync('/usr/bin/Xvfb')
const skipReason = !hasElectron ? found.missing : !canShow ? 'no display and no Xvfb to provide one' : null
if (skipReason) console.log(`skipped: Electron end-to-end test: ${skipReason}`)

let xvfb: ChildProcess | null = null
let home: string
let app: ElectronApplication | null = null

/** A display for Electron: the session's, or a private Xvfb. */
async function display(): Promise<string> {
  if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return process.env.DISPLAY ?? ''
  const number = 90 + Math.floor(Math.random() * 400)
  xvfb = spawn('Xvfb', [`:${number}`, '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { stdio: 'ignore' })
  for (let i = 0; i < 50 && !existsSync(`/tmp/.X11-unix/X${number}`); i++) await sleep(100)
  return `:${number}`
}

describe('RMount in Electron (Playwright)', () => {
  beforeAll(async () => {
    if (skipReason) return
    await execa('npm', ['run', 'build:electron'], { cwd: root })
    home = await mkdtemp(join(tmpdir(), 'rmount-e2e-'))
    app = await _electron.launch({
      executablePath: (found as { path: string }).path,
      // Chromium's own process sandbox refuses to run as root (CI here); the page's sandbox: true still holds.
      // The test entry records the tray's menu, then starts the built app as `electron .` does.
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), join(root, 'test', 'shell', 'electron-e2e-entry.mjs')],
      env: {
        ...process.env,
        DISPLAY: await display(),
        // The app's config, its autostart entry and its keyring lookups stay inside the temp home.
        HOME: home,
        XDG_CONFIG_HOME: join(home, '.config'),
        XDG_STATE_HOME: join(home, '.local', 'state'),
      },
      timeout: 60_000,
    })
  }, 180_000)

  afterAll(async () => {
    await app?.close().catch(() => undefined)
    xvfb?.kill()
    if (home) await rm(home, { recursive: true, force: true })
  })

  it.skipIf(skipReason !== null)(
    'opens a hardened window, puts up the tray, adds a remote, hides on close and quits',
    async () => {
      const electron = app!
      const page = await electron.firstWindow()
      await page.waitForLoadState('domcontentloaded')
      expect(await page.title()).toBe('RMount')

      // No Node in the page, and of the preload only window.rmount (sandbox, context isolation).
      expect(
        await page.evaluate(() => [
          typeof (globalThis as { require?: unknown }).require,
          typeof (globalThis as { process?: unknown }).process,
        ]),
      ).toEqual(['undefined', 'undefined'])
      expect(await page.evaluate(() => Object.keys((globalThis as unknown as { rmount: object }).rmount).sort())).toEqual(['on', 'request'])

      // The tray is up, with its menu for no mounts.
      const labels = await electron.evaluate(() => (globalThis as Recorded).rmountTrayMenu?.items.map((item) => item.label))
      expect(labels?.filter(Boolean)).toEqual(['No mounts yet', 'Mount all', 'Unmount all', 'Open RMount', 'Start on login', 'Quit'])

      // A remote added through the page's API is stored and shows in the window.
      const saved = await page.evaluate(() =>
        (globalThis as unknown as { rmount: { request(channel: string, payload: unknown): Promise<{ ok: boolean }> } }).rmount.request(
          'remote:save',
          {
            name: 'E2E NAS',
            remote: { type: 'sftp', host: '127.0.0.1', port: 22, user: 'me', agent: true },
          },
        ),
      )
      expect(saved).toMatchObject({ ok: true })
      await page.getByRole('button', { name: 'Remotes' }).click()
      await page.getByText('E2E NAS').first().waitFor({ timeout: 10_000 })
      expect(await readFile(join(home, '.config', 'rmount', 'config.json'), 'utf8')).toContain('E2E NAS')

      // Closing the window hides it: the app stays in the tray.
      await electron.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.close())
      await sleep(500)
      expect(await electron.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((w) => w.isVisible()))).toEqual([false])

      // The tray's Open RMount brings the same page back: no reload.
      await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 42))
      const clickTray = (label: string) =>
        electron.evaluate(
          (_electron, wanted) => (globalThis as Recorded).rmountTrayMenu?.items.find((i) => i.label === wanted)?.click(),
          label,
        )
      await clickTray('Open RMount')
      await sleep(500)
      expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBe(42)
      expect(await electron.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((w) => w.isVisible()))).toEqual([true])

      // Quit from the tray: nothing is mounted, so the quit sequence exits at once.
      const exited = new Promise<void>((resolve) => electron.process().once('exit', () => resolve()))
      await clickTray('Quit')
      await exited
      app = null
    },
    120_000,
  )
})
