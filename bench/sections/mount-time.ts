/** Time to mounted: RemoteMount.mount() against a plain `rclone mount` with the same arguments, alternating. */
import { performance } from 'node:perf_hooks'
import { managed, plainBaseline, unmountManaged, type Section } from '../harness.js'
import { launchRecipe, recipeShape, stopPlain, type LaunchRecipe } from '../plain-mount.js'
import { median, samples } from '../rows.js'

export const mountTime: Section = {
  name: 'mount',
  title: 'time to mounted, managed and plain',
  perRclone: true,
  async run({ rclone, s3, add, note }) {
    const managedMs: number[] = []
    const plainMs: number[] = []
    let recipe: LaunchRecipe | null = null
    const shapes = new Set<string>()
    // Alternating, so that a slow spell of the machine hits both sides.
    for (let i = 0; i < 5; i++) {
      const mount = managed(rclone, s3.remote, 'bench', 'time')
      const started = performance.now()
      await mount.mount()
      managedMs.push(performance.now() - started)
      const own = await launchRecipe(mount)
      shapes.add(recipeShape(own))
      recipe ??= own
      await unmountManaged(mount)
      const plain = await plainBaseline(recipe, 'time-plain')
      plainMs.push(plain.ms)
      await stopPlain(plain.mount)
    }
    // Each managed mount has its own rc password and paths; anything else differing would mean the recipe changed between mounts.
    if (shapes.size !== 1) note(`the managed mounts' command lines differ between runs: ${[...shapes].join(' ≠ ')}`)
    const m = median(managedMs)
    const p = median(plainMs)
    add({ name: 'Time to mounted: RemoteMount.mount(), S3, median of 5', value: m, unit: 'ms', detail: samples(managedMs) })
    add({
      name: 'Time to mounted: plain `rclone mount`, same argv and env, spawn to mountinfo, median of 5',
      value: p,
      unit: 'ms',
      detail: samples(plainMs),
    })
    add({
      name: 'Time to mounted, managed / plain',
      value: m / p,
      unit: '×',
      target: { op: '<=', limit: 1.3, text: '≤ 1.3× (issue 7 item 7)' },
      whyMiss:
        'the managed start does more than the plain one: it checks the folder through the helper process, starts rclone under its watchdog, and waits until the folder answers (the preflight already runs beside the start)',
    })
  },
}
