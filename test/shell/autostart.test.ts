/** The XDG autostart entry, written into a real temp XDG_CONFIG_HOME: content, quoting, removal, idempotence. */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  autostartMethod,
  autostartPath,
  desktopEntry,
  disableAutostart,
  enableAutostart,
  execLine,
  isAutostartEnabled,
  launchCommand,
  quoteExecArgument,
} from '../../electron/app/autostart.js'
import { configHome } from '../../electron/engine/index.js'

const run = promisify(execFile)

/**
 * Undoes Exec quoting the way the Desktop Entry spec describes (string escapes first, then the
 * quoting rule), so a round trip proves the file says what we meant.
 */
function parseExec(value: string): string[] {
  const unescaped = value.replace(/\\(.)/g, (_, c: string) => ({ s: ' ', n: '\n', t: '\t', r: '\r' })[c] ?? c)
  const args: string[] = []
  let i = 0
  while (i < unescaped.length) {
    if (unescaped[i] === ' ') {
      i++
      continue
    }
    let arg = ''
    if (unescaped[i] === '"') {
      i++
      while (unescaped[i] !== '"') {
        if (i >= unescaped.length) throw new Error(`unterminated quote in ${value}`)
        if (unescaped[i] === '\\') i++
        arg += unescaped[i++]
      }
      i++
    } else {
      while (i < unescaped.length && unescaped[i] !== ' ') arg += unescaped[i++]
    }
    args.push(arg.replace(/%%/g, '%'))
  }
  return args
}

function entryField(text: string, key: string): string | undefined {
  return text
    .split('\n')
    .find((line) => line.startsWith(`${key}=`))
    ?.slice(key.length + 1)
}

describe('desktopEntry and Exec quoting', () => {
  it.each([
    ['/usr/bin/rmount', '/usr/bin/rmount'],
    ['--hidden', '--hidden'],
    ['/opt/My Apps/RMount/rmount', '"/opt/My Apps/RMount/rmount"'],
    ['/opt/a"b', '"/opt/a\\"b"'],
    ['/opt/$HOME/x', '"/opt/\\$HOME/x"'],
    ['/opt/back`tick', '"/opt/back\\`tick"'],
    ['/opt/back\\slash', '"/opt/back\\\\slash"'],
    ['/opt/100%', '/opt/100%%'],
    ['/opt/100% sure', '"/opt/100%% sure"'],
    ["/opt/it's", '"/opt/it\'s"'],
    ['', '""'],
  ])('quotes %j as %s', (arg, quoted) => {
    expect(quoteExecArgument(arg)).toBe(quoted)
  })

  it('refuses a control character, which an Exec value cannot hold', () => {
    expect(() => quoteExecArgument('/opt/a\nb')).toThrow(/control character/)
  })

  it('writes backslashes twice again for the string escapes: a literal \\ in a quoted argument is four in the file', () => {
    expect(execLine({ execPath: '/opt/a b\\c', args: [] })).toBe('"/opt/a b\\\\\\\\c"')
    expect(execLine({ execPath: '/opt/$x', args: [] })).toBe('"/opt/\\\\$x"')
  })

  it.each([
    ['/usr/bin/rmount', ['--hidden']],
    ['/home/me/My Apps/RMount.AppImage', ['--hidden']],
    ['/opt/weird "name" $HOME `x` \\ 100%/rmount', ['--hidden']],
    ['/usr/lib/electron/electron', ['/home/me/src/r mount', '--hidden']],
  ])('round-trips %j %j through the file', (execPath, args) => {
    const text = desktopEntry(execPath, args)
    expect(parseExec(entryField(text, 'Exec')!)).toEqual([execPath, ...args])
  })

  it('is a valid application entry', () => {
    const text = desktopEntry('/opt/My Apps/rmount', ['--hidden'])
    expect(text.split('\n')[0]).toBe('[Desktop Entry]')
    expect(entryField(text, 'Type')).toBe('Application')
    expect(entryField(text, 'Name')).toBe('RMount')
    expect(entryField(text, 'Exec')).toBe('"/opt/My Apps/rmount" --hidden')
    expect(entryField(text, 'Terminal')).toBe('false')
    expect(text.endsWith('\n')).toBe(true)
  })
})

describe('launchCommand, configHome and autostartMethod', () => {
  it('names the AppImage file, not the squashfs it runs from', () => {
    expect(
      launchCommand({
        execPath: '/tmp/.mount_RMoabc/rmount',
        isPackaged: true,
        appPath: '/tmp/.mount_RMoabc/resources/app.asar',
        env: { APPIMAGE: '/home/me/Apps/RMount.AppImage' },
      }),
    ).toEqual({ execPath: '/home/me/Apps/RMount.AppImage', args: ['--hidden'] })
  })

  it('runs a packaged app by its executable', () => {
    expect(launchCommand({ execPath: '/opt/RMount/rmount', isPackaged: true, appPath: '/opt/RMount/resources/app.asar', env: {} })).toEqual(
      {
        execPath: '/opt/RMount/rmount',
        args: ['--hidden'],
      },
    )
  })

  it('gives Electron the app folder when unpackaged', () => {
    expect(
      launchCommand({ execPath: '/work/node_modules/electron/dist/electron', isPackaged: false, appPath: '/work/main', env: {} }),
    ).toEqual({
      execPath: '/work/node_modules/electron/dist/electron',
      args: ['/work/main', '--hidden'],
    })
  })

  it.each([
    [{ XDG_CONFIG_HOME: '/custom/config' }, '/custom/config'],
    [{ XDG_CONFIG_HOME: '' }, '/home/me/.config'],
    [{ XDG_CONFIG_HOME: 'relative/config' }, '/home/me/.config'],
    [{}, '/home/me/.config'],
  ])('config home for %j is %s', (env, expected) => {
    expect(configHome(env, '/home/me')).toBe(expected)
  })

  it.each([
    ['linux', 'xdg'],
    ['freebsd', 'xdg'],
    ['darwin', 'login-item'],
    ['win32', 'login-item'],
  ] as const)('%s starts at login through %s', (platform, method) => {
    expect(autostartMethod(platform)).toBe(method)
  })
})

describe('enable, disable, isAutostartEnabled in a temp XDG_CONFIG_HOME', () => {
  let home: string
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'rmount-xdg-'))
  })
  afterEach(async () => {
    await rm(home, { recursive: true, force: true })
  })

  const command = { execPath: '/opt/My Apps/RMount/rmount', args: ['--hidden'] }

  it('writes the entry where the session looks for it, and removes it', async () => {
    const path = join(home, 'autostart', 'rmount.desktop')
    expect(autostartPath(configHome({ XDG_CONFIG_HOME: home }, '/nowhere'))).toBe(path)
    expect(await isAutostartEnabled(home)).toBe(false)

    await enableAutostart(home, command)
    expect(await isAutostartEnabled(home)).toBe(true)
    const text = await readFile(path, 'utf8')
    expect(text).toBe(desktopEntry(command.execPath, command.args))
    expect(entryField(text, 'Exec')).toBe('"/opt/My Apps/RMount/rmount" --hidden')
    expect((await stat(path)).mode & 0o777).toBe(0o644)
    // No temp file left behind by the atomic write.
    expect(await readdir(join(home, 'autostart'))).toEqual(['rmount.desktop'])

    await disableAutostart(home)
    expect(await isAutostartEnabled(home)).toBe(false)
    expect(await readdir(join(home, 'autostart'))).toEqual([])
  })

  it('is idempotent both ways', async () => {
    await enableAutostart(home, command)
    await enableAutostart(home, command)
    expect(await readdir(join(home, 'autostart'))).toEqual(['rmount.desktop'])
    await disableAutostart(home)
    await disableAutostart(home)
    expect(await isAutostartEnabled(home)).toBe(false)
  })

  it('rewrites an entry whose command changed (the app moved)', async () => {
    await enableAutostart(home, command)
    await enableAutostart(home, { execPath: '/usr/bin/rmount', args: ['--hidden'] })
    expect(entryField(await readFile(autostartPath(home), 'utf8'), 'Exec')).toBe('/usr/bin/rmount --hidden')
  })

  it.each(['Hidden=true', 'X-GNOME-Autostart-enabled=false'])(
    'counts an entry switched off by the desktop (%s) as disabled',
    async (line) => {
      await enableAutostart(home, command)
      await writeFile(autostartPath(home), `${await readFile(autostartPath(home), 'utf8')}${line}\n`)
      expect(await isAutostartEnabled(home)).toBe(false)
    },
  )

  it('passes desktop-file-validate when it is installed', async (ctx) => {
    const found = await run('sh', ['-c', 'command -v desktop-file-validate']).catch(() => null)
    if (!found) {
      console.log('skipped: desktop-file-validate is not installed (package desktop-file-utils)')
      ctx.skip()
    }
    await enableAutostart(home, command)
    const { stdout, stderr } = await run('desktop-file-validate', [autostartPath(home)])
    expect(`${stdout}${stderr}`).toBe('')
  })
})
