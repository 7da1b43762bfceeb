/**
 * The harness of the window's end-to-end tests: the built window in a real headless Chromium, under the app's CSP, talking to the real main
 * process: every `window.rmount.request` goes through a Playwright binding to the real IPC handler
 * table over the real app core, engine, rclone, FUSE and s3rver, and the core's events are pushed
 * back into the page. Nothing of the engine is stubbed; only the shell's file dialogs answer what
 * the test sets, through the ShellServices seam.
 */
import { randomBytes } from 'node:crypto'
import { execFile, execFileSync } from 'node:child_process'
import { readFile, readdir, mkdir } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { gzipSync } from 'node:zlib'
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { AppCore } from '../../electron/app/app-core.js'
import type { ShellServices } from '../../electron/app/contracts.js'
import { createIpcHandlers, type IpcHandlers } from '../../electron/app/ipc-handlers.js'
import { FileConfigRepository } from '../../electron/app/store/config-repository.js'
import { contentSecurityPolicy } from '../../electron/app/window-security.js'
import { createAesFileCipher } from '../app/aes-file-cipher.js'
import { eventChannels, requestChannels } from '../../shared/ipc-channels.js'
import type { EventChannel, IpcResult, RequestChannel } from '../../shared/ipc.js'
import type { MountHealth } from '../../shared/mount-state.js'
import { isMounted } from '../mount-helpers.js'
import { startS3, stopAllServers, tempDir, type S3Server } from '../servers/index.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
export const artifacts = join(root, 'test/artifacts')
export const bucket = 'bucket'
// s3rver checks only the access key ID of a v4 signature (see the wrong-credential test): a secret of our own
// connects, and can be looked for in everything the page is given.
export const secret = `e2e-secret-${randomBytes(8).toString('hex')}`
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
export class ScriptedShell implements ShellServices {
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

export let s3: S3Server
let previousStateHome: string | undefined
export let outDir: string
let server: Server
let baseUrl: string
let browser: Browser
let context: BrowserContext
export let page: Page
export let core: AppCore
export let handlers: IpcHandlers
export const shell = new ScriptedShell()
export const pageErrors: string[] = []
export const mountFolders: string[] = []

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

export async function screenshot(name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: join(artifacts, `renderer-${name}.png`), fullPage })
}

export function row(name: string): Locator {
  return page.getByRole('listitem', { name, exact: true })
}

/** The badge of a mount once it reads "<name>: <State>" (the words, not the color). */
export async function badge(name: string, label: string, timeout = 30_000): Promise<void> {
  await row(name)
    .locator('.badge', { hasText: new RegExp(`^${name}: ${label}$`) })
    .waitFor({ timeout })
}

export async function snapshotHealth(id: string): Promise<MountHealth> {
  const result = await handlers['app:snapshot'](undefined)
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`)
  const health = result.value.health[id]
  if (!health) throw new Error(`no health for ${id}`)
  return health
}

export async function bundleSize(
  dir: string,
): Promise<{ files: Record<string, { bytes: number; gzip: number }>; bytes: number; gzip: number }> {
  const files: Record<string, { bytes: number; gzip: number }> = {}
  for (const name of await readdir(join(dir, 'assets'))) {
    const body = await readFile(join(dir, 'assets', name))
    files[name] = { bytes: body.length, gzip: gzipSync(body, { level: 9 }).length }
  }
  const sizes = Object.values(files)
  return { files, bytes: sizes.reduce((n, f) => n + f.bytes, 0), gzip: sizes.reduce((n, f) => n + f.gzip, 0) }
}

/** Registers the window's set-up and tear-down with the calling test file. */
export function setupWindow(): void {
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

  // A failed step leaves a picture of the window as it was, for the person reading the failure.
  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail' || !page) return
    await page.screenshot({ path: join(artifacts, `renderer-failed-${context.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}.png`) })
  })

  afterAll(async () => {
    await browser?.close()
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))
    if (core) for (const id of Object.keys(core.manager.healthAll())) await core.manager.unmount(id, { force: true }).catch(() => undefined)
    for (const path of mountFolders) if (isMounted(path)) execFileSync('fusermount3', ['-uz', path])
    if (previousStateHome === undefined) delete process.env.XDG_STATE_HOME
    else process.env.XDG_STATE_HOME = previousStateHome
    await stopAllServers()
  }, 60_000)
}

/** One event into the page, as its own task (each IPC message is one in Electron). */
export function deliver(channel: EventChannel, payload: unknown): Promise<void> {
  return page
    .evaluate(([c, p]) => (window as unknown as { __rmountDispatch(c: string, p: unknown): void }).__rmountDispatch(c, p), [
      channel,
      payload,
    ] as const)
    .catch(() => undefined)
}
