/** The window's webPreferences, CSP and navigation guards; and that the renderer's page carries the same CSP. */
import { describe, expect, it } from 'vitest'
import rendererConfig from '../../renderer/vite.config.js'
import {
  contentSecurityPolicy,
  createAppWindow,
  metaContentSecurityPolicy,
  permissionHandlers,
  shouldAllowNavigation,
  windowOpenHandler,
  withContentSecurityPolicy,
  type AppWindowOptions,
} from '../../electron/app/window-security.js'

describe('createAppWindow', () => {
  it('creates the window hidden, sandboxed, isolated, without Node, with web security', () => {
    const created: AppWindowOptions[] = []
    class FakeBrowserWindow {
      constructor(readonly options: AppWindowOptions) {
        created.push(options)
      }
    }
    const window = createAppWindow(FakeBrowserWindow, { preload: '/app/dist/preload/preload.cjs', icon: '/app/icon.png' })
    expect(window).toBeInstanceOf(FakeBrowserWindow)
    expect(created).toHaveLength(1)
    expect(created[0]).toMatchObject({ show: false, icon: '/app/icon.png', title: 'RMount' })
    expect(created[0]!.webPreferences).toEqual({
      preload: '/app/dist/preload/preload.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      disableBlinkFeatures: 'Auxclick',
      spellcheck: false,
      navigateOnDragDrop: false,
    })
  })
})

function parsePolicy(policy: string): Map<string, string> {
  return new Map(
    policy
      .split(';')
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => {
        const [name, ...values] = part.split(/\s+/)
        return [name!, values.join(' ')]
      }),
  )
}

describe('Content-Security-Policy', () => {
  it('is exactly the agreed policy', () => {
    expect(contentSecurityPolicy).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    )
  })

  it('has no unsafe source and no remote host', () => {
    expect(contentSecurityPolicy).not.toMatch(/unsafe-|https?:|\*/)
  })

  it('the meta form is the same minus frame-ancestors, which a meta tag cannot carry', () => {
    const header = parsePolicy(contentSecurityPolicy)
    header.delete('frame-ancestors')
    expect(parsePolicy(metaContentSecurityPolicy)).toEqual(header)
  })

  it('replaces any CSP a response had, whatever the header spelling, and keeps the other headers', () => {
    expect(withContentSecurityPolicy({ 'content-security-policy': ["script-src 'unsafe-inline'"], 'Content-Type': ['text/html'] })).toEqual(
      {
        'Content-Type': ['text/html'],
        'Content-Security-Policy': [contentSecurityPolicy],
      },
    )
    expect(withContentSecurityPolicy(undefined)).toEqual({ 'Content-Security-Policy': [contentSecurityPolicy] })
  })

  // A page from file:// gets no response headers: the <meta> tag the renderer's build writes into
  // index.html is what applies. Its vite plugin is run here as the build runs it.
  it("the renderer's build puts exactly the meta policy into the page", async () => {
    const plugins = (rendererConfig.plugins ?? []).flat() as Array<{ name?: string; transformIndexHtml?: unknown }>
    const csp = plugins.find((plugin) => plugin?.name === 'rmount-csp-meta')
    expect(csp, 'the renderer build has its CSP plugin').toBeDefined()
    const tags = (await (csp!.transformIndexHtml as () => unknown)()) as Array<{ tag: string; attrs: Record<string, string> }>
    expect(tags).toContainEqual(
      expect.objectContaining({ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: metaContentSecurityPolicy } }),
    )
  })
})

describe('navigation and window guards', () => {
  const appUrl = 'file:///opt/RMount/resources/app.asar/dist/renderer/index.html'

  it.each([
    [appUrl, true],
    [`${appUrl}#mount=photos`, true],
    [`${appUrl}#mount=photos&view=logs`, true],
    ['file:///opt/RMount/resources/app.asar/dist/renderer/other.html', false],
    [`${appUrl}?x=1`, false],
    ['file:///etc/passwd', false],
    ['https://example.com/', false],
    ['http://127.0.0.1:9000/', false],
    ['javascript:alert(1)', false],
    ['data:text/html,<script>alert(1)</script>', false],
    ['not a url', false],
    ['file:///opt/RMount/resources/app.asar/dist/renderer/../renderer/index.html', true],
    ['file:///opt/RMount/resources/app.asar/dist/renderer/index.html/', false],
  ])('%s → %s', (url, allowed) => {
    expect(shouldAllowNavigation(url, appUrl)).toBe(allowed)
  })

  it('refuses everything when the app URL itself is not a URL', () => {
    expect(shouldAllowNavigation(appUrl, 'nonsense')).toBe(false)
  })

  it('opens no new window', () => {
    expect(windowOpenHandler()).toEqual({ action: 'deny' })
  })

  it.each(['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal', 'fullscreen'])(
    'denies the %s permission',
    (permission) => {
      const { request, check } = permissionHandlers(appUrl)
      const answers: boolean[] = []
      request(null, permission, (granted) => answers.push(granted), { requestingUrl: appUrl })
      expect(answers).toEqual([false])
      expect(check(null, permission, 'file://', { requestingUrl: appUrl })).toBe(false)
    },
  )

  it('lets the app page, and nothing else, write to the clipboard', () => {
    const { request, check } = permissionHandlers(appUrl)
    const answers: boolean[] = []
    request(null, 'clipboard-sanitized-write', (granted) => answers.push(granted), { requestingUrl: `${appUrl}#mount=a` })
    request(null, 'clipboard-sanitized-write', (granted) => answers.push(granted), { requestingUrl: 'https://example.com/' })
    request(null, 'clipboard-sanitized-write', (granted) => answers.push(granted))
    expect(answers).toEqual([true, false, false])
    expect(check(null, 'clipboard-sanitized-write', '', { requestingUrl: appUrl })).toBe(true)
  })
})
