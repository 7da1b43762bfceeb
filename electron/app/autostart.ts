/**
 * Start on login. Electron's app.setLoginItemSettings does nothing on Linux, so there RMount writes an
 * XDG autostart entry (`$XDG_CONFIG_HOME/autostart/rmount.desktop`); macOS and Windows keep Electron's
 * login items. Everything here but the three file functions is pure.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { isAbsolute, join } from 'node:path'

/** The flag the app starts with at login: tray only, no window. */
export const hiddenFlag = '--hidden'

/** The command that starts the app: an executable and its arguments. */
export interface LaunchCommand {
  execPath: string
  args: string[]
}

/** How the shell starts the app at login on a platform. */
export function autostartMethod(platform: NodeJS.Platform): 'xdg' | 'login-item' {
  return platform === 'darwin' || platform === 'win32' ? 'login-item' : 'xdg'
}

/**
 * The command that starts this app again at login, hidden.
 *
 * - An AppImage runs from a squashfs mounted at a new /tmp path at each start: the entry must name the
 *   .AppImage file itself, which the AppImage runtime gives in `$APPIMAGE`.
 * - Unpackaged (`electron .`), the executable is Electron itself and needs the app's folder.
 */
export function launchCommand(opts: { execPath: string; isPackaged: boolean; appPath: string; env: NodeJS.ProcessEnv }): LaunchCommand {
  const appImage = opts.env.APPIMAGE
  if (appImage && isAbsolute(appImage)) return { execPath: appImage, args: [hiddenFlag] }
  if (!opts.isPackaged) return { execPath: opts.execPath, args: [opts.appPath, hiddenFlag] }
  return { execPath: opts.execPath, args: [hiddenFlag] }
}

/** Where the autostart entry lives under a config home. */
export function autostartPath(configHomeDir: string): string {
  return join(configHomeDir, 'autostart', 'rmount.desktop')
}

// Desktop Entry spec, "The Exec key": an argument holding any of these must be quoted.
const reservedInArgument = /[\s"'\\><~|&;$*?#()`]/
// Inside double quotes, these four must be escaped with a backslash.
const escapedInQuotes = /["`$\\]/g

/** One argument of an Exec line, quoted when it must be. */
export function quoteExecArgument(arg: string): string {
  // A newline or other control character cannot be written in an Exec value at all.
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(arg)) throw new Error(`A launch argument holds a control character: ${JSON.stringify(arg)}`)
  // '%' starts a field code (%f, %u, ...); a literal one is written '%%', quoted or not.
  const literal = arg.replace(/%/g, '%%')
  if (arg !== '' && !reservedInArgument.test(arg)) return literal
  return `"${literal.replace(escapedInQuotes, (c) => `\\${c}`)}"`
}

/**
 * The Exec value as written in the file. The quoting rule above runs on the value after the general
 * string escapes are undone, so every backslash is written twice again: a literal `\` in a quoted
 * argument becomes `\\\\` in the file, and `$` becomes `\\$`, as the spec spells out.
 */
export function execLine(command: LaunchCommand): string {
  return [command.execPath, ...command.args].map(quoteExecArgument).join(' ').replace(/\\/g, '\\\\')
}

/** The whole `rmount.desktop` file for a launch command. */
export function desktopEntry(execPath: string, args: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    // 1.4, not 1.5: desktop-file-validate 0.26 (Debian 12) rejects 1.5, and nothing here needs 1.5.
    'Version=1.4',
    'Name=RMount',
    'Comment=Keeps remote storage mounted as local folders',
    `Exec=${execLine({ execPath, args: [...args] })}`,
    'Icon=rmount',
    'Terminal=false',
    'Categories=Utility;',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n')
}

/** Writes the autostart entry (atomically: a session starting meanwhile never reads half a file). */
export async function enableAutostart(configHomeDir: string, command: LaunchCommand): Promise<void> {
  const path = autostartPath(configHomeDir)
  await mkdir(join(configHomeDir, 'autostart'), { recursive: true })
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`
  await writeFile(temp, desktopEntry(command.execPath, command.args), { mode: 0o644 })
  await rename(temp, path)
}

/** Removes the autostart entry; nothing to do when there is none. */
export async function disableAutostart(configHomeDir: string): Promise<void> {
  await rm(autostartPath(configHomeDir), { force: true })
}

/**
 * Whether the session will start RMount at login: our entry exists and was not switched off by the
 * desktop's own startup settings (which write `Hidden=true` or `X-GNOME-Autostart-enabled=false`).
 */
export async function isAutostartEnabled(configHomeDir: string): Promise<boolean> {
  let text: string
  try {
    text = await readFile(autostartPath(configHomeDir), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw error
  }
  return !/^(Hidden=true|X-GNOME-Autostart-enabled=false)\s*$/m.test(text)
}

/** Start on login, whichever way the platform does it. */
export interface AutostartPort {
  isEnabled(): Promise<boolean>
  setEnabled(enabled: boolean): Promise<void>
}

/** Start on login through the XDG autostart entry (Linux and other freedesktop systems). */
export function xdgAutostart(configHomeDir: string, command: LaunchCommand): AutostartPort {
  return {
    isEnabled: () => isAutostartEnabled(configHomeDir),
    setEnabled: (enabled) => (enabled ? enableAutostart(configHomeDir, command) : disableAutostart(configHomeDir)),
  }
}

/**
 * What to do at start-up, given the setting and what the OS will really do at the next login.
 * - both on: write the entry again, so it follows an app that moved (a new AppImage, another folder);
 * - they differ: the user changed it outside RMount (the desktop's startup settings): the setting follows the OS;
 * - both off: nothing.
 */
export function autostartAtStart(setting: boolean, osEnabled: boolean): 'refresh' | 'adopt-os' | 'none' {
  if (setting && osEnabled) return 'refresh'
  return setting === osEnabled ? 'none' : 'adopt-os'
}
