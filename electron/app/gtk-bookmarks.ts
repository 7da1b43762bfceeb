/**
 * The GTK file managers' sidebar (Nautilus, Nemo, Thunar, Caja read `$XDG_CONFIG_HOME/gtk-3.0/bookmarks`):
 * the new file text from the old one and the mounts that are mounted. Pure, over bytes: the person's own
 * lines are kept byte for byte (CRLF, no final newline, duplicates, text that is not UTF-8).
 *
 * The bookmark format has no comment syntax, so RMount's lines cannot carry a tag inside the file; the
 * lines RMount added are listed in a ledger beside its settings instead, and that list is what tells a
 * crash's leftovers apart from the person's bookmarks at the next start.
 */
import { pathToFileURL } from 'node:url'

/** A folder to show in the sidebar, under a name. */
export interface BookmarkEntry {
  path: string
  name: string
}

/** The file split into lines (without their `\n`, with any `\r`), and whether it ends with a newline. */
interface BookmarkLines {
  lines: Buffer[]
  finalNewline: boolean
}

const newline = 0x0a

function splitLines(text: Buffer): BookmarkLines {
  if (text.length === 0) return { lines: [], finalNewline: true }
  const lines: Buffer[] = []
  let start = 0
  for (let i = text.indexOf(newline); i !== -1; i = text.indexOf(newline, start)) {
    lines.push(text.subarray(start, i))
    start = i + 1
  }
  const finalNewline = start === text.length
  if (!finalNewline) lines.push(text.subarray(start))
  return { lines, finalNewline }
}

function joinLines({ lines, finalNewline }: BookmarkLines): Buffer {
  const parts: Buffer[] = []
  lines.forEach((line, i) => {
    if (i > 0) parts.push(Buffer.from('\n'))
    parts.push(line)
  })
  if (finalNewline && lines.length > 0) parts.push(Buffer.from('\n'))
  return Buffer.concat(parts)
}

/** The bookmark line for a folder: its file URI (percent-encoded, as GTK writes it), a space, the name on one line. */
export function bookmarkLine(entry: BookmarkEntry): string {
  return `${pathToFileURL(entry.path).href} ${entry.name.replace(/\s+/g, ' ').trim()}`
}

/** The URI a line bookmarks: up to the first space, without a CRLF file's `\r`. */
function uriOf(line: Buffer): string {
  const text = line.toString('latin1').replace(/\r$/, '')
  const space = text.indexOf(' ')
  return space === -1 ? text : text.slice(0, space)
}

/** What to write: the new file text, and the lines that are RMount's in it (the next ledger). */
export interface BookmarksUpdate {
  text: Buffer
  ours: string[]
  changed: boolean
}

/**
 * The bookmarks file with RMount's earlier lines (`ours`, from the ledger) taken out and a line added for
 * each of `wanted`. A folder the person bookmarked themselves is left to their line and not added twice.
 * With nothing wanted and no earlier lines, the text comes back as it was.
 */
export function updateBookmarks(old: Buffer, ours: readonly string[], wanted: readonly BookmarkEntry[]): BookmarksUpdate {
  const parsed = splitLines(old)
  const lines = [...parsed.lines]
  // The last occurrence of each: RMount appends, so an equal line earlier in the file is more likely the person's.
  for (const line of ours) {
    const bytes = Buffer.from(line)
    for (let i = lines.length - 1; i >= 0; i--) {
      if (lines[i]!.equals(bytes)) {
        lines.splice(i, 1)
        break
      }
    }
  }
  const theirs = new Set(lines.map(uriOf))
  const added: string[] = []
  for (const entry of wanted) {
    const line = bookmarkLine(entry)
    const uri = pathToFileURL(entry.path).href
    if (theirs.has(uri)) continue
    theirs.add(uri)
    added.push(line)
  }
  const text = joinLines({ lines: [...lines, ...added.map((line) => Buffer.from(line))], finalNewline: parsed.finalNewline })
  return { text, ours: added, changed: !text.equals(old) }
}
