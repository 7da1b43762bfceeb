/**
 * Recovery after `kill -9` of rclone: after a first crash, and after a third one in a row, against a plain
 * `rclone mount` with the same arguments measured in the same run (spawn to mountinfo).
 */
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import type { RemoteMount } from '../../electron/engine/index.js'
import { managed, plainBaseline, unmountManaged, type Section } from '../harness.js'
import { launchRecipe, stopPlain } from '../plain-mount.js'
import { median, samples } from '../rows.js'
import { nextState, pollUntil, withTimeout } from '../timing.js'

/** Kills the mount's rclone; resolves with kill → 'mounted' and new rclone spawned → 'mounted', in ms. */
async function crash(mount: RemoteMount): Promise<{ total: number; fromSpawn: number }> {
  const pid = mount.health().pid!
  const back = nextState(mount, 'mounted', 15_000)
  const killed = performance.now()
  process.kill(pid, 'SIGKILL')
  // The engine emits nothing when it spawns the new rclone; its pid shows in health() at once.
  const spawned = await pollUntil(
    () => {
      const now = mount.health().pid
      return now !== null && now !== pid
    },
    15_000,
    'new rclone',
  )
  const mounted = await back
  return { total: mounted - killed, fromSpawn: mounted - spawned }
}

export const recovery: Section = {
  name: 'recovery',
  title: 'recovery after kill -9, first and third crash in a row',
  perRclone: true,
  async run({ rclone, s3, add }) {
    const mount = managed(rclone, s3.remote, 'bench', 'kill')
    const first: number[] = []
    const third: number[] = []
    const thirdFromSpawn: number[] = []
    const plain: number[] = []
    try {
      for (let i = 0; i < 5; i++) {
        // mount() clears the restart history, so the next kill is a first crash.
        await mount.mount()
        // Let a probe round or two pass: a real crash does not come in the first milliseconds of a mount. (Not the
        // next health event: after a remount that comes with the next full round, up to fifteen rounds away.)
        await sleep(mount.options.probeIntervalMs * 1.5)
        first.push((await crash(mount)).total)
        // The baseline between the managed samples, so that a slow spell hits both.
        const baseline = await plainBaseline(await launchRecipe(mount), 'kill-plain')
        plain.push(baseline.ms)
        await stopPlain(baseline.mount)
        if (i < 3) {
          // The crash above was the first; one more, and the next is the third in a row.
          await crash(mount)
          const last = await crash(mount)
          third.push(last.total)
          thirdFromSpawn.push(last.fromSpawn)
        }
        await withTimeout(mount.unmount(), 60_000, `unmount ${mount.localPath}`)
      }
    } finally {
      await unmountManaged(mount, true)
    }
    const p = median(plain)
    const target = { op: '<=' as const, limit: Math.round(p) + 30, text: '≤ plain + 30 ms' }
    add({
      name: 'Plain `rclone mount`, same argv and env, spawn to mountinfo (the baseline), median of 5',
      value: p,
      unit: 'ms',
      detail: samples(plain),
    })
    add({
      name: 'Recovery after a first crash: kill -9 → `mounted`, median of 5',
      value: median(first),
      unit: 'ms',
      detail: samples(first),
      target,
    })
    add({
      name: 'Recovery after a third crash in a row: kill -9 → `mounted`, median of 3',
      value: median(third),
      unit: 'ms',
      detail: samples(third),
      target,
      whyMiss:
        'by design the restart policy waits 250–500 ms before a second restart and 500–1000 ms before a third within its window (exponential backoff with jitter, so that many mounts of one dead server do not reconnect in lockstep); the next row leaves that wait out',
    })
    add({
      name: 'Recovery after a third crash in a row: new rclone spawned → `mounted` (the backoff left out), median of 3',
      value: median(thirdFromSpawn),
      unit: 'ms',
      detail: samples(thirdFromSpawn),
      target,
    })
  },
}
