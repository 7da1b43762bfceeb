/**
 * `npm test` must leave nothing in the temp folder. vitest's global setup gives the whole run a private
 * temp folder (TMPDIR, which the workers and every process the tests start inherit); at the end, whatever
 * is left in it is listed and the run fails. The folder is removed either way, so a leak does not pile up
 * across runs, unless a mount is still inside: removing that would delete the remote's files, or hang.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseMountinfo } from '../electron/engine/mountinfo.js'

/** What a run left in `dir`: one line per entry, for the failure message. */
export function leftovers(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).map((entry) => `${join(dir, entry.name)}${entry.isDirectory() ? '/' : ''}`)
}

export default function setup(): () => void {
  const outer = tmpdir()
  const dir = mkdtempSync(join(outer, 'rmount-tests-'))
  process.env.TMPDIR = dir
  return () => {
    process.env.TMPDIR = outer
    // tsx's compile cache (tsx-<uid>/, from tests that run `node --import tsx`) is a tool's cache, not a
    // test's leftover; turning it off makes those tests slow. It goes with the folder.
    const left = leftovers(dir).filter((path) => !/\/tsx-\d+\/$/.test(path))
    const mounted = parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8')).filter((m) => m.mountPoint.startsWith(`${dir}/`))
    if (mounted.length === 0) rmSync(dir, { recursive: true, force: true })
    if (left.length === 0) return
    // vitest reports an error thrown here but still exits 0: fail the run explicitly.
    process.exitCode = 1
    throw new Error(
      `The tests left ${left.length} file(s) or folder(s) in the temp folder; each test must remove what it makes:\n${left.join('\n')}` +
        (mounted.length ? `\nStill mounted, so left in place: ${mounted.map((m) => m.mountPoint).join(', ')}` : ''),
    )
  }
}
