/**
 * The built window in a real headless Chromium, under the app's CSP, talking to the real main
 * process: every `window.rmount.request` goes through a Playwright binding to the real IPC handler
 * table over the real app core, engine, rclone, FUSE and s3rver, and the core's events are pushed
 * back into the page. Nothing of the engine is stubbed; only the shell's file dialogs answer what
 * the test sets, through the ShellServices seam.
 */
import { randomBytes } from 'node:crypto'
import { execFile, execFileSync } from 'node:child_process'
import { readFile, readdir, stat, writeFile, mkdir } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { gzipSync } from 'node:zlib'
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppCore } from '../../electron/app/app-core.js'
import type { ShellServices } from '../../electron/app/contracts.js'
import { createIpcHandlers, type IpcHandlers } from '../../electron/app/ipc-handlers.js'
import { FileConfigRepository } from '../../electron/app/store/config-repository.js'
import { contentSecurityPolicy } from '../../electron/app/window-security.js'
import { createAesFileCipher } from '../../electron/app/store/secrets.js'
import { eventChannels, requestChannels } from '../../shared/ipc-channels.js'
import type { EventChannel, IpcResult, RequestChannel } from '../../shared/ipc.js'
import type { MountHealth } from '../../shared/mount-state.js'
import { isMounted } from '../mount-helpers.js'
import { startS3, startSftpPasswordServer, stopAllServers, tempDir, type S3Server } from '../servers/index.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const artifacts = join(root, 'test/artifacts')
const bucket = 'bucket'
// s3rver checks only the access key ID of a v4 signature (see the wrong-credential test): a secret of our own
// connects, and can be looked for in everything the page is given.
const secret = `e2e-secret-${randomBytes(8).toString('hex')}`
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]

/** The shell's dialogs, answered as a person would; every other part of the main process is real. */
class ScriptedShell implements ShellServices {
  nextFolder: string | null = null
  nextFile: string | null = null
  opened: string[] = []
  async pickFolder() {
    return this.nextFolder
  }
  async pickFile() {
    return this.nextFile
  }
  async pickSavePath() {
    return null
  }
  async openPath(path: string) {
    this.opened.push(path)
  }
}

/**
 * Runs in the page before its own scripts (like the preload): `window.rmount` over the binding, a
 * way for the test to deliver events, and recorders for CSP violations and long tasks.
 */
function pageBridge(channels: { requests: string[]; events: string[] }) {
  type Listener = (payload: unknown) => void
  const listeners = new Map<string, Set<Listener>>()
  const w = window as unknown as Record<string, unknown>
  const call = w.__rmountBridge as (channel: string, payload: unknown) => Promise<unknown>
  w.rmount = Object.freeze({
    request(channel: string, payload: unknown) {
      if (!channels.requests.includes(channel)) return Promise.reject(new Error(`Unknown request channel: ${channel}`))
      return call(channel, payload)
    },
    on(channel: string, listener: Listener) {
      if (!channels.events.includes(channel)) throw new Error(`Unknown event channel: ${channel}`)
      let set = listeners.get(channel)
      if (!set) listeners.set(channel, (set = new Set()))
      set.add(listener)
      return () => void set.delete(listener)
    },
  })
  w.__rmountDispatch = (channel: string, payload: unknown) => {
    for (const listener of listeners.get(channel) ?? []) listener(payload)
  }
  const violations: string[] = []
  w.__violations = violations
  document.addEventListener('securitypolicyviolation', (e) =>
    violations.push(`${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`),
  )
  const longTasks: Array<{ start: number; duration: number }> = []
  w.__longTasks = longTasks
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longTasks.push({ start: entry.startTime, duration: entry.duration })
  }).observe({ type: 'longtask', buffered: true })
}

let s3: S3Server
let previousStateHome: string | undefined
let outDir: string
let server: Server
let baseUrl: string
let browser: Browser
let context: BrowserContext
let page: Page
let core: AppCore
let handlers: IpcHandlers
const shell = new ScriptedShell()
const pageErrors: string[] = []
const mountFolders: string[] = []

function chromiumPath(): string {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim()
  } catch {
    throw new Error('No chromium on PATH: install it (apt-get install chromium) to run the window end to end.')
  }
}

/** Serves the build with the app's CSP as a header, as the page's own meta tag also sets it. */
function serve(dir: string): Promise<Server> {
  const types: Record<string, string> = {
    '.html': 'text/html',
    '.js': 'text/javascript',
    '.css': 'text/css',
    '.svg': 'image/svg+xml',
    '.png': 'image/png',
  }
  const httpServer = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^\/+/, '') || 'index.html'
    const file = join(dir, path)
    if (!file.startsWith(dir)) return void res.writeHead(403).end()
    try {
      const body = await readFile(file)
      res.writeHead(200, {
        'content-type': types[extname(file)] ?? 'application/octet-stream',
        'content-security-policy': contentSecurityPolicy,
      })
      res.end(body)
    } catch {
      res.writeHead(404).end()
    }
  })
  return new Promise((resolve) => httpServer.listen(0, '127.0.0.1', () => resolve(httpServer)))
}

async function screenshot(name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: join(artifacts, `renderer-${name}.png`), fullPage })
}

function row(name: string): Locator {
  return page.getByRole('listitem', { name, exact: true })
}

/** The badge of a mount once it reads "<name>: <State>" (the words, not the color). */
async function badge(name: string, label: string, timeout = 30_000): Promise<void> {
  await row(name)
    .locator('.badge', { hasText: new RegExp(`^${name}: ${label}$`) })
    .waitFor({ timeout })
}

async function snapshotHealth(id: string): Promise<MountHealth> {
  const result = await handlers['app:snapshot'](undefined)
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`)
  const health = result.value.health[id]
  if (!health) throw new Error(`no health for ${id}`)
  return health
}

async function bundleSize(dir: string): Promise<{ files: Record<string, { bytes: number; gzip: number }>; bytes: number; gzip: number }> {
  const files: Record<string, { bytes: number; gzip: number }> = {}
  for (const name of await readdir(join(dir, 'assets'))) {
    const body = await readFile(join(dir, 'assets', name))
    files[name] = { bytes: body.length, gzip: gzipSync(body, { level: 9 }).length }
  }
  const sizes = Object.values(files)
  return { files, bytes: sizes.reduce((n, f) => n + f.bytes, 0), gzip: sizes.reduce((n, f) => n + f.gzip, 0) }
}

beforeAll(async () => {
  await mkdir(artifacts, { recursive: true })
  previousStateHome = process.env.XDG_STATE_HOME
  process.env.XDG_STATE_HOME = await tempDir('rmount-e2e-xdg-')
  outDir = await tempDir('rmount-e2e-renderer-')
  // The window as it ships: built by the same config `npm run build:renderer` uses, in a child so that
  // vitest's NODE_ENV=test does not make a development build of React.
  await promisify(execFile)(
    process.execPath,
    [
      join(root, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      join(root, 'renderer/vite.config.ts'),
      '--outDir',
      outDir,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    { cwd: root, env: { ...process.env, NODE_ENV: 'production' } },
  )
  server = await serve(outDir)
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`

  s3 = await startS3({ buckets: [bucket] })
  const dir = await tempDir('rmount-e2e-app-')
  const repository = new FileConfigRepository({ cwd: join(dir, 'config') })
  const cipher = await createAesFileCipher(join(dir, 'secrets.key'))
  core = await AppCore.open({ repository, cipher, shell, appVersion: '0.0.0-e2e' })
  handlers = createIpcHandlers(core)

  browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs })
  context = await browser.newContext({ viewport: { width: 1024, height: 760 }, colorScheme: 'light' })
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl.slice(0, -1) })
  page = await context.newPage()
  page.on('pageerror', (error) => pageErrors.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`)
  })
  // The preload's part: requests go to the real handler table, as ipcMain.handle would call it.
  await page.exposeBinding('__rmountBridge', (_source, channel: RequestChannel, payload: unknown): Promise<IpcResult<unknown>> => {
    const handle = handlers[channel] as ((payload: unknown) => Promise<IpcResult<unknown>>) | undefined
    if (!handle) throw new Error(`Unknown request channel: ${channel}`)
    return handle(payload)
  })
  await page.addInitScript(pageBridge, { requests: [...requestChannels], events: [...eventChannels] })
  // The shell's part: every core event goes to the page, as webContents.send would deliver it.
  for (const channel of eventChannels) core.on(channel, (payload: unknown) => void deliver(channel, payload))
  await page.goto(baseUrl)
}, 120_000)

/** One event into the page, as its own task (each IPC message is one in Electron). */
function deliver(channel: EventChannel, payload: unknown): Promise<void> {
  return page
    .evaluate(([c, p]) => (window as unknown as { __rmountDispatch(c: string, p: unknown): void }).__rmountDispatch(c, p), [
      channel,
      payload,
    ] as const)
    .catch(() => undefined)
}

afterAll(async () => {
  await browser?.close()
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))
  if (core) for (const id of core.manager.ids()) await core.manager.unmount(id, { force: true }).catch(() => undefined)
  for (const path of mountFolders) if (isMounted(path)) execFileSync('fusermount3', ['-uz', path])
  if (previousStateHome === undefined) delete process.env.XDG_STATE_HOME
  else process.env.XDG_STATE_HOME = previousStateHome
  await stopAllServers()
}, 60_000)

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
