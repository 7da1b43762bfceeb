/**
 * The Electron main process: hands Electron's objects and events to the electron-free app in
 * electron/app, and decides nothing itself. What happens when (tray, notifications, start on login,
 * re-probing, quitting) is desktop-shell.ts; what the window may do is window-security.ts.
 */
import { homedir, networkInterfaces } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { app, Menu, powerMonitor, session } from 'electron'
import { appMenuTemplate } from '../app/app-menu.js'
import { AppCore } from '../app/app-core.js'
import { appLayout } from '../app/app-paths.js'
import { autostartMethod, hiddenFlag, launchCommand, xdgAutostart } from '../app/autostart.js'
import { configHome } from '../engine/index.js'
import { startDesktopShell, type DesktopShell } from '../app/desktop-shell.js'
import { createGtkBookmarks, gtkBookmarksPath } from '../app/gtk-bookmarks-file.js'
import type { TrayAction } from '../app/tray-menu.js'
import { createIpcHandlers } from '../app/ipc-handlers.js'
import { FileConfigRepository } from '../app/store/config-repository.js'
import { permissionHandlers, withContentSecurityPolicy } from '../app/window-security.js'
import { bindIpc } from './ipc-bind.js'
import { createNotifier } from './notify.js'
import { createCipher } from './safe-storage.js'
import { createShellServices, loginItemAutostart } from './shell-services.js'
import { createTray } from './tray.js'
import { createWindowController, hardenContents } from './window.js'

const log = (message: string, error?: unknown) => console.error(`RMount: ${message}`, ...(error === undefined ? [] : [error]))
const layout = appLayout({
  mainDir: dirname(fileURLToPath(import.meta.url)),
  isPackaged: app.isPackaged,
  resourcesPath: process.resourcesPath,
})
let desktop: DesktopShell | null = null

// Registered first thing: they replace Chromium's handlers, which quit without waiting for uploads and
// let a second Ctrl-C kill the app outright. Before the shell exists nothing is mounted yet.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => (desktop ? desktop.requestQuit(signal) : app.exit(0)))

if (!app.requestSingleInstanceLock()) {
  // Another RMount runs: it shows its window (its 'second-instance'), and this one leaves.
  app.quit()
} else {
  app.on('second-instance', () => desktop?.onSecondInstance())
  app.on('activate', () => desktop?.onSecondInstance())
  app.on('web-contents-created', (_event, contents) => hardenContents(contents, layout.appUrl))
  // The app lives in the tray: closing its window must not quit it.
  app.on('window-all-closed', () => undefined)
  app.on('before-quit', (event) => {
    if (desktop && desktop.requestQuit('app') !== 'exit') event.preventDefault()
  })
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      log('could not start', error)
      app.exit(1)
    })
}

async function start(): Promise<void> {
  Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate({ isPackaged: app.isPackaged, platform: process.platform }) as never))
  const { defaultSession } = session
  const permissions = permissionHandlers(layout.appUrl)
  defaultSession.setPermissionRequestHandler(permissions.request)
  defaultSession.setPermissionCheckHandler(permissions.check)
  // Covers pages served over http(s); the file:// page carries the same policy in its <meta> tag.
  defaultSession.webRequest.onHeadersReceived((details, callback) =>
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) }),
  )

  const windows = createWindowController(layout, () => desktop?.windowMayClose() ?? true, log)
  const core = await AppCore.open({
    repository: new FileConfigRepository({ cwd: app.getPath('userData') }),
    cipher: await createCipher(),
    shell: createShellServices(windows.current),
    appVersion: app.getVersion(),
  })
  bindIpc(createIpcHandlers(core), core, layout.appUrl)
  const dispatch = (action: TrayAction) => desktop?.runTrayAction(action)
  const tray = createTray(layout, dispatch)
  const launch = launchCommand({ execPath: process.execPath, isPackaged: app.isPackaged, appPath: app.getAppPath(), env: process.env })

  desktop = startDesktopShell(
    core,
    {
      tray,
      window: windows,
      notify: createNotifier(layout.appIcon, (mountId) => windows.show(mountId ? { mountId } : undefined)),
      autostart:
        autostartMethod(process.platform) === 'xdg' ? xdgAutostart(configHome(process.env, homedir()), launch) : loginItemAutostart(),
      exit: () => app.quit(),
      log,
      ...(process.platform === 'linux'
        ? {
            bookmarks: createGtkBookmarks({
              file: gtkBookmarksPath(configHome(process.env, homedir())),
              ledgerFile: join(app.getPath('userData'), 'gtk-bookmarks.json'),
            }),
          }
        : {}),
    },
    { hidden: process.argv.includes(hiddenFlag), readInterfaces: networkInterfaces },
  )

  powerMonitor.on('resume', () => desktop?.onResume())
  powerMonitor.on('unlock-screen', () => desktop?.onUnlock())
  // Linux and macOS: preventDefault makes Electron hold off the shutdown or logout while mounts drain.
  // (The typings give this listener no argument; Electron passes the event, as its docs say.)
  powerMonitor.on('shutdown', ((event: Electron.Event) => {
    event.preventDefault()
    desktop?.requestQuit('logout')
  }) as () => void)

  await desktop.started
}
