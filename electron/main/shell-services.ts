/** What the app core asks of the desktop: file dialogs, opening a folder, and login items on macOS and Windows. */
import { join } from 'node:path'
import { app, dialog, shell, type BrowserWindow, type OpenDialogOptions, type SaveDialogOptions } from 'electron'
import { RmountError } from '../../shared/errors.js'
import { hiddenFlag, type AutostartPort } from '../app/autostart.js'
import type { ShellServices } from '../app/contracts.js'

/** Dialogs attach to the app window when one is open, so they stay on top of it. */
export function createShellServices(parent: () => BrowserWindow | null): ShellServices {
  const open = async (options: OpenDialogOptions) => {
    const window = parent()
    const result = await (window ? dialog.showOpenDialog(window, options) : dialog.showOpenDialog(options))
    return result.canceled ? null : (result.filePaths[0] ?? null)
  }
  const save = async (options: SaveDialogOptions) => {
    const window = parent()
    const result = await (window ? dialog.showSaveDialog(window, options) : dialog.showSaveDialog(options))
    return result.canceled ? null : (result.filePath ?? null)
  }
  return {
    pickFolder: (title) => open({ title, properties: ['openDirectory', 'createDirectory'] }),
    pickFile: (title) => open({ title, properties: ['openFile', 'showHiddenFiles'] }),
    pickSavePath: (defaultName) => save({ defaultPath: join(app.getPath('documents'), defaultName) }),
    async openPath(path) {
      // shell.openPath resolves with an error message, or '' when the file manager took the folder.
      const error = await shell.openPath(path)
      if (error) throw new RmountError('MOUNTPOINT_INVALID', `${path} could not be opened (${error}): open it from your file manager.`)
    },
  }
}

/** Start on login through the OS's login items (macOS, Windows); Linux uses autostart.ts's XDG entry instead. */
export function loginItemAutostart(): AutostartPort {
  return {
    isEnabled: async () => app.getLoginItemSettings({ args: [hiddenFlag] }).openAtLogin,
    setEnabled: async (enabled) => app.setLoginItemSettings({ openAtLogin: enabled, args: [hiddenFlag] }),
  }
}
