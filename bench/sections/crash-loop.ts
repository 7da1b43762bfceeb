/**
 * Crash loops without loss: 100 cycles of write a file, close it, `kill -9` rclone, wait for the mount to come
 * back. At the end the mount is unmounted the normal way (which waits for uploads) and every file is compared
 * with what the server holds. The kill follows the close after 0, 50, 100, 150 or 200 ms in turn: FUSE delivers
 * RELEASE after close() returns, so the shortest gaps are the hard case.
 */
import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { RmountError } from '../../electron/engine/index.js'
import { managed, unmountManaged, type Section } from '../harness.js'
import { nextState, withTimeout } from '../timing.js'

const cycles = 100
const gapsMs = [0, 50, 100, 150, 200]

export const crashLoop: Section = {
  name: 'crash-loop',
  title: `${cycles} cycles of write, close, kill -9 rclone; closed files lost`,
  perRclone: false,
  async run({ rclone, s3, add, note }) {
    const bucket = 'crash'
    const prefix = `run-${Date.now()}`
    // Enough restarts for the loop, and a window short enough that the backoff stays under a second.
    const mount = managed(rclone, s3.remote, `${bucket}/${prefix}`, 'crash', { maxRestarts: 1000, restartWindowMs: 1000 })
    const written = new Map<string, { data: Buffer; gapMs: number }>()
    let unmountNote = ''
    await mount.mount()
    try {
      for (let i = 0; i < cycles; i++) {
        const name = `f-${String(i).padStart(3, '0')}.bin`
        const data = randomBytes(4096 + ((i * 7919) % 60_000))
        const gapMs = gapsMs[i % gapsMs.length]!
        await writeFile(join(mount.localPath, name), data)
        written.set(name, { data, gapMs })
        if (gapMs) await sleep(gapMs)
        const pid = mount.health().pid!
        const back = nextState(mount, 'mounted', 20_000)
        process.kill(pid, 'SIGKILL')
        await back
      }
      try {
        await withTimeout(mount.unmount({ timeoutMs: 120_000 }), 150_000, 'unmount after the crash loop')
      } catch (error) {
        unmountNote = `the normal unmount failed (${error instanceof RmountError ? error.code : String(error)}); forced`
      }
    } finally {
      await unmountManaged(mount, true)
    }
    const lost: string[] = []
    for (const [name, { data, gapMs }] of written) {
      const stored = await s3.server.readObject(bucket, `${prefix}/${name}`)
      if (!stored || !stored.equals(data)) lost.push(`${name} (${stored ? 'different bytes' : 'missing'}, kill ${gapMs} ms after close)`)
    }
    if (unmountNote) note(unmountNote)
    if (lost.length) note(`lost: ${lost.slice(0, 20).join(', ')}${lost.length > 20 ? ', …' : ''}`)
    add({
      name: `Crash loop: closed files lost over ${cycles} cycles of write, close, kill -9 (gap close → kill ${gapsMs.join('/')} ms in turn)`,
      value: lost.length,
      unit: 'files',
      detail: `(of ${written.size} written; restarts ${mount.health().restarts})`,
      target: { op: '==', limit: 0, text: '= 0 files' },
    })
  },
}
