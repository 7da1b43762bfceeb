/**
 * The window's security settings and guards, as plain values and pure functions, so they are tested
 * here and the shell only hands them to Electron. Each setting cites the item of Electron's security
 * checklist (https://www.electronjs.org/docs/latest/tutorial/security) it implements.
 */

/** The window options RMount sets, as Electron's BrowserWindow constructor takes them. */
export interface AppWindowOptions {
  width: number
  height: number
  minWidth: number
  minHeight: number
  title: string
  icon: string
  show: boolean
  webPreferences: {
    preload: string
    sandbox: boolean
    contextIsolation: boolean
    nodeIntegration: boolean
    nodeIntegrationInWorker: boolean
    nodeIntegrationInSubFrames: boolean
    webSecurity: boolean
    allowRunningInsecureContent: boolean
    experimentalFeatures: boolean
    webviewTag: boolean
    disableBlinkFeatures: string
    spellcheck: boolean
    navigateOnDragDrop: boolean
  }
}

/**
 * Creates the app window. Electron's BrowserWindow class is passed in, so this module needs no
 * Electron and its tests can see exactly what the window is created with; and the options are
 * written out at the `new BrowserWindow` call, where reviewers and Electronegativity look for them.
 */
export function createAppWindow<W>(BrowserWindow: new (options: AppWindowOptions) => W, opts: { preload: string; icon: string }): W {
  return new BrowserWindow({
    width: 980,
    height: 700,
    minWidth: 640,
    minHeight: 440,
    title: 'RMount',
    icon: opts.icon,
    // Shown on 'ready-to-show', so the window never flashes empty.
    show: false,
    webPreferences: {
      preload: opts.preload,
      // #4 sandbox the renderer: it reaches the system only through the preload's fixed channels.
      sandbox: true,
      // #3 the preload's world stays apart from the page's, so the page cannot reach ipcRenderer.
      contextIsolation: true,
      // #2 no Node.js in the page, its workers or its frames.
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      // #6 keep the same-origin policy; #8 never run http content inside the page.
      webSecurity: true,
      allowRunningInsecureContent: false,
      // #9 no experimental Blink features; #10 no <webview>.
      experimentalFeatures: false,
      webviewTag: false,
      // A middle click on a link asks for a new window; the open handler refuses it anyway, and this
      // keeps the event from being raised at all.
      disableBlinkFeatures: 'Auxclick',
      // The page has nothing worth a dictionary download from Google.
      spellcheck: false,
      // A file dropped on the window must not replace the app's page.
      navigateOnDragDrop: false,
    },
  })
}

/** The directives the window runs under. Nothing may be fetched, framed, posted or based elsewhere. */
const directives: Array<[string, string]> = [
  ['default-src', "'none'"],
  ['script-src', "'self'"],
  ['style-src', "'self'"],
  ['img-src', "'self' data:"],
  ['font-src', "'self'"],
  // The window talks to the main process over IPC only; it has no reason to open any connection.
  ['connect-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
  ['frame-ancestors', "'none'"],
]

/** #7 the Content-Security-Policy, as a response header sets it. */
export const contentSecurityPolicy = directives.map(([name, value]) => `${name} ${value}`).join('; ')

/**
 * The same policy for a `<meta http-equiv>` tag in the renderer's index.html, which is what applies to
 * a page loaded from file:// (there are no response headers to carry it). `frame-ancestors` is left
 * out: browsers ignore it in a meta tag and log a warning for it.
 */
export const metaContentSecurityPolicy = directives
  .filter(([name]) => name !== 'frame-ancestors')
  .map(([name, value]) => `${name} ${value}`)
  .join('; ')

/** Response headers with the CSP set (replacing any the response had, whatever its spelling). */
export function withContentSecurityPolicy(headers: Record<string, string[]> | undefined): Record<string, string[]> {
  const kept = Object.entries(headers ?? {}).filter(([name]) => name.toLowerCase() !== 'content-security-policy')
  return { ...Object.fromEntries(kept), 'Content-Security-Policy': [contentSecurityPolicy] }
}

/**
 * #13 limit navigation: the window may only ever show the app's own page (any fragment, which is how
 * the shell points it at a mount). Everything else, links included, is refused.
 */
export function shouldAllowNavigation(url: string, appUrl: string): boolean {
  let target: URL
  let app: URL
  try {
    target = new URL(url)
    app = new URL(appUrl)
  } catch {
    return false
  }
  target.hash = ''
  app.hash = ''
  return target.href === app.href
}

/** #14 limit new windows: the page may open none. */
export function windowOpenHandler(): { action: 'deny' } {
  return { action: 'deny' }
}

/**
 * #5 the page gets one permission: writing plain text to the clipboard (Copy log lines, Copy
 * diagnostics), and only for the app's own page. No camera, microphone, notifications, geolocation,
 * clipboard reads, or anything else.
 */
export function permissionHandlers(appUrl: string): {
  request(webContents: unknown, permission: string, callback: (granted: boolean) => void, details?: { requestingUrl?: string }): void
  check(webContents: unknown, permission: string, requestingOrigin?: string, details?: { requestingUrl?: string }): boolean
} {
  const allowed = (permission: string, url: string | undefined) =>
    permission === 'clipboard-sanitized-write' && shouldAllowNavigation(url ?? '', appUrl)
  return {
    request: (_webContents, permission, callback, details) => callback(allowed(permission, details?.requestingUrl)),
    check: (_webContents, permission, _origin, details) => allowed(permission, details?.requestingUrl),
  }
}
