/**
 * What the desktop shell does, without Electron: it keeps the tray in step with the mounts, turns
 * health changes into notifications, runs tray actions, keeps start-on-login in step with the setting,
 * re-probes after resume, unlock and network changes, and runs the quit sequence. The Electron files
 * under electron/main/ only supply the ports below (tray, window, notifications, login items) and
 * forward Electron's events here, so every decision is tested under plain Node against a real AppCore.
 */
import type { NetworkInterfaceInfo } from 'node:os'
import type { Settings } from '../../shared/ipc.js'
import type { MountHealth } from '../../shared/mount-state.js'
import type { AppCore } from './app-core.js'
import { autostartAtStart, type AutostartPort } from './autostart.js'
import type { GtkBookmarks } from './gtk-bookmarks-file.js'
import { bookmarkedMounts } from './bookmarked-mounts.js'
import { createNotificationPolicy } from './notifications.js'
import { createReprobe, watchNetwork } from './power-events.js'
import { createQuitSequence, quitShowsWindow, type QuitPhase, type QuitSource, type QuitStatus } from './quit-sequence.js'
import { actionableIds, createTrayRenderer, runTrayAction, trayMounts, type TrayAction, type TrayModel } from './tray-menu.js'
import type { WindowTarget } from '../../shared/window-link.js'
import { mountName } from '../../shared/config.js'

/** What the shell needs of the app core. */
export type DesktopCore = Pick<
  AppCore,
  'snapshot' | 'on' | 'mount' | 'unmount' | 'retry' | 'refresh' | 'openFolder' | 'setSettings' | 'mountAtStart' | 'probeAll' | 'quitAll'
>

/** A desktop notification; a click on one with a `mountId` opens the window on that mount. */
export interface ShellNotification {
  title: string
  body: string
  mountId?: string
}

/** What only Electron can do, supplied by electron/main/. */
export interface ShellPorts {
  tray: { render(model: TrayModel): void }
  window: { show(target?: WindowTarget): void }
  notify(notification: ShellNotification): void
  autostart: AutostartPort
  /** Every mount is unmounted: leave now. */
  exit(): void
  log(message: string, error?: unknown): void
  /** The file manager's sidebar (GTK bookmarks); left out where there is none. */
  bookmarks?: GtkBookmarks
}

export interface DesktopShellOptions {
  /** Started at login with `--hidden`: tray only, no window. */
  hidden: boolean
  /** Quiet time after the last resume, unlock or network change before re-probing (default 2 s). */
  reprobeDebounceMs?: number
  /** How often the network interfaces are compared (default 5 s). */
  networkPollMs?: number
  /** The machine's interfaces; os.networkInterfaces in the app. */
  readInterfaces: () => NodeJS.Dict<NetworkInterfaceInfo[]>
}

/** The shell's handle for Electron's events. */
export interface DesktopShell {
  /** Every way out calls this; see quit-sequence.ts. */
  requestQuit(source: QuitSource): QuitPhase
  /** The window hides on close, and really closes only once the app exits. */
  windowMayClose(): boolean
  onResume(): void
  onUnlock(): void
  /** A second launch of the app: show the window. */
  onSecondInstance(): void
  runTrayAction(action: TrayAction): void
  /** Resolves once start-up work is done: login item reconciled, mounts marked mountAtStart tried. */
  readonly started: Promise<void>
  /** Stops the timers (network poll, pending re-probe). */
  dispose(): void
}

/** The message of any error, for a notification (RmountErrors carry a sentence that says what to do). */
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** Wires the core to the ports; see the module comment. */
export function startDesktopShell(core: DesktopCore, ports: ShellPorts, options: DesktopShellOptions): DesktopShell {
  const snapshot = core.snapshot()
  let mounts = snapshot.mounts
  let settings: Settings = snapshot.settings
  const health: Record<string, MountHealth> = { ...snapshot.health }
  let quitStatus: QuitStatus | null = null
  const policy = createNotificationPolicy()

  const nameOf = (id: string): string => {
    const mount = mounts.find((m) => m.id === id)
    return mount ? mountName(mount) : id
  }
  // The first sync runs at start with nothing mounted: it clears what a crashed run left in the sidebar.
  let bookmarked: string | null = null
  const syncBookmarks = (): Promise<void> => {
    const wanted = settings.fileManagerBookmarks ? bookmarkedMounts(mounts, health) : []
    const key = JSON.stringify(wanted)
    if (!ports.bookmarks || key === bookmarked) return Promise.resolve()
    bookmarked = key
    return ports.bookmarks.sync(wanted).catch((error: unknown) => ports.log('updating the file manager bookmarks failed', error))
  }
  void syncBookmarks()
  const renderTray = createTrayRenderer(ports.tray.render)
  const render = (): void => renderTray(trayMounts(mounts, health), settings, quitStatus ?? undefined)

  /** Runs a tray action's promise; a failure the person should hear about becomes a notification. */
  const attempt = (what: string, id: string | null, work: Promise<unknown>, tell: boolean): void => {
    work.catch((error: unknown) => {
      ports.log(`${what}${id ? ` ${id}` : ''} failed`, error)
      if (tell)
        ports.notify({
          title: `${what} ${id ? nameOf(id) : ''}`.trim() + ' did not work',
          body: messageOf(error),
          ...(id ? { mountId: id } : {}),
        })
    })
  }

  core.on('mount:health', ({ id, health: next }) => {
    health[id] = next
    render()
    void syncBookmarks()
    const notification = policy.update({ id, name: nameOf(id) }, next)
    if (notification) ports.notify(notification)
  })

  core.on('config:changed', (changed) => {
    for (const m of mounts) if (!changed.mounts.some((n) => n.id === m.id)) policy.forget(m.id)
    const loginChanged = changed.settings.startOnLogin !== settings.startOnLogin
    mounts = changed.mounts
    settings = changed.settings
    render()
    void syncBookmarks()
    if (loginChanged) attempt('Start on login', null, ports.autostart.setEnabled(settings.startOnLogin), true)
  })

  const quit = createQuitSequence({
    manager: core,
    nameOf,
    onStatus: (status) => {
      quitStatus = status
      render()
      if (quitShowsWindow(status)) ports.window.show()
      if (status.phase === 'blocked') ports.notify({ title: 'RMount is not quitting yet', body: status.message })
    },
    onExit: (status) => {
      ports.log(`quit: ${status.message}`)
      // The notification outlives the app: it is how a person learns which files wait for the next mount.
      if (Object.keys(status.pendingFiles).length > 0)
        ports.notify({ title: 'RMount quit; some files wait in the cache', body: status.message })
      bookmarked = null
      const clear = ports.bookmarks?.sync([]).catch((error: unknown) => ports.log('clearing the file manager bookmarks failed', error))
      void Promise.resolve(clear).finally(() => ports.exit())
    },
  })

  const quitting = (): boolean => quit.phase !== 'running'

  const handlers = {
    // Failures of mount and retry show in the mount's health, and as a notification through the policy.
    mount: (id: string) => attempt('Mounting', id, core.mount(id), false),
    retry: (id: string) => attempt('Retrying', id, core.retry(id), false),
    // An unmount that does not happen (files open, uploads stuck) leaves the mount as it was: say why.
    unmount: (id: string) => attempt('Unmounting', id, core.unmount(id, { force: false }), true),
    openFolder: (id: string) => attempt('Opening the folder of', id, core.openFolder(id), true),
    refresh: (id: string) => attempt('Refreshing', id, core.refresh(id), true),
    showLogs: (id: string) => ports.window.show({ mountId: id, view: 'logs' }),
    // The same mounts whose own Mount or Unmount item is enabled.
    mountAll: () => actionableIds(trayMounts(mounts, health), 'mount').forEach(handlers.mount),
    unmountAll: () => actionableIds(trayMounts(mounts, health), 'unmount').forEach(handlers.unmount),
    openWindow: () => ports.window.show(),
    setStartOnLogin: (enabled: boolean) => attempt('Start on login', null, core.setSettings({ startOnLogin: enabled }), true),
    quit: () => quit.requestQuit('tray'),
  }

  const reprobe = createReprobe(core, options.reprobeDebounceMs ?? 2000, (error) => ports.log('re-probing the mounts failed', error))
  const stopNetworkWatch = watchNetwork(options.readInterfaces, reprobe.onNetworkChange, options.networkPollMs ?? 5000)

  render()
  if (!options.hidden) ports.window.show()

  const started = (async () => {
    try {
      const osEnabled = await ports.autostart.isEnabled()
      const plan = autostartAtStart(settings.startOnLogin, osEnabled)
      if (plan === 'refresh') await ports.autostart.setEnabled(true)
      // The changed setting then reaches the OS through config:changed above, like any other change.
      if (plan === 'adopt-os') await core.setSettings({ startOnLogin: osEnabled })
    } catch (error) {
      ports.log('start on login could not be checked', error)
    }
    await core.mountAtStart()
  })()

  return {
    requestQuit: (source) => quit.requestQuit(source),
    windowMayClose: () => quit.phase === 'exit',
    onResume: () => reprobe.onResume(),
    onUnlock: () => reprobe.onUnlock(),
    onSecondInstance: () => ports.window.show(),
    runTrayAction(action) {
      // While quitting, only the window and Quit make sense: a mount started now would race the unmounts.
      if (quitting() && action.type !== 'quit' && action.type !== 'open-window') return
      runTrayAction(action, handlers)
    },
    started,
    dispose() {
      reprobe.dispose()
      stopNetworkWatch()
    },
  }
}
