/** The kernel's mount table, read from /proc/self/mountinfo: a read that never blocks on a hung mount. */
import { readFile } from 'node:fs/promises'

export interface MountEntry {
  mountPoint: string
  fsType: string
  source: string
}

/** Undoes the kernel's octal escapes (`\040` for a space) in mountinfo fields. */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)))
}

export function parseMountinfo(text: string): MountEntry[] {
  const entries: MountEntry[] = []
  for (const line of text.split('\n')) {
    if (!line) continue
    const fields = line.split(' ')
    const separator = fields.indexOf('-', 6)
    const mountPoint = fields[4]
    const fsType = fields[separator + 1]
    const source = fields[separator + 2]
    if (separator < 0 || mountPoint === undefined || fsType === undefined || source === undefined) continue
    entries.push({ mountPoint: unescape(mountPoint), fsType, source: unescape(source) })
  }
  return entries
}

/** The entry mounted last at `path` (later mounts hide earlier ones), if any. */
export function findMount(entries: readonly MountEntry[], path: string): MountEntry | undefined {
  for (let i = entries.length - 1; i >= 0; i--) if (entries[i]!.mountPoint === path) return entries[i]
  return undefined
}

const maxAgeMs = 20
let cached: { at: number; entries: Promise<MountEntry[]> } | null = null

/**
 * Reads the mount table. Reads within a few milliseconds share one result, so fifty supervisors
 * ticking together cost one read.
 */
export function readMountTable(): Promise<MountEntry[]> {
  const now = performance.now()
  if (cached && now - cached.at < maxAgeMs) return cached.entries
  const entries = readFile('/proc/self/mountinfo', 'utf8').then(parseMountinfo)
  cached = { at: now, entries }
  return entries
}
