/**
 * The GTK bookmarks file on disk: reads it and RMount's ledger, rewrites both atomically (a temporary file
 * in the same folder, renamed over the old one, with the old file's mode). The decisions are
 * gtk-bookmarks.ts's.
 */
import { mkdir, readFile, realpath, rm, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { writeAtomically } from '../engine/index.js'
import { updateBookmarks, type BookmarkEntry } from './gtk-bookmarks.js'

/** Where GTK 3 and 4 file managers read their sidebar bookmarks, under a config home. */
export function gtkBookmarksPath(configHomeDir: string): string {
  return join(configHomeDir, 'gtk-3.0', 'bookmarks')
}

/** Keeps the sidebar in step with the mounted folders; calls run one after another. */
export interface GtkBookmarks {
  /** Makes the bookmarks show exactly `wanted` among RMount's lines (none: RMount's lines are removed). */
  sync(wanted: readonly BookmarkEntry[]): Promise<void>
}

async function readOrEmpty(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

async function readLedger(path: string): Promise<string[]> {
  const text = await readOrEmpty(path)
  if (!text) return []
  try {
    const parsed: unknown = JSON.parse(text.toString('utf8'))
    return Array.isArray(parsed) ? parsed.filter((line): line is string => typeof line === 'string') : []
  } catch {
    // A torn ledger only means leftovers are not recognised; the person's lines are never at stake.
    return []
  }
}

/**
 * The bookmarks file at `file`, with RMount's lines listed in `ledgerFile`. A symlinked bookmarks file is
 * rewritten where it points, so the link stays.
 */
export function createGtkBookmarks(opts: { file: string; ledgerFile: string }): GtkBookmarks {
  let queue: Promise<void> = Promise.resolve()

  async function syncNow(wanted: readonly BookmarkEntry[]): Promise<void> {
    const ours = await readLedger(opts.ledgerFile)
    const file = await realpath(opts.file).catch(() => opts.file)
    const old = await readOrEmpty(file)
    if (old === null && wanted.length === 0) {
      if (ours.length) await rm(opts.ledgerFile, { force: true })
      return
    }
    const update = updateBookmarks(old ?? Buffer.alloc(0), ours, wanted)
    if (!update.changed && JSON.stringify(update.ours) === JSON.stringify(ours)) return
    await mkdir(dirname(opts.ledgerFile), { recursive: true })
    if (update.changed) {
      await mkdir(dirname(file), { recursive: true })
      // The ledger first, holding old and new lines: a crash between the two writes leaves it naming a line
      // the file may not hold, never the reverse (a line of ours nobody would recognise).
      await writeAtomically(opts.ledgerFile, JSON.stringify([...ours, ...update.ours]), 0o600)
      const mode = old === null ? 0o644 : (await stat(file)).mode & 0o7777
      await writeAtomically(file, update.text, mode)
    }
    await writeAtomically(opts.ledgerFile, JSON.stringify(update.ours), 0o600)
  }

  return {
    sync(wanted) {
      const next = queue.then(() => syncNow(wanted))
      queue = next.catch(() => undefined)
      return next
    },
  }
}
