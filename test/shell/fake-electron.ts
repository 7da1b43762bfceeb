/**
 * A stand-in for the parts of the `electron` module the shell files use, recording what they are
 * asked to do. Only for test/shell/main-wiring.test.ts, which cannot run the real Electron here: it
 * checks the wiring of electron/main (which handler goes where), never Electron's own behaviour.
 */
import { EventEmitter } from 'node:events'

type Listener = (...args: unknown[]) => unknown

/** An EventEmitter that also remembers the listeners, so a test can call them as Electron would. */
class Recorder extends EventEmitter {
  listenersOf(event: string): Listener[] {
    return this.listeners(event) as Listener[]
  }
}

/** A preventable event as Electron passes it. */
export function electronEvent(): { defaultPrevented: boolean; preventDefault(): void } {
  return {
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true
    },
  }
}

export function createFakeElectron(userData: string) {
  const calls: string[] = []
  let markReady: () => void = () => undefined
  const ready = { promise: new Promise<void>((resolve) => (markReady = resolve)), resolve: () => markReady() }

  const app = Object.assign(new Recorder(), {
    isPackaged: false,
    requestSingleInstanceLock: () => true,
    whenReady: () => ready.promise,
    getPath: (name: string) => (name === 'userData' ? userData : `/tmp/fake-${name}`),
    getVersion: () => '0.1.0-test',
    getAppPath: () => '/work/app',
    quit: () => calls.push('app.quit'),
    exit: (code: number) => calls.push(`app.exit ${code}`),
    getLoginItemSettings: () => ({ openAtLogin: false }),
    setLoginItemSettings: (settings: unknown) => calls.push(`setLoginItemSettings ${JSON.stringify(settings)}`),
  })

  class WebContents extends Recorder {
    url = ''
    sent: Array<[string, unknown]> = []
    windowOpenHandler: Listener | null = null
    setWindowOpenHandler(handler: Listener) {
      this.windowOpenHandler = handler
    }
    getURL() {
      return this.url
    }
    loadURL(url: string) {
      this.url = url
      return Promise.resolve()
    }
    send(channel: string, payload: unknown) {
      this.sent.push([channel, payload])
    }
  }

  class BrowserWindow extends Recorder {
    static all: BrowserWindow[] = []
    static getAllWindows() {
      return BrowserWindow.all.filter((w) => !w.destroyed)
    }
    webContents = new WebContents()
    visible = false
    destroyed = false
    loaded: { file: string; options: unknown } | null = null
    constructor(readonly options: Record<string, unknown>) {
      super()
      BrowserWindow.all.push(this)
    }
    loadFile(file: string, options: { hash?: string } = {}) {
      this.loaded = { file, options }
      this.webContents.url = `file://${file}${options.hash ? `#${options.hash}` : ''}`
      return Promise.resolve()
    }
    show() {
      this.visible = true
    }
    hide() {
      this.visible = false
    }
    focus() {}
    restore() {}
    isMinimized() {
      return false
    }
    isDestroyed() {
      return this.destroyed
    }
    /** What Electron does on a close request: 'close' listeners may prevent it. */
    close() {
      const event = electronEvent()
      this.emit('close', event)
      if (event.defaultPrevented) return
      this.destroyed = true
      this.emit('closed')
    }
  }

  class Tray extends Recorder {
    static all: Tray[] = []
    image = ''
    tooltip = ''
    menu: unknown = null
    constructor(image: string) {
      super()
      this.image = image
      Tray.all.push(this)
    }
    setImage(image: string) {
      this.image = image
    }
    setToolTip(tooltip: string) {
      this.tooltip = tooltip
    }
    setContextMenu(menu: unknown) {
      this.menu = menu
    }
    destroy() {}
  }

  class Notification extends Recorder {
    static shown: Notification[] = []
    static isSupported() {
      return true
    }
    constructor(readonly options: { title: string; body: string }) {
      super()
    }
    show() {
      Notification.shown.push(this)
    }
  }

  const handlers = new Map<string, Listener>()
  const ipcMain = {
    handle: (channel: string, handler: Listener) => handlers.set(channel, handler),
    removeHandler: (channel: string) => handlers.delete(channel),
  }

  const session = {
    defaultSession: {
      permissionRequestHandler: null as Listener | null,
      permissionCheckHandler: null as Listener | null,
      headersListener: null as Listener | null,
      setPermissionRequestHandler(handler: Listener) {
        this.permissionRequestHandler = handler
      },
      setPermissionCheckHandler(handler: Listener) {
        this.permissionCheckHandler = handler
      },
      webRequest: {
        onHeadersReceived: (listener: Listener) => {
          session.defaultSession.headersListener = listener
        },
      },
    },
  }

  // No keyring, as on this machine: secrets would only be obfuscated.
  const safeStorage = {
    isAsyncEncryptionAvailable: async () => true,
    getSelectedStorageBackend: () => 'basic_text',
    encryptStringAsync: async (plain: string) => Buffer.from(plain, 'utf8').reverse(),
    decryptStringAsync: async (data: Buffer) => ({ result: Buffer.from(data).reverse().toString('utf8'), shouldReEncrypt: false }),
  }

  const Menu = {
    application: null as { template: unknown } | null,
    buildFromTemplate: (template: unknown) => ({ template }),
    setApplicationMenu(menu: { template: unknown } | null) {
      Menu.application = menu
    },
  }

  const module = {
    app,
    BrowserWindow,
    Tray,
    Notification,
    Menu,
    ipcMain,
    session,
    safeStorage,
    powerMonitor: new Recorder(),
    dialog: {
      showOpenDialog: async () => ({ canceled: true, filePaths: [] }),
      showSaveDialog: async () => ({ canceled: true }),
    },
    shell: { openPath: async (path: string) => (calls.push(`openPath ${path}`), '') },
  }
  return { module, calls, ready, handlers, BrowserWindow, Tray, Notification, Menu, session }
}

let installed: ReturnType<typeof createFakeElectron> | null = null

/** Makes the fake the one `vi.mock('electron', ...)` hands out; call before the shell is imported. */
export function installFakeElectron(userData: string): ReturnType<typeof createFakeElectron> {
  installed = createFakeElectron(userData)
  return installed
}

/** The installed fake's module, for the vi.mock factory. */
export function fakeElectronModule(): ReturnType<typeof createFakeElectron>['module'] {
  if (!installed) throw new Error('installFakeElectron() first')
  return installed.module
}
