/**
 * Where the built app's parts are, from the folder of the main bundle. The same layout holds for
 * `electron .` and for a package: `dist/electron-main/main.js`, `dist/preload/preload.cjs`,
 * `dist/renderer/index.html` (inside app.asar when packaged). Only the tray icons move: a package
 * carries them as extra resources beside app.asar, a checkout keeps them in build/icons.
 */
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { TrayIcon } from './tray-menu.js'

/** The paths and the page URL the shell needs. */
export interface AppLayout {
  preload: string
  rendererIndex: string
  /** The window's page as a URL: what navigation and IPC sender checks compare against. */
  appUrl: string
  iconsDir: string
  /** The app icon, for the window and notifications. */
  appIcon: string
}

/** The layout for a main bundle in `mainDir`. */
export function appLayout(opts: { mainDir: string; isPackaged: boolean; resourcesPath: string }): AppLayout {
  const rendererIndex = join(opts.mainDir, '..', 'renderer', 'index.html')
  const iconsDir = opts.isPackaged ? join(opts.resourcesPath, 'icons') : join(opts.mainDir, '..', '..', 'build', 'icons')
  return {
    preload: join(opts.mainDir, '..', 'preload', 'preload.cjs'),
    rendererIndex,
    appUrl: pathToFileURL(rendererIndex).href,
    iconsDir,
    appIcon: join(iconsDir, 'icon.png'),
  }
}

/**
 * The tray image for a state. Electron loads `tray-<icon>@2x.png` beside it by itself on a HiDPI
 * screen, so only the 1x name is given.
 */
export function trayIconPath(layout: Pick<AppLayout, 'iconsDir'>, icon: TrayIcon): string {
  return join(layout.iconsDir, `tray-${icon}.png`)
}
