/**
 * Crash loops lose no closed file: write a file, close it, and `kill -9` rclone at once, before FUSE has delivered
 * RELEASE (the case the bench's crash-loop section found losing files), then let the engine restart the mount.
 * After a clean unmount every file must be on the server byte for byte.
 */
import { randomBytes } from 'node:crypto'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
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

it('never writes a file left with torn metadata over a different file on the remote; keeps it and says where', async () => {
  const s3 = await startS3({ buckets: [bucket] })
  const localPath = join(await tempDir('rmount-crash-mnt-'), 'mnt')
  const stateDir = await tempDir('rmount-crash-state-')
  mountPoints.add(localPath)
  const m = new RemoteMount(s3RemoteOf(s3), bucket, localPath, { stateDir })
  mounts.push(m)
  await m.mount()
  const remoteCopy = randomBytes(20_000)
  const same = randomBytes(10_000)
  await writeFile(join(localPath, 'differs.bin'), remoteCopy)
  await writeFile(join(localPath, 'same.bin'), same)
  expect((await m.unmount({ timeoutMs: 60_000 })).pendingFiles).toEqual([])

  // What a kill during rclone's metadata save leaves: the data file, and an empty metadata file.
  const metaRoot = join(stateDir, 'cache', 'vfsMeta')
  const [fsName] = await readdir(metaRoot)
  const local = randomBytes(20_000)
  await writeFile(join(stateDir, 'cache', 'vfs', fsName!, bucket, 'differs.bin'), local)
  await writeFile(join(metaRoot, fsName!, bucket, 'differs.bin'), '')
  await writeFile(join(metaRoot, fsName!, bucket, 'same.bin'), '')
  const logged: string[] = []
  m.on('log', (line: { message: string }) => logged.push(line.message))
  await m.mount()
  expect((await m.unmount({ timeoutMs: 60_000 })).pendingFiles).toEqual([])

  expect((await s3.readObject(bucket, 'differs.bin'))!.equals(remoteCopy)).toBe(true)
  expect((await s3.readObject(bucket, 'same.bin'))!.equals(same)).toBe(true)
  const kept = join(stateDir, 'recovered', fsName!, bucket, 'differs.bin')
  expect((await readFile(kept)).equals(local)).toBe(true)
  expect(existsSync(join(stateDir, 'recovered', fsName!, bucket, 'same.bin'))).toBe(false)
  expect(logged.some((line) => line.includes(kept) && line.includes('different file'))).toBe(true)
}, 120_000)
