/**
 * What idle mounts cost the remote: requests reaching the S3 server per idle minute, for 1 mount, 50 mounts of one
 * remote and 50 mounts of 50 remotes, counted by a proxy in front of s3rver. The window is shorter than a minute
 * and scaled (`--request-window`); `--request-mount-options '{"...": ...}'` re-runs it with other mount options,
 * for instance a change-polling interval, which is what this number is for.
 */
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import type { RemoteInput, RemoteMount } from '../../electron/engine/index.js'
import { startCountingProxy } from '../counting-proxy.js'
import { log, managed, manyBuckets, unmountAll, type Section, type SectionContext } from '../harness.js'

async function count(
  ctx: SectionContext,
  remote: RemoteInput,
  buckets: readonly string[],
  what: string,
  proxy: Awaited<ReturnType<typeof startCountingProxy>>,
): Promise<void> {
  const mounts: RemoteMount[] = []
  try {
    while (mounts.length < buckets.length) {
      const batch = buckets
        .slice(mounts.length, mounts.length + 5)
        .map((bucket) => managed(ctx.rclone, remote, bucket, 'requests', ctx.settings.requestMountOptions))
      mounts.push(...batch)
      await Promise.all(batch.map((mount) => mount.mount()))
    }
    // Past the mount's own start-up requests.
    await sleep(3000)
    proxy.reset()
    const started = performance.now()
    await sleep(ctx.settings.requestWindowS * 1000)
    const counts = proxy.counts()
    const minutes = (performance.now() - started) / 60_000
    const total = Object.values(counts).reduce((a, b) => a + b, 0)
    log(`requests: ${what}: ${JSON.stringify(counts)} in ${(minutes * 60).toFixed(1)} s`)
    ctx.add({
      name: `Requests to the remote per idle minute, ${what} (counted over ${ctx.settings.requestWindowS} s, scaled)`,
      value: total / minutes,
      unit: 'requests/min',
      detail: `(${
        Object.entries(counts)
          .map(([method, n]) => `${method} ${Math.round(n / minutes)}`)
          .join(', ') || 'none'
      }; per mount ${(total / minutes / buckets.length).toFixed(1)})`,
    })
  } finally {
    await unmountAll(mounts, true)
  }
}

export const requests: Section = {
  name: 'requests',
  title: 'requests to the remote per idle minute, 1 and 50 mounts',
  perRclone: false,
  async run(ctx) {
    const proxy = await startCountingProxy(ctx.s3.server.port)
    const options = JSON.stringify(ctx.settings.requestMountOptions)
    if (options !== '{}') ctx.note(`requests counted with mount options ${options}`)
    try {
      const remote = ctx.s3.remoteAt(proxy.endpoint)
      await count(ctx, remote, ['bench'], '1 mount', proxy)
      await count(
        ctx,
        remote,
        Array.from({ length: 50 }, () => 'bench'),
        '50 mounts of one remote',
        proxy,
      )
      await count(ctx, remote, manyBuckets, '50 mounts of 50 remotes', proxy)
    } finally {
      await proxy.close()
    }
  },
}
