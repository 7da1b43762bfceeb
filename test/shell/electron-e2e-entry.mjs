// Test-only entry for test/shell/electron-e2e.test.ts, run as `electron test/shell/electron-e2e-entry.mjs`: Electron
// cannot read a tray's menu back, so this records the last menu the app gives its tray, then starts the built app as
// `electron .` would. The app itself carries no hook for tests.
// eslint-disable-next-line no-restricted-imports -- a test entry standing in for electron/main's own, run only by the Electron e2e test
import { Tray } from 'electron'

const setContextMenu = Tray.prototype.setContextMenu
Tray.prototype.setContextMenu = function (menu) {
  globalThis.rmountTrayMenu = menu
  return setContextMenu.call(this, menu)
}
await import('../../dist/electron-main/main.js')
