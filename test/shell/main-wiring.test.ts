/**
 * The built main bundle (dist/electron-main/main.js, what `electron .` runs) wired up against a
 * recording stand-in for Electron (fake-electron.ts), with the real app core, store and IPC handlers
 * behind it. The real Electron cannot run here; this checks that the shell hands each Electron event
 * and object to the right place, and that the bundle finds its preload, page and icons.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { requestChannels } from '../../shared/ipc-channels.js'
import type { MenuTemplateItem } from '../../electron/app/tray-menu.js'
import { contentSecurityPolicy } from '../../electron/app/window-security.js'
import { eventually } from '../mount-helpers.js'
import { electronEvent, installFakeElectron, type createFakeElectron } from './fake-electron.js'

vi.mock('electron', async () => (await import('./fake-electron.js')).fakeElectronModule())

const userData = mkdtempSync(join(tmpdir(), 'rmount-wiring-data-'))
const configHome = mkdtempSync(join(tmpdir(), 'rmount-wiring-xdg-'))
let fake: ReturnType<typeof createFakeElectron>
const signalListeners = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') }
const savedXdg = process.env.XDG_CONFIG_HOME

beforeAll(async () => {
  process.env.XDG_CONFIG_HOME = configHome
  await execa('npm', ['run', 'build:electron'], { cwd: new URL('../..', import.meta.url).pathname })
  fake = installFakeElectron(userData)
  // @ts-expect-error: the bundle is built above and has no type declarations.
  await import('../../dist/electron-main/main.js')
  fake.ready.resolve()
  expect(await eventually(() => fake.Tray.all[0]?.menu !== null && fake.Tray.all.length === 1, 10_000), 'the tray is rendered').toBe(true)
}, 120_000)

afterAll(async () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    for (const listener of process.listeners(signal)) if (!signalListeners[signal].includes(listener)) process.off(signal, listener)
  if (savedXdg === undefined) delete process.env.XDG_CONFIG_HOME
  else process.env.XDG_CONFIG_HOME = savedXdg
  await rm(userData, { recursive: true, force: true })
  await rm(configHome, { recursive: true, force: true })
})

const app = () => fake.module.app
const window = () => fake.BrowserWindow.all[0]!
const menu = () => (fake.Tray.all[0]!.menu as { template: MenuTemplateItem[] }).template
const click = (label: string) => menu().find((item) => item.label === label)!.click!()

describe('electron/main wiring (stand-in Electron, real app core)', () => {
  it('denies every permission but clipboard writes and sets the CSP on responses', () => {
    const { defaultSession } = fake.session
    const answers: boolean[] = []
    defaultSession.permissionRequestHandler!(null, 'media', (granted: boolean) => answers.push(granted), {
      requestingUrl: 'https://example.com/',
    })
    expect(answers).toEqual([false])
    expect(defaultSession.permissionCheckHandler!(null, 'media', '', {})).toBe(false)
    let headers: unknown
    defaultSession.headersListener!(
      { responseHeaders: { 'content-type': ['text/html'] } },
      (result: { responseHeaders: unknown }) => (headers = result.responseHeaders),
    )
    expect(headers).toEqual({ 'content-type': ['text/html'], 'Content-Security-Policy': [contentSecurityPolicy] })
  })

  it('opens one hardened window on the built renderer, with the bundled preload (not started --hidden)', () => {
    expect(fake.BrowserWindow.all).toHaveLength(1)
    const prefs = window().options.webPreferences as Record<string, unknown>
    expect(prefs).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true })
    expect(prefs.preload).toMatch(/\/dist\/preload\/preload\.cjs$/)
    expect(existsSync(String(prefs.preload))).toBe(true)
    expect(window().loaded!.file).toMatch(/\/dist\/renderer\/index\.html$/)
    expect(existsSync(window().loaded!.file)).toBe(true)
    expect(existsSync(String(window().options.icon))).toBe(true)
  })

  it('sets the application menu of a development build (app.isPackaged false): DevTools and Reload are there', () => {
    const template = JSON.stringify(fake.Menu.application?.template)
    expect(template).toContain('toggleDevTools')
    expect(template).toContain('editMenu')
  })

  it('renders the tray from the model: idle icon, the menu, the tooltip', () => {
    const tray = fake.Tray.all[0]!
    expect(tray.image).toMatch(/build\/icons\/tray-idle\.png$/)
    expect(existsSync(tray.image)).toBe(true)
    expect(tray.tooltip).toBe('RMount: no mounts yet')
    expect(
      menu()
        .map((item) => item.label)
        .filter(Boolean),
    ).toEqual(['No mounts yet', 'Mount all', 'Unmount all', 'Open RMount', 'Start on login', 'Quit'])
  })

  it('answers every request channel for the app page only', async () => {
    expect([...fake.handlers.keys()].sort()).toEqual([...requestChannels].sort())
    const snapshot = (await fake.handlers.get('app:snapshot')!({ senderFrame: { url: window().webContents.getURL() } }, undefined)) as {
      ok: boolean
      value: { secretStorage: unknown; mounts: unknown[] }
    }
    expect(snapshot.ok).toBe(true)
    expect(snapshot.value.secretStorage).toEqual({ encrypted: false, backend: 'basic_text' })
    const refused = await fake.handlers.get('app:snapshot')!({ senderFrame: { url: 'https://example.com/' } }, undefined)
    expect(refused).toMatchObject({ ok: false })
  })

  it('guards every web contents: navigation away, new windows and webviews are refused', () => {
    const contents = new (window().webContents.constructor as new () => InstanceType<typeof fake.BrowserWindow>['webContents'])()
    app().emit('web-contents-created', electronEvent(), contents)
    const navigate = (url: string) => {
      const event = electronEvent()
      contents.emit('will-navigate', event, url)
      return event.defaultPrevented
    }
    expect(navigate('https://example.com/')).toBe(true)
    expect(navigate(`${window().webContents.getURL()}#mount=a`)).toBe(false)
    expect(contents.windowOpenHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' })
    const attach = electronEvent()
    contents.emit('will-attach-webview', attach)
    expect(attach.defaultPrevented).toBe(true)
  })

  it('hides the window on close, and a second launch shows it again', () => {
    window().close()
    expect(window().destroyed).toBe(false)
    expect(window().visible).toBe(false)
    app().emit('second-instance')
    expect(window().visible).toBe(true)
    // Closing the last window must not quit the app: a listener keeps Electron's default away.
    expect(app().listenerCount('window-all-closed')).toBe(1)
  })

  it('turns start on login on from the tray: setting saved, XDG entry written with --hidden', async () => {
    click('Start on login')
    const entry = join(configHome, 'autostart', 'rmount.desktop')
    expect(await eventually(() => existsSync(entry), 5000)).toBe(true)
    expect(readFileSync(entry, 'utf8')).toMatch(/^Exec=.* --hidden$/m)
    expect(await eventually(() => menu().find((item) => item.label === 'Start on login')!.checked === true, 5000)).toBe(true)
    expect(JSON.parse(readFileSync(join(userData, 'config.json'), 'utf8')).settings.startOnLogin).toBe(true)
  })

  it('listens to resume, unlock and shutdown', () => {
    for (const event of ['resume', 'unlock-screen', 'shutdown']) expect(fake.module.powerMonitor.listenerCount(event), event).toBe(1)
  })

  it("quits through the quit sequence: Electron's quit is held until the mounts are down, then let through", async () => {
    const first = electronEvent()
    app().emit('before-quit', first)
    expect(first.defaultPrevented).toBe(true)
    // Nothing is mounted: the drain ends at once and the shell calls app.quit, which must now go through.
    expect(await eventually(() => fake.calls.includes('app.quit'), 5000)).toBe(true)
    const last = electronEvent()
    app().emit('before-quit', last)
    expect(last.defaultPrevented).toBe(false)
    window().close()
    expect(window().destroyed).toBe(true)
  })
})
