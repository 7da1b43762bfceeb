/**
 * A killed app never leaves a dead folder: the supervisor is SIGKILLed (as the OOM killer would), half the time
 * with a program sitting inside the folder, which makes rclone's own unmount fail. The mount watchdog must clear it.
 */
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { isAlive } from '../../electron/engine/child-process.js'
import { startS3, stopAllServers, tempDir } from '../servers/index.js'
import { cleanUpMounts, isMounted, rclonePidsFor, s3RemoteOf } from '../mount-helpers.js'
import { startSupervisor } from './supervisor.js'

const cycles = 20

/** Watchdog processes (sh running the rmount watchdog script) for `path`. */
function watchdogPidsFor(path: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0')
        return argv.includes('rmount-watchdog') && argv.includes(path)
      } catch {
        return false
      }
    })
    .map(Number)
}

const mountPoints = new Set<string>()
afterAll(async () => {
  await cleanUpMounts([], mountPoints)
  await stopAllServers()
})

describe('a killed app', () => {
  it(`leaves no rclone and no mount within 2 s, ${cycles} times, half of them with a program inside the folder`, async () => {
    const s3 = await startS3({ buckets: ['killed'] })
    const dir = await tempDir('rmount-killed-')
    const localPath = join(dir, 'mnt')
    mountPoints.add(localPath)
    const clearedIn: number[] = []
    for (let cycle = 0; cycle < cycles; cycle++) {
      const supervisor = await startSupervisor([
        { name: 'm', remote: s3RemoteOf(s3), remotePath: 'killed', localPath, options: { stateDir: join(dir, 'state') } },
      ])
      expect(supervisor.events.find((e) => e.type === 'ready')).toMatchObject({ failed: [] })
      const [rclonePid] = rclonePidsFor(localPath)
      expect(rclonePid).toBeGreaterThan(0)
      const inside = cycle % 2 === 1
      // A shell in a terminal, a file manager: a program whose working directory is the folder.
      const sitter = inside ? spawn('sleep', ['60'], { cwd: localPath, stdio: 'ignore' }) : null
      if (sitter) await new Promise((resolve) => sitter.once('spawn', resolve))
      try {
        const killedAt = performance.now()
        supervisor.child.kill('SIGKILL')
        await supervisor.exit
        while ((rclonePidsFor(localPath).length > 0 || isMounted(localPath)) && performance.now() - killedAt < 2000) await sleep(10)
        clearedIn.push(Math.round(performance.now() - killedAt))
        expect({ cycle, inside, rclone: rclonePidsFor(localPath), mounted: isMounted(localPath) }).toEqual({
          cycle,
          inside,
          rclone: [],
          mounted: false,
        })
        expect(isAlive(rclonePid!)).toBe(false)
        // The watchdog is done too: it exits once its own `fusermount -uz` has returned, which the
        // mount table shows a moment before that process ends.
        const clearedAt = performance.now()
        while (watchdogPidsFor(localPath).length > 0 && performance.now() - clearedAt < 1000) await sleep(10)
        expect(watchdogPidsFor(localPath)).toEqual([])
      } finally {
        sitter?.kill('SIGKILL')
      }
    }
    console.log(`folder clear after SIGKILL of the app (ms): ${clearedIn.join(' ')}`)
  }, 300_000)
})
