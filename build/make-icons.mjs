#!/usr/bin/env node
/**
 * Draws RMount's icons into build/icons/: the four tray states at 16 px (`tray-<state>.png`) and 32 px
 * (`tray-<state>@2x.png`, which Electron's nativeImage picks on HiDPI screens by that name), and the
 * 512 px app icon (`icon.png`, from which electron-builder derives every other size).
 *
 * Plain Node (zlib for the PNG data, nothing to install), so anyone can change a colour and run
 * `node build/make-icons.mjs` again. Each state differs in shape as well as colour, so the tray reads
 * the same to colour-blind eyes: ok a filled disk, warning a triangle, error a disk with a bar, idle a ring.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deflateSync } from 'node:zlib'

const outDir = join(dirname(fileURLToPath(import.meta.url)), 'icons')

// --- PNG writer: 8-bit RGBA, no interlace, filter 0 on every row ----------------------------------

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(bytes) {
  let c = 0xffffffff
  for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type, data) {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

/** A PNG file of `size`×`size` RGBA pixels (`rgba` holds size*size*4 bytes, rows top to bottom). */
function png(size, rgba) {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(size, 0)
  header.writeUInt32BE(size, 4)
  header[8] = 8 // bit depth
  header[9] = 6 // colour type: RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1))
  for (let y = 0; y < size; y++) {
    rows[y * (size * 4 + 1)] = 0 // filter: none
    rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4)
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

// --- Shapes as signed distance functions on the unit square (negative inside) ----------------------

const disk = (cx, cy, r) => (x, y) => Math.hypot(x - cx, y - cy) - r
const ring = (cx, cy, r, width) => (x, y) => Math.abs(Math.hypot(x - cx, y - cy) - r) - width / 2
const box =
  (cx, cy, hw, hh, radius = 0) =>
  (x, y) => {
    const dx = Math.abs(x - cx) - hw + radius
    const dy = Math.abs(y - cy) - hh + radius
    return Math.hypot(Math.max(dx, 0), Math.max(dy, 0)) + Math.min(Math.max(dx, dy), 0) - radius
  }
/** A triangle through three points given clockwise on screen: the largest distance to its edges' lines. */
const triangle = (points) => (x, y) =>
  Math.max(
    ...points.map(([ax, ay], i) => {
      const [bx, by] = points[(i + 1) % points.length]
      const length = Math.hypot(bx - ax, by - ay)
      // Negative on the inner side of edge a→b: with y growing downwards, the inside of a clockwise triangle.
      return ((x - ax) * (by - ay) - (y - ay) * (bx - ax)) / length
    }),
  )

/**
 * Paints layers (each a shape and an RGBA colour, the later on top) into a size×size image, with 4×4
 * supersampling per pixel for smooth edges.
 */
function paint(size, layers) {
  const rgba = Buffer.alloc(size * size * 4)
  const samples = 4
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let [r, g, b, a] = [0, 0, 0, 0]
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = (px + (sx + 0.5) / samples) / size
          const y = (py + (sy + 0.5) / samples) / size
          // Composite the layers for this sample ("over"), in premultiplied colour.
          let [sr, sg, sb, sa] = [0, 0, 0, 0]
          for (const [shape, [lr, lg, lb, la]] of layers) {
            if (shape(x, y) > 0) continue
            const alpha = la / 255
            sr = lr * alpha + sr * (1 - alpha)
            sg = lg * alpha + sg * (1 - alpha)
            sb = lb * alpha + sb * (1 - alpha)
            sa = alpha + sa * (1 - alpha)
          }
          r += sr
          g += sg
          b += sb
          a += sa
        }
      }
      const n = samples * samples
      const i = (py * size + px) * 4
      const alpha = a / n
      rgba[i] = alpha ? Math.round(r / n / alpha) : 0
      rgba[i + 1] = alpha ? Math.round(g / n / alpha) : 0
      rgba[i + 2] = alpha ? Math.round(b / n / alpha) : 0
      rgba[i + 3] = Math.round(alpha * 255)
    }
  }
  return rgba
}

const white = [255, 255, 255, 255]
const colours = {
  ok: [46, 158, 79, 255],
  warning: [224, 160, 0, 255],
  error: [217, 48, 37, 255],
  idle: [138, 143, 152, 255],
}

/** The tray icon of each state, as layers. */
const trayLayers = {
  ok: [[disk(0.5, 0.5, 0.4), colours.ok]],
  warning: [
    [
      triangle([
        [0.5, 0.06],
        [0.96, 0.9],
        [0.04, 0.9],
      ]),
      colours.warning,
    ],
    [box(0.5, 0.52, 0.06, 0.16, 0.03), white],
    [disk(0.5, 0.79, 0.06), white],
  ],
  error: [
    [disk(0.5, 0.5, 0.42), colours.error],
    [box(0.5, 0.5, 0.24, 0.07, 0.03), white],
  ],
  idle: [[ring(0.5, 0.5, 0.33, 0.13), colours.idle]],
}

/** The app icon: a blue rounded square with a white mount (a ring around a dot: a drive, a folder's origin). */
const appLayers = [
  [box(0.5, 0.5, 0.44, 0.44, 0.1), [37, 99, 235, 255]],
  [ring(0.5, 0.5, 0.24, 0.07), white],
  [disk(0.5, 0.5, 0.08), white],
]

mkdirSync(outDir, { recursive: true })
const written = []
const write = (name, size, layers) => {
  writeFileSync(join(outDir, name), png(size, paint(size, layers)))
  written.push(`${name} (${size} px)`)
}
for (const [state, layers] of Object.entries(trayLayers)) {
  write(`tray-${state}.png`, 16, layers)
  write(`tray-${state}@2x.png`, 32, layers)
}
write('icon.png', 512, appLayers)
console.log(`build/icons: ${written.join(', ')}`)
