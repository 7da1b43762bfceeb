/**
 * The tray as plain data: which icon, which tooltip, which menu, for the mounts' health right now.
 * Menu items carry an `action` value rather than a function, so this module needs no Electron and
 * the shell maps actions to the app core in one place (`runTrayAction`).
 */
import { uploadsFailing, type MountHealth, type MountState } from '../../shared/mount-state.js'
import type { QuitPhase } from './quit-sequence.js'
import { mountName } from '../../shared/config.js'

/** The four tray icons, one per overall condition (build/icons/tray-<name>.png). */
export type TrayIcon = 'ok' | 'warning' | 'error' | 'idle'

/** What a tray menu item does when clicked. */
export type TrayAction =
  | { type: 'mount' | 'unmount' | 'retry' | 'open-folder' | 'show-logs' | 'refresh'; id: string }
  | { type: 'mount-all' | 'unmount-all' | 'open-window' | 'quit' }
  | { type: 'set-start-on-login'; enabled: boolean }

/** One menu item, shaped like Electron's MenuItemConstructorOptions minus the click function. */
export interface MenuItemModel {
  type: 'normal' | 'separator' | 'checkbox' | 'submenu'
  label?: string
  enabled?: boolean
  checked?: boolean
  action?: TrayAction
  submenu?: MenuItemModel[]
}

/** The whole tray for one moment. */
export interface TrayModel {
  icon: TrayIcon
  tooltip: string
  items: MenuItemModel[]
}

/** One mount as the tray needs it. */
export interface TrayMount {
  id: string
  name: string
  health: Pick<MountHealth, 'state' | 'reason' | 'lastError' | 'pendingUploads' | 'uploadsInProgress'>
}

const stateLabels: Record<MountState, string> = {
  unmounted: 'not mounted',
  mounting: 'mounting…',
  mounted: 'mounted',
  degraded: 'remote not answering',
  restarting: 'restarting…',
  failed: 'failed',
  unmounting: 'unmounting…',
}

function stateLabel(health: TrayMount['health']): string {
  return uploadsFailing(health) ? 'uploads failing' : stateLabels[health.state]
}

/** States that need a look but may settle by themselves. */
const unsettled: ReadonlySet<MountState> = new Set(['degraded', 'restarting', 'mounting', 'unmounting'])

/** The icon for a set of mount states: the worst one wins. */
export function trayIcon(states: readonly MountState[]): TrayIcon {
  if (states.includes('failed')) return 'error'
  if (states.some((state) => unsettled.has(state))) return 'warning'
  // A mount left unmounted is the user's choice, not a problem: any mounted one makes the tray ok.
  if (states.includes('mounted')) return 'ok'
  return 'idle'
}

/**
 * Which per-mount actions make sense in each state (Retry appears only for a failed mount). Refresh
 * (show remote changes now) only while mounted: a remote that does not answer has no news to show.
 */
const enabledIn: Record<MountState, { mount: boolean; unmount: boolean; openFolder: boolean; refresh: boolean }> = {
  unmounted: { mount: true, unmount: false, openFolder: false, refresh: false },
  // Unmount cuts a mount or restart under way short, so it doubles as Cancel.
  mounting: { mount: false, unmount: true, openFolder: false, refresh: false },
  mounted: { mount: false, unmount: true, openFolder: true, refresh: true },
  // A file manager opened on a mount whose remote does not answer freezes on it: no Open folder.
  degraded: { mount: false, unmount: true, openFolder: false, refresh: false },
  restarting: { mount: false, unmount: true, openFolder: false, refresh: false },
  // Unmount on a failed mount stops its retries and clears it back to "not mounted".
  failed: { mount: false, unmount: true, openFolder: false, refresh: false },
  unmounting: { mount: false, unmount: false, openFolder: false, refresh: false },
}

/** What to show of a mount's trouble, on one short line; null when it is fine. */
function troubleLine(health: TrayMount['health']): string | null {
  if (health.state === 'failed') return oneLine(health.lastError?.message ?? health.reason)
  if (health.state === 'degraded' || health.state === 'restarting') return oneLine(health.reason)
  return null
}

// Long menu labels stretch the whole menu across the screen; the window shows the full text.
const maxLineLength = 80

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > maxLineLength ? `${flat.slice(0, maxLineLength - 1)}…` : flat
}

/**
 * The mounts as the tray lists them, in the config's order, each named as the window names it. A mount without health yet (just added) counts as not mounted.
 */
export function trayMounts(
  mounts: ReadonlyArray<{ id: string; localPath: string; name?: string | undefined }>,
  health: Readonly<Record<string, TrayMount['health'] | undefined>>,
): TrayMount[] {
  return mounts.map((mount) => ({
    id: mount.id,
    name: mountName(mount),
    health: health[mount.id] ?? { state: 'unmounted', reason: 'Not mounted.', lastError: null, pendingUploads: 0, uploadsInProgress: 0 },
  }))
}

function mountLabel({ name, health }: TrayMount): string {
  const pending = health.pendingUploads + health.uploadsInProgress
  return `${name}: ${stateLabel(health)}${pending > 0 ? `, ${pending} upload${pending === 1 ? '' : 's'} pending` : ''}`
}

function mountItem(mount: TrayMount): MenuItemModel {
  const { id, health } = mount
  const enabled = enabledIn[health.state]
  const trouble = troubleLine(health)
  const submenu: MenuItemModel[] = [
    ...(trouble ? [{ type: 'normal' as const, label: trouble, enabled: false }, { type: 'separator' as const }] : []),
    { type: 'normal', label: 'Mount', enabled: enabled.mount, action: { type: 'mount', id } },
    { type: 'normal', label: 'Unmount', enabled: enabled.unmount, action: { type: 'unmount', id } },
    ...(health.state === 'failed'
      ? [{ type: 'normal' as const, label: 'Retry', enabled: true, action: { type: 'retry' as const, id } }]
      : []),
    { type: 'normal', label: 'Open folder', enabled: enabled.openFolder || uploadsFailing(health), action: { type: 'open-folder', id } },
    { type: 'normal', label: 'Refresh', enabled: enabled.refresh, action: { type: 'refresh', id } },
    { type: 'normal', label: 'Show logs', enabled: true, action: { type: 'show-logs', id } },
  ]
  return { type: 'submenu', label: mountLabel(mount), enabled: true, submenu }
}

function tooltip(mounts: readonly TrayMount[]): string {
  if (mounts.length === 0) return 'RMount: no mounts yet'
  const count = (state: MountState) => mounts.filter((m) => m.health.state === state).length
  const parts = [`${count('mounted')} of ${mounts.length} mounted`]
  for (const label of ['failed', 'remote not answering', 'uploads failing', 'restarting…'])
    if (mounts.some((m) => stateLabel(m.health) === label))
      parts.push(`${mounts.filter((m) => stateLabel(m.health) === label).length} ${label}`)
  return `RMount: ${parts.join(', ')}`
}

/** A quit under way, as the tray shows it (see quit-sequence.ts). */
export interface TrayQuit {
  phase: QuitPhase
  message: string
}

const quitItem: MenuItemModel = { type: 'normal', label: 'Quit', enabled: true, action: { type: 'quit' } }

/** The mounts the "Mount all" or "Unmount all" item acts on: those whose state enables that action. */
export function actionableIds(mounts: readonly TrayMount[], action: 'mount' | 'unmount'): string[] {
  return mounts.filter((m) => enabledIn[m.health.state][action]).map((m) => m.id)
}

/** The tray for these mounts and settings, and the quit under way if any: icon, tooltip and menu. */
export function trayModel(mounts: readonly TrayMount[], settings: { startOnLogin: boolean }, quit?: TrayQuit): TrayModel {
  const states = mounts.map((m) => m.health.state)
  if (quit && quit.phase !== 'running') {
    // While quitting, mounting anything would race the unmounts: the menu offers only the window and "Quit now".
    const line = oneLine(quit.message.split('\n')[0] ?? '')
    // Waiting for uploads, quitting again means "now"; once forcing, there is nothing left to ask.
    const waiting = quit.phase === 'draining' || quit.phase === 'blocked'
    return {
      icon: trayIcon(states),
      tooltip: `RMount: ${line}`,
      items: [
        { type: 'normal', label: line, enabled: false },
        { type: 'separator' },
        { type: 'normal', label: 'Open RMount', enabled: true, action: { type: 'open-window' } },
        { type: 'separator' },
        { ...quitItem, label: waiting ? 'Quit now' : 'Quit', enabled: waiting },
      ],
    }
  }
  return {
    icon: trayIcon(states),
    tooltip: tooltip(mounts),
    items: [
      ...(mounts.length === 0 ? [{ type: 'normal' as const, label: 'No mounts yet', enabled: false }] : mounts.map(mountItem)),
      { type: 'separator' },
      { type: 'normal', label: 'Mount all', enabled: actionableIds(mounts, 'mount').length > 0, action: { type: 'mount-all' } },
      { type: 'normal', label: 'Unmount all', enabled: actionableIds(mounts, 'unmount').length > 0, action: { type: 'unmount-all' } },
      { type: 'separator' },
      { type: 'normal', label: 'Open RMount', enabled: true, action: { type: 'open-window' } },
      {
        type: 'checkbox',
        label: 'Start on login',
        enabled: true,
        checked: settings.startOnLogin,
        action: { type: 'set-start-on-login', enabled: !settings.startOnLogin },
      },
      { type: 'separator' },
      quitItem,
    ],
  }
}

/** A menu item as Electron's Menu.buildFromTemplate takes it. */
export interface MenuTemplateItem {
  type: MenuItemModel['type']
  label?: string
  enabled?: boolean
  checked?: boolean
  click?: () => void
  submenu?: MenuTemplateItem[]
}

/** The model as a menu template whose clicks hand each item's action to `dispatch`. */
export function toMenuTemplate(items: readonly MenuItemModel[], dispatch: (action: TrayAction) => void): MenuTemplateItem[] {
  return items.map(({ action, submenu, ...item }) => ({
    ...item,
    ...(action ? { click: () => dispatch(action) } : {}),
    ...(submenu ? { submenu: toMenuTemplate(submenu, dispatch) } : {}),
  }))
}

/** What the tray's actions call; the shell implements it over the app core and the window. */
export interface TrayHandlers {
  mount(id: string): unknown
  unmount(id: string): unknown
  retry(id: string): unknown
  openFolder(id: string): unknown
  refresh(id: string): unknown
  showLogs(id: string): unknown
  mountAll(): unknown
  unmountAll(): unknown
  openWindow(): unknown
  setStartOnLogin(enabled: boolean): unknown
  quit(): unknown
}

/** Runs one tray action against the handlers. */
export function runTrayAction(action: TrayAction, handlers: TrayHandlers): unknown {
  switch (action.type) {
    case 'mount':
      return handlers.mount(action.id)
    case 'unmount':
      return handlers.unmount(action.id)
    case 'retry':
      return handlers.retry(action.id)
    case 'open-folder':
      return handlers.openFolder(action.id)
    case 'refresh':
      return handlers.refresh(action.id)
    case 'show-logs':
      return handlers.showLogs(action.id)
    case 'mount-all':
      return handlers.mountAll()
    case 'unmount-all':
      return handlers.unmountAll()
    case 'open-window':
      return handlers.openWindow()
    case 'set-start-on-login':
      return handlers.setStartOnLogin(action.enabled)
    case 'quit':
      return handlers.quit()
  }
}

/**
 * Calls `render` only when the tray would look different. Health arrives every second per mount with
 * transfer counters the tray does not show; rebuilding an unchanged menu each time makes an open menu
 * flicker (and close, on some Linux trays).
 */
export function createTrayRenderer(
  render: (model: TrayModel) => void,
): (mounts: readonly TrayMount[], settings: { startOnLogin: boolean }, quit?: TrayQuit) => void {
  let last = ''
  return (mounts, settings, quit) => {
    const model = trayModel(mounts, settings, quit)
    const key = JSON.stringify(model)
    if (key === last) return
    last = key
    render(model)
  }
}
