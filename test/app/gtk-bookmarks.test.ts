import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { bookmarkLine, updateBookmarks } from '../../electron/app/gtk-bookmarks.js'
import { createGtkBookmarks, gtkBookmarksPath } from '../../electron/app/gtk-bookmarks-file.js'

// Every kind of line a person's file may hold: CRLF, a comment-like line, a duplicate, bytes that are not
// UTF-8, a label with spaces, an empty line, and no newline at the end.
const oddLines = Buffer.concat([
  Buffer.from('file:///home/me/Documents Documents\r\n'),
  Buffer.from('# not a comment to GTK, kept anyway\n'),
  Buffer.from('file:///home/me/Music\n'),
  Buffer.from('file:///home/me/Music\n'),
  Buffer.from([0x66, 0x69, 0x6c, 0x65, 0x3a, 0x2f, 0x2f, 0x2f, 0x74, 0x6d, 0x70, 0x2f, 0xff, 0xfe, 0x20, 0xe9, 0x0a]),
  Buffer.from('\n'),
  Buffer.from('sftp://nas/srv My NAS  with  spaces'),
])

const photos = { path: '/home/me/Holiday photos', name: 'Holiday photos' }
const nas = { path: '/home/me/nas', name: 'Home NAS' }

describe('updateBookmarks', () => {
  it('adds a percent-encoded line per mounted folder and takes them out again, leaving the file byte for byte', () => {
    const added = updateBookmarks(oddLines, [], [photos, nas])
    expect(added.ours).toEqual(['file:///home/me/Holiday%20photos Holiday photos', 'file:///home/me/nas Home NAS'])
    expect(added.text.subarray(0, oddLines.length).equals(oddLines)).toBe(true)
    expect(added.text.subarray(oddLines.length).toString()).toBe('\n' + added.ours.join('\n'))
    const removed = updateBookmarks(added.text, added.ours, [])
    expect(removed.text.equals(oddLines)).toBe(true)
    expect(removed.ours).toEqual([])
  })

  it('keeps a final newline where there was one, and an empty file empty', () => {
    const withNewline = Buffer.from('file:///a\r\n')
    const added = updateBookmarks(withNewline, [], [nas])
    expect(added.text.toString()).toBe('file:///a\r\nfile:///home/me/nas Home NAS\n')
    expect(updateBookmarks(added.text, added.ours, []).text.equals(withNewline)).toBe(true)
    const fromEmpty = updateBookmarks(Buffer.alloc(0), [], [nas])
    expect(fromEmpty.text.toString()).toBe('file:///home/me/nas Home NAS\n')
    expect(updateBookmarks(fromEmpty.text, fromEmpty.ours, []).text.length).toBe(0)
  })

  it('leaves a folder the person bookmarked to their own line, and removes only the last copy of one of ours', () => {
    const theirs = Buffer.from('file:///home/me/nas My label\n')
    const update = updateBookmarks(theirs, [], [nas])
    expect(update.changed).toBe(false)
    expect(update.ours).toEqual([])
    // The person copied our line by hand: one copy stays.
    const line = bookmarkLine(nas)
    const twice = Buffer.from(`${line}\nfile:///x\n${line}\n`)
    expect(updateBookmarks(twice, [line], []).text.toString()).toBe(`${line}\nfile:///x\n`)
  })

  it('moves a renamed mount to its new line without touching the others', () => {
    const first = updateBookmarks(oddLines, [], [nas])
    const renamed = updateBookmarks(first.text, first.ours, [{ ...nas, name: 'NAS' }])
    expect(renamed.ours).toEqual(['file:///home/me/nas NAS'])
    expect(renamed.text.subarray(0, oddLines.length).equals(oddLines)).toBe(true)
  })
})

describe('createGtkBookmarks', () => {
  const folders: string[] = []
  afterEach(async () => {
    for (const dir of folders.splice(0)) await rm(dir, { recursive: true, force: true })
  })
  async function setup() {
    const dir = await mkdtemp(join(tmpdir(), 'rmount-bookmarks-'))
    folders.push(dir)
    const file = gtkBookmarksPath(join(dir, 'config'))
    const ledgerFile = join(dir, 'data', 'gtk-bookmarks.json')
    return { dir, file, ledgerFile }
  }

  it('rewrites the real file atomically with its mode, and removes its lines on the last sync', async () => {
    const { dir, file, ledgerFile } = await setup()
    await mkdir(join(dir, 'config', 'gtk-3.0'), { recursive: true })
    await writeFile(file, oddLines)
    await chmod(file, 0o640)
    const bookmarks = createGtkBookmarks({ file, ledgerFile })
    await bookmarks.sync([photos])
    expect((await readFile(file)).toString('latin1')).toContain('file:///home/me/Holiday%20photos Holiday photos')
    expect((await stat(file)).mode & 0o777).toBe(0o640)
    // No temporary file left beside it.
    expect(await readdir(join(dir, 'config', 'gtk-3.0'))).toEqual(['bookmarks'])
    await bookmarks.sync([])
    expect((await readFile(file)).equals(oddLines)).toBe(true)
  })

  it('clears what a crashed run left, recognised by the ledger, at the next start', async () => {
    const { dir, file, ledgerFile } = await setup()
    await mkdir(join(dir, 'config', 'gtk-3.0'), { recursive: true })
    await writeFile(file, oddLines)
    await createGtkBookmarks({ file, ledgerFile }).sync([photos, nas])
    // The app died here: no sync([]). A new run starts with nothing mounted.
    await createGtkBookmarks({ file, ledgerFile }).sync([])
    expect((await readFile(file)).equals(oddLines)).toBe(true)
  })

  it('creates neither file nor folder when there is nothing to add, and writes through a symlink', async () => {
    const { dir, file, ledgerFile } = await setup()
    const bookmarks = createGtkBookmarks({ file, ledgerFile })
    await bookmarks.sync([])
    expect(await readdir(dir)).toEqual([])
    await mkdir(join(dir, 'config', 'gtk-3.0'), { recursive: true })
    const target = join(dir, 'dotfiles-bookmarks')
    await writeFile(target, 'file:///a\n')
    await symlink(target, file)
    await bookmarks.sync([nas])
    expect(await readFile(target, 'utf8')).toBe('file:///a\nfile:///home/me/nas Home NAS\n')
    await bookmarks.sync([])
    expect(await readFile(target, 'utf8')).toBe('file:///a\n')
  })
})
