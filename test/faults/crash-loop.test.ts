/**
 * Crash loops lose no closed file: write a file, close it, and `kill -9` rclone at once, before FUSE has delivered
 * RELEASE (the case the bench's crash-loop section found losing files), then let the engine restart the mount.
 * After a clean unmount every file must be on the server byte for byte.
 */
import { randomBytes } from 'node:crypto'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { RemoteMount } from '../../electron/engine/index.js'
import { cleanUpMounts, s3RemoteOf, waitForState } from '../mount-helpers.js'
import { startS3, stopAllServers, tempDir } from '../servers/index.js'

const bucket = 'crash'
const cycles = 30
const mounts: RemoteMount[] = []
const mountPoints = new Set<string>()

afterEach(async () => {
  await cleanUpMounts(mounts.splice(0), mountPoints)
  await stopAllServers()
})

/** Every cache metadata file's JSON under `dir`, by path, for the failure message. */
async function metadata(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []))
    if (entry.isFile()) out[join(entry.parentPath, entry.name)] = (await readFile(join(entry.parentPath, entry.name), 'utf8')).slice(0, 400)
  return out
}

it(`loses no file over ${cycles} cycles of write, close and kill -9 of rclone right after close()`, async () => {
  const s3 = await startS3({ buckets: [bucket] })
  const localPath = join(await tempDir('rmount-crash-mnt-'), 'mnt')
  const stateDir = await tempDir('rmount-crash-state-')
  mountPoints.add(localPath)
  const m = new RemoteMount(s3RemoteOf(s3), bucket, localPath, { stateDir, maxRestarts: 1000, restartWindowMs: 1000 })
  mounts.push(m)
  await m.mount()
  const written = new Map<string, Buffer>()
  for (let i = 0; i < cycles; i++) {
    const name = `f-${String(i).padStart(3, '0')}.bin`
    const data = randomBytes(4096 + ((i * 7919) % 60_000))
    await writeFile(join(localPath, name), data)
    written.set(name, data)
    process.kill(m.health().pid!, 'SIGKILL')
    await waitForState(m, 'restarting', 5000)
    await waitForState(m, 'mounted', 20_000)
  }
  const result = await m.unmount({ timeoutMs: 120_000 })
  expect(result.pendingFiles).toEqual([])
  const lost: string[] = []
  for (const [name, data] of written) {
    const stored = await s3.readObject(bucket, name)
    if (!stored || !stored.equals(data)) lost.push(`${name}: ${stored ? `${stored.length} bytes of ${data.length}` : 'missing'}`)
  }
  if (lost.length) {
    const first = lost[0]!.split(':')[0]!
    const log = (await readFile(join(stateDir, 'rclone.log'), 'utf8')).split('\n').filter((l) => l.includes(first))
    console.log(log.join('\n'))
    console.log(JSON.stringify(Object.keys(await metadata(stateDir)).filter((k) => k.includes(first))))
  }
  expect(lost).toEqual([])
}, 300_000)
