/**
 * What the package is made of: the app layout the shell computes, the icons (real PNGs of the right
 * sizes, one per tray state), and the electron-builder configuration (valid against electron-builder's
 * own schema, shipping rclone where the engine looks for it).
 */
import { readFileSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { inflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { appLayout, trayIconPath } from '../../electron/app/app-paths.js'
import type { TrayIcon } from '../../electron/app/tray-menu.js'

const require = createRequire(import.meta.url)
// Both come with electron-builder, which is what reads this configuration.
const { load } = require('js-yaml') as { load(text: string): unknown }
const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '')

describe('appLayout', () => {
  it('finds preload, page and icons beside the main bundle in a checkout', () => {
    const layout = appLayout({ mainDir: '/work/app/dist/electron-main', isPackaged: false, resourcesPath: '/unused' })
    expect(layout).toEqual({
      preload: '/work/app/dist/preload/preload.cjs',
      rendererIndex: '/work/app/dist/renderer/index.html',
      appUrl: 'file:///work/app/dist/renderer/index.html',
      iconsDir: '/work/app/build/icons',
      appIcon: '/work/app/build/icons/icon.png',
    })
    expect(trayIconPath(layout, 'warning')).toBe('/work/app/build/icons/tray-warning.png')
  })

  it('takes the icons from the resources folder of a package, and the rest from app.asar', () => {
    const layout = appLayout({
      mainDir: '/opt/RMount/resources/app.asar/dist/electron-main',
      isPackaged: true,
      resourcesPath: '/opt/RMount/resources',
    })
    expect(layout.preload).toBe('/opt/RMount/resources/app.asar/dist/preload/preload.cjs')
    expect(layout.iconsDir).toBe('/opt/RMount/resources/icons')
  })

  it('gives a page URL with the path escaped', () => {
    expect(appLayout({ mainDir: '/home/me/my apps/dist/electron-main', isPackaged: false, resourcesPath: '' }).appUrl).toBe(
      'file:///home/me/my%20apps/dist/renderer/index.html',
    )
  })
})

/** Width, height, colour type and the decoded pixel rows of a PNG; throws on a bad signature or CRC. */
function readPng(path: string): { width: number; height: number; colourType: number; pixels: Buffer } {
  const bytes = readFileSync(path)
  expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a')
  let offset = 8
  let header: Buffer | null = null
  const data: Buffer[] = []
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset)
    const type = bytes.toString('ascii', offset + 4, offset + 8)
    const body = bytes.subarray(offset + 8, offset + 8 + length)
    const crc = bytes.readUInt32BE(offset + 8 + length)
    expect(crc, `${path} ${type} CRC`).toBe(crc32(bytes.subarray(offset + 4, offset + 8 + length)))
    if (type === 'IHDR') header = body
    if (type === 'IDAT') data.push(body)
    offset += 12 + length
  }
  return {
    width: header!.readUInt32BE(0),
    height: header!.readUInt32BE(4),
    colourType: header![9]!,
    pixels: inflateSync(Buffer.concat(data)),
  }
}

function crc32(bytes: Buffer): number {
  let c = 0xffffffff
  for (const byte of bytes) {
    c ^= byte
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  }
  return (c ^ 0xffffffff) >>> 0
}

describe('build/icons', () => {
  const icons: TrayIcon[] = ['ok', 'warning', 'error', 'idle']

  it.each(icons.flatMap((icon) => [[`tray-${icon}.png`, 16] as const, [`tray-${icon}@2x.png`, 32] as const]))(
    '%s is a %d px RGBA PNG with something drawn',
    (name, size) => {
      const png = readPng(`${root}/build/icons/${name}`)
      expect({ width: png.width, height: png.height, colourType: png.colourType }).toEqual({ width: size, height: size, colourType: 6 })
      // Some pixels opaque, some transparent: an icon, not a blank or a filled square.
      const alphas = [...Array(size * size).keys()].map((i) => png.pixels[Math.floor(i / size) * (size * 4 + 1) + 1 + (i % size) * 4 + 3]!)
      expect(alphas.some((a) => a === 255)).toBe(true)
      expect(alphas.some((a) => a === 0)).toBe(true)
    },
  )

  it('has the 512 px app icon', () => {
    expect(readPng(`${root}/build/icons/icon.png`)).toMatchObject({ width: 512, height: 512, colourType: 6 })
  })

  it('the four states look different', () => {
    const pixels = icons.map((icon) => readPng(`${root}/build/icons/tray-${icon}.png`).pixels.toString('hex'))
    expect(new Set(pixels).size).toBe(4)
  })

  it('holds nothing but what make-icons.mjs draws', () => {
    expect(readdirSync(`${root}/build/icons`).sort()).toEqual(
      ['icon.png', ...icons.flatMap((i) => [`tray-${i}.png`, `tray-${i}@2x.png`])].sort(),
    )
  })
})

describe('build/electron-builder.yml', () => {
  const config = load(readFileSync(`${root}/build/electron-builder.yml`, 'utf8')) as Record<string, unknown> & {
    extraResources: Array<{ from: string; to: string }>
    linux: { target: string[]; category: string }
    files: string[]
    electronFuses: Record<string, boolean>
  }

  it("is valid against electron-builder's own schema", () => {
    const Ajv = require('ajv') as new (options: object) => { compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown } }
    const validate = new Ajv({ allErrors: true, strict: false }).compile(require('app-builder-lib/scheme.json') as object)
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true)
  })

  it('builds RMount as an AppImage and a deb in the Utility category', () => {
    expect(config).toMatchObject({ productName: 'RMount', appId: expect.stringMatching(/^[a-z]+(\.[a-z-]+)+$/) })
    expect(config.linux).toMatchObject({ target: ['AppImage', 'deb'], category: 'Utility' })
  })

  it('ships the vendored rclone where the engine looks for it, and the built app', () => {
    expect(config.extraResources).toContainEqual(expect.objectContaining({ from: 'vendor/bin', to: 'rclone' }))
    // electron/engine/rclone-binary.ts: process.resourcesPath/rclone/rclone comes first.
    expect(readFileSync(`${root}/electron/engine/rclone-binary.ts`, 'utf8')).toContain("join(resourcesPath, 'rclone', exe)")
    expect(config.files).toContain('dist/**')
  })

  it('keeps run-as-node on: the fs-probe helper runs the app binary as Node', () => {
    expect(config.electronFuses.runAsNode).toBe(true)
    expect(readFileSync(`${root}/electron/engine/fs-probe.ts`, 'utf8')).toContain("ELECTRON_RUN_AS_NODE: '1'")
  })
})
