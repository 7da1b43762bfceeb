/**
 * Network partitions: the server sits in its own network namespace and the link goes down, so packets vanish (a dropped
 * Wi-Fi), unlike a stopped or restarted server, which the kernel still answers for.
 */
import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { RemoteMount } from '../../electron/engine/index.js'
import { cleanUpMounts, waitForState } from '../mount-helpers.js'
import { createNetns, removeAllNetns, stopAllServers, tempDir } from '../servers/index.js'
import { eventLoopLag, putOnRemote, runChild, startRemote } from './fault-helpers.js'

const mounts: RemoteMount[] = []
const mountPoints = new Set<string>()
afterAll(async () => {
  await cleanUpMounts(mounts, mountPoints)
  await stopAllServers()
  await removeAllNetns()
})

describe.each(['s3', 'sftp'] as const)('a partition from the %s server', (kind) => {
  it('degrades with the event loop free, comes back by itself without a restart, and loses nothing', async () => {
    const netns = await createNetns()
    const remote = await startRemote(kind, netns)
    const dir = await tempDir('rmount-partition-')
    const localPath = join(dir, 'mnt')
    mountPoints.add(localPath)
    // A folder the mount has never listed: reading in it during the cut must reach the server, and blocks.
    await putOnRemote(remote, 'unlisted/remote.bin', randomBytes(1024))
    const mount = new RemoteMount(remote.remote, remote.remotePath, localPath, { stateDir: join(dir, 'state'), writeBackMs: 500 })
    mounts.push(mount)
    await mount.mount()

    const before = randomBytes(64 * 1024)
    await writeFile(join(localPath, 'before.bin'), before)
    for (let i = 0; i < 100 && !(await remote.read('before.bin'))?.equals(before); i++) await sleep(100)
    expect((await remote.read('before.bin'))?.equals(before)).toBe(true)

    const degradedAfter: number[] = []
    const backAfter: number[] = []
    const lags: number[] = []
    const during = randomBytes(256 * 1024)
    const source = join(dir, 'during.bin')
    await writeFile(source, during)
    for (let cut = 0; cut < 3; cut++) {
      // At any point of the health round's cycle, as a real outage would be (the median over many cuts is the bench's).
      await sleep(Math.random() * 1000)
      const lag = eventLoopLag()
      const cutAt = performance.now()
      await netns.cut()
      degradedAfter.push(await waitForState(mount, 'degraded', 10_000))
      let reader: ReturnType<typeof runChild> | null = null
      if (cut === 0) {
        // A program listing the folder blocks in the kernel until rclone gives up on the server; the app must not.
        reader = runChild('cat', [join(localPath, 'unlisted', 'remote.bin')])
        // A program saving a file: it lands in the cache, to be uploaded once the server is back.
        const writer = runChild('cp', [source, join(localPath, 'during.bin')])
        expect(await Promise.race([writer.exit, sleep(5000).then(() => 'blocked')])).toBe(0)
        await sleep(1000)
        expect({ readerStillBlocked: reader.child.exitCode === null && reader.child.signalCode === null }).toEqual({
          readerStillBlocked: true,
        })
        // Uploads are tried (and fail) while the link is down.
        await sleep(3000)
        expect(mount.state).toBe('degraded')
      } else {
        await sleep(1000)
      }
      lags.push(lag.stop())
      expect(performance.now() - cutAt).toBeGreaterThan(degradedAfter[cut]!)
      const restoredAt = performance.now()
      await netns.restore()
      await waitForState(mount, 'mounted', 10_000)
      backAfter.push(performance.now() - restoredAt)
      if (reader) {
        expect(await Promise.race([reader.exit, sleep(30_000).then(() => 'still blocked')])).not.toBe('still blocked')
      }
    }
    console.log(
      `${kind} partition: degraded after ${degradedAfter.map(Math.round).join(', ')} ms; mounted again ${backAfter.map(Math.round).join(', ')} ms after the link returned; max event-loop lag during the cuts ${lags.map(Math.round).join(', ')} ms`,
    )
    // At most one probe interval (1 s) until the next round plus the probe timeout (1.2 s).
    for (const ms of degradedAfter) expect(ms).toBeLessThan(2500)
    // Back by itself, never stuck: one interval, one probe timeout and one TCP SYN resend (1 s) at the
    // most. How fast it comes back (target 1.5 s) is a speed target for the bench; this only proves it comes back.
    for (const ms of backAfter) expect(ms).toBeLessThan(4000)
    for (const ms of lags) expect(ms).toBeLessThan(100)
    expect(mount.health().restarts).toBe(0)

    await mount.unmount({ timeoutMs: 60_000 })
    expect((await remote.read('before.bin'))?.equals(before)).toBe(true)
    expect((await remote.read('during.bin'))?.equals(during)).toBe(true)
  }, 120_000)
})
