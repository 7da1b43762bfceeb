/** Byte counts as people read them, in the CLI and the window alike. */

const units = ['B', 'kB', 'MB', 'GB', 'TB']

/** Bytes for people: `0 B`, `980 B`, `12.3 kB`, `123 kB`, `1.2 MB` (powers of 1000, as rclone and file managers count). */
export function formatBytes(bytes: number): string {
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit += 1
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value < 100 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`
}
