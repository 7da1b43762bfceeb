/**
 * The app window: created with the hardened webPreferences of window-security.ts, loading the built
 * renderer; closing it hides it to the tray. Every rule lives in electron/app; this file hands it over.
 */
import { BrowserWindow, type WebContents } from 'electron'
import type { AppLayout } from '../app/app-paths.js'
import { windowLinkHash, type WindowTarget } from '../../shared/window-link.js'
import { createAppWindow, shouldAllowNavigation, windowOpenHandler } from '../app/window-security.js'

/** Navigation and new-window guards, for every WebContents the app creates (main.ts applies them on creation). */
export function hardenContents(contents: WebContents, appUrl: string): void {
  const guard = (event: { preventDefault(): void }, url: string) => {
    if (!shouldAllowNavigation(url, appUrl)) event.preventDefault()
  }
  contents.on('will-navigate', guard)
  contents.on('will-redirect', guard)
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(windowOpenHandler)
}

/** The one app window, created on first show. `mayClose` says when a close really closes rather than hides. */
export function createWindowController(layout: AppLayout, mayClose: () => boolean, log: (message: string, error?: unknown) => void) {
  let window: BrowserWindow | null = null
  const loadFailed = (error: unknown) => log('the window could not load its page', error)

  const create = (target?: WindowTarget): void => {
    const created = createAppWindow(BrowserWindow, { preload: layout.preload, icon: layout.appIcon })
    window = created
    created.on('close', (event) => {
      if (mayClose()) return
      event.preventDefault()
      created.hide()
    })
    created.on('closed', () => (window = null))
    created.once('ready-to-show', () => created.show())
    created.loadFile(layout.rendererIndex, target ? { hash: windowLinkHash(target) } : {}).catch(loadFailed)
  }

  return {
    /** Shows the window (creating it), on `target` when given: a same-page fragment change, no reload. */
    show(target?: WindowTarget): void {
      if (!window) return create(target)
      if (target) window.webContents.loadURL(`${layout.appUrl}#${windowLinkHash(target)}`).catch(loadFailed)
      if (window.isMinimized()) window.restore()
      window.show()
      window.focus()
    },
    /** The window, for dialogs to attach to; null when none is open. */
    current: (): BrowserWindow | null => window,
  }
}
