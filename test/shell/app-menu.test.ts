// The application menu: a packaged build has no DevTools and no Reload; a development build keeps them.
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { appMenuTemplate, developerRoles, type AppMenuItem } from '../../electron/app/app-menu.js'

const roles = (items: AppMenuItem[]): string[] => items.flatMap((item) => [...(item.role ? [item.role] : []), ...roles(item.submenu ?? [])])

describe('appMenuTemplate', () => {
  it('leaves DevTools and every reload out of a packaged build, on every platform', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      const packaged = roles(appMenuTemplate({ isPackaged: true, platform }))
      for (const role of developerRoles) expect(packaged).not.toContain(role)
      // Still a menu: copy and paste work in the editors.
      expect(packaged).toContain('editMenu')
    }
  })

  it('keeps them in development, and gives macOS its app menu', () => {
    expect(roles(appMenuTemplate({ isPackaged: false, platform: 'linux' }))).toEqual(expect.arrayContaining([...developerRoles]))
    expect(roles(appMenuTemplate({ isPackaged: true, platform: 'darwin' }))[0]).toBe('appMenu')
    expect(roles(appMenuTemplate({ isPackaged: true, platform: 'linux' }))).not.toContain('appMenu')
  })
})

describe('production main-process code', () => {
  it('has no test hook: nothing put on globalThis, no switch on a test or e2e variable', () => {
    const root = join(import.meta.dirname, '..', '..', 'electron')
    for (const dir of ['main', 'app']) {
      for (const name of readdirSync(join(root, dir), { recursive: true }) as string[]) {
        if (!name.endsWith('.ts')) continue
        const text = readFileSync(join(root, dir, name), 'utf8')
        expect(text, `${dir}/${name}`).not.toMatch(
          /Object\.assign\(globalThis|globalThis\.\w+\s*=|process\.env\.\w*(E2E|TEST|PLAYWRIGHT|VITEST)\w*/,
        )
      }
    }
  })
})
