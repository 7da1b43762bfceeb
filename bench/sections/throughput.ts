/**
 * Throughput: one managed and one plain mount of the same bucket side by side, the operations alternating between
 * them (A B, B A, ...), so that a busy spell of this shared machine hits both sides alike.
 * - Write: a new 64 MiB file in 1 MiB writes, fsync, close. In `writes` cache mode that is FUSE plus rclone's local
 *   cache file; the file is deleted untimed right after, which cancels its upload, so no upload runs behind a later
 *   measurement.
 * - Read: `source-<run>.bin`, uploaded with `rclone copy` before the mounts and read once per mount. In `writes`
 *   mode reads are not cached, so this streams from s3rver through rclone and FUSE.
 * Run 0 warms up the disk, rclone and s3rver and is not counted.
 */
import { randomBytes } from 'node:crypto'
import { link, mkdir, open, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { exited, spawnTied } from '../../electron/engine/index.js'
import { managed, nextPaths, plainBaseline, unmountManaged, type Section } from '../harness.js'
import { launchRecipe, stopPlain, type LaunchRecipe } from '../plain-mount.js'
import { median, samples } from '../rows.js'
import { withTimeout } from '../timing.js'

const fileBytes = 64 * 1024 * 1024
const chunk = randomBytes(1024 * 1024)
const runs = 8

/** Flushes the machine's dirty pages, so that the timed fsync pays for this file only. */
async function syncDisks(): Promise<void> {
  const code = await exited(spawnTied('sync', [], { stdio: 'ignore' }))
  if (code !== 0) throw new Error(`sync exited with ${code}`)
}

async function writeTimed(path: string): Promise<number> {
  await syncDisks()
  const started = performance.now()
  const handle = await open(path, 'w')
  try {
    for (let written = 0; written < fileBytes; written += chunk.length) await handle.write(chunk, 0, chunk.length)
    await handle.sync()
  } finally {
    await handle.close()
  }
  return performance.now() - started
}

async function readTimed(path: string): Promise<number> {
  const buffer = Buffer.allocUnsafe(1024 * 1024)
  const started = performance.now()
  const handle = await open(path, 'r')
  let total = 0
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null)
      if (bytesRead === 0) break
      total += bytesRead
    }
  } finally {
    await handle.close()
  }
  if (total !== fileBytes) throw new Error(`read ${total} bytes of ${path}, expected ${fileBytes}`)
  return performance.now() - started
}

/** Uploads the read sources with `rclone copy`, run with the managed mount's own environment and remote. */
async function uploadSources(recipe: LaunchRecipe, dir: string): Promise<void> {
  await mkdir(dir)
  const handle = await open(join(dir, 'source-0.bin'), 'w')
  for (let written = 0; written < fileBytes; written += chunk.length) await handle.write(randomBytes(chunk.length))
  await handle.close()
  for (let i = 1; i < runs; i++) await link(join(dir, 'source-0.bin'), join(dir, `source-${i}.bin`))
  // argv: rclone mount <fs> <folder> flags...; the CA flag is the only backend flag the engine puts on the command line.
  const fs = recipe.argv[2]!
  const ca = recipe.argv.indexOf('--ca-cert')
  const args = ['copy', '--config', '/dev/null', ...(ca >= 0 ? ['--ca-cert', recipe.argv[ca + 1]!] : []), dir, fs]
  const code = await exited(spawnTied(recipe.argv[0]!, args, { env: recipe.env, stdio: 'ignore' }))
  if (code !== 0) throw new Error(`rclone copy of the read sources exited with ${code}`)
  await rm(dir, { recursive: true })
}

export const throughput: Section = {
  name: 'tput',
  title: 'throughput, managed and plain side by side',
  perRclone: true,
  async run({ rclone, s3, add, note }) {
    const mount = managed(rclone, s3.remote, 'tput', 'tput')
    const result = { managed: { write: [] as number[], read: [] as number[] }, plain: { write: [] as number[], read: [] as number[] } }
    let plain: Awaited<ReturnType<typeof plainBaseline>> | null = null
    try {
      // The recipe comes from a running mount; the sources go up while no mount runs, since a mount that has
      // listed the bucket would not see them for the length of its directory cache.
      await mount.mount()
      const recipe = await launchRecipe(mount)
      await withTimeout(mount.unmount(), 60_000, `unmount ${mount.localPath}`)
      await uploadSources(recipe, nextPaths('sources').localPath)
      await mount.mount()
      plain = await plainBaseline(recipe, 'tput-plain')
      const roots = { managed: mount.localPath, plain: plain.mount.localPath }
      const mibPerS = (ms: number) => fileBytes / 1024 / 1024 / (ms / 1000)
      for (let i = 0; i < runs; i++) {
        for (const kind of i % 2 ? (['plain', 'managed'] as const) : (['managed', 'plain'] as const)) {
          const written = join(roots[kind], `written-${rclone.version}-${i}.bin`)
          const write = mibPerS(await writeTimed(written))
          await rm(written)
          const read = mibPerS(await readTimed(join(roots[kind], `source-${i}.bin`)))
          if (i > 0) {
            result[kind].write.push(write)
            result[kind].read.push(read)
          }
        }
      }
    } finally {
      await unmountManaged(mount, true)
      if (plain) await stopPlain(plain.mount)
    }
    for (const op of ['write', 'read'] as const) {
      const m = median(result.managed[op])
      const p = median(result.plain[op])
      const name = op === 'write' ? 'Write' : 'Read'
      add({
        name: `${name} 64 MiB, managed mount, median of ${runs - 1}`,
        value: m,
        unit: 'MiB/s',
        detail: samples(result.managed[op], 'MiB/s'),
      })
      add({
        name: `${name} 64 MiB, plain rclone mount, median of ${runs - 1}`,
        value: p,
        unit: 'MiB/s',
        detail: samples(result.plain[op], 'MiB/s'),
      })
      // Each run measures both sides back to back, so the ratio within a run cancels a slow spell of the machine;
      // the median of those ratios is steadier than the ratio of the medians, which is shown beside it.
      const paired = result.managed[op].map((value, i) => value / result.plain[op][i]!)
      add({
        name: `${name} throughput ratio managed / plain, median of the ${runs - 1} per-run ratios`,
        value: median(paired),
        unit: '×',
        detail: `${samples(paired, '', 2)}; ratio of the medians ${(m / p).toFixed(3)}`,
        target: { op: '>=', limit: 0.95, text: '≥ 0.95' },
      })
      // A ratio is only as good as the samples under it: say so when they scatter more than the margin tested.
      const spread = (values: number[]) => (Math.max(...values) - Math.min(...values)) / median(values)
      const worst = Math.max(spread(result.managed[op]), spread(result.plain[op]))
      if (worst > 0.1)
        note(
          `${op} samples of one side spread by ${(worst * 100).toFixed(0)} % (max − min over median), so the ${op} ratio's 5 % margin is within this machine's noise`,
        )
    }
  },
}
