/**
 * The application menu, as plain data for Electron's Menu.buildFromTemplate. A packaged build has no
 * DevTools and no Reload: DevTools would let anyone at the keyboard run code with the window's IPC
 * access, and a reload in the middle of an editor loses what was typed. Development builds keep both.
 */

/** One item of the menu, in the shape Electron's MenuItemConstructorOptions takes. */
export interface AppMenuItem {
  label?: string
  role?: string
  type?: 'separator'
  submenu?: AppMenuItem[]
}

/** Roles that reach into the page's code or reload it: only in development. */
export const developerRoles: readonly string[] = ['reload', 'forceReload', 'toggleDevTools']

/** The menu for a build: `isPackaged` (Electron's app.isPackaged) leaves the developer roles out; macOS gets its app menu. */
export function appMenuTemplate(options: { isPackaged: boolean; platform: NodeJS.Platform }): AppMenuItem[] {
  const view: AppMenuItem[] = [
    ...(options.isPackaged
      ? []
      : [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' as const }]),
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
  ]
  return [
    ...(options.platform === 'darwin' ? [{ role: 'appMenu' }] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    { label: 'View', submenu: view },
    { role: 'windowMenu' },
  ]
}
