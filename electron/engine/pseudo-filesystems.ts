/**
 * Folders the kernel makes up (/proc, /sys, cgroups, ...): nothing can be mounted there by a user, and
 * creating a folder under /proc can block instead of failing, which then looks like a hung mount.
 */
import { posix } from 'node:path'
import type { MountEntry } from './mountinfo.js'

const pseudoTypes: ReadonlySet<string> = new Set([
  'proc',
  'sysfs',
  'cgroup',
  'cgroup2',
  'debugfs',
  'tracefs',
  'securityfs',
  'pstore',
  'bpf',
  'configfs',
  'fusectl',
  'devpts',
  'mqueue',
  'efivarfs',
  'binfmt_misc',
  'nsfs',
])

/** The mount that holds `path` (the deepest mount point above it, the last one mounted there). */
export function mountHolding(entries: readonly MountEntry[], path: string): MountEntry | undefined {
  const target = posix.normalize(path)
  let best: MountEntry | undefined
  for (const entry of entries) {
    const point = entry.mountPoint
    const inside = point === '/' || target === point || target.startsWith(point.endsWith('/') ? point : `${point}/`)
    if (inside && (!best || point.length >= best.mountPoint.length)) best = entry
  }
  return best
}

/** The pseudo file system `path` lies in, or undefined when it lies on a real one. */
export function pseudoFileSystemAt(entries: readonly MountEntry[], path: string): MountEntry | undefined {
  const holder = mountHolding(entries, path)
  return holder && pseudoTypes.has(holder.fsType) ? holder : undefined
}
