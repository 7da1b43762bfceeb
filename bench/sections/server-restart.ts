/**
 * A server stopped and started again on the same port, on S3 and SFTP: stop → `degraded`, and the server's first
 * answer → `mounted`. That clock starts when the server first answers a client (polled here every few ms), not
 * when the harness's restart() returns, which waits for its own probe and can lag the server by up to a second.
 */
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import type { RemoteMount } from '../../electron/engine/index.js'
import type { TestServer } from '../../test/servers/index.js'
import { managed, startSftp, unmountManaged, type Section, type SectionContext } from '../harness.js'
import { lagWindow } from '../loop-lag.js'
import { median, samples } from '../rows.js'
import { firstAnswer, nextState, nextTick } from '../timing.js'

async function restartSamples(ctx: SectionContext, mount: RemoteMount, server: TestServer, kind: 's3' | 'sftp'): Promise<void> {
  const detect: number[] = []
  const back: number[] = []
  const harnessLag: number[] = []
  const name = kind === 's3' ? 'S3' : 'SFTP'
  // A server dies at any point of the probe cycle: the three samples stop it at 1/6, 3/6 and 5/6 of the cycle after
  // a round, as the hang section does, rather than always right after one (the worst case).
  for (const phase of [1 / 6, 3 / 6, 5 / 6]) {
    await nextTick(mount, 17_000)
    await sleep(mount.options.probeIntervalMs * phase)
    const degraded = nextState(mount, 'degraded', 15_000)
    await server.stop()
    const stopped = performance.now()
    detect.push(await lagWindow(ctx.rclone.label, `${name} stopped`, async () => (await degraded) - stopped))
    ctx.note(`${name} stopped → degraded because: ${mount.health().reason}`)
    // Listen before restarting: the mount may be back before restart() returns.
    const mounted = nextState(mount, 'mounted', 15_000)
    const polling = new AbortController()
    const answered = firstAnswer(server.port, kind, 20_000, polling.signal)
    answered.catch(() => undefined)
    try {
      await server.restart()
      const restarted = performance.now()
      const polled = await answered
      harnessLag.push(restarted - polled)
      // restart() returns only after its own probe was answered, so on a busy machine it can beat the poller.
      const firstAt = Math.min(polled, restarted)
      back.push((await mounted) - firstAt)
    } finally {
      polling.abort()
    }
  }
  ctx.add({
    name: `${name} server stopped → \`degraded\`, median of 3`,
    value: median(detect),
    unit: 'ms',
    detail: samples(detect),
    target: { op: '<=', limit: 2000, text: '≤ 2000 ms median' },
  })
  ctx.add({
    name: `${name} server restarted: its first answer → \`mounted\`, median of 3`,
    value: median(back),
    unit: 'ms',
    detail: samples(back),
    target: { op: '<=', limit: 1500, text: '≤ 1500 ms median' },
  })
  ctx.add({
    name: `(info) ${name}: how long after the poller's first answer the harness's restart() returned (negative: restart() was first)`,
    value: median(harnessLag),
    unit: 'ms',
    detail: samples(harnessLag),
  })
}

export const serverRestart: Section = {
  name: 'restart',
  title: 'server stop and restart, S3 and SFTP',
  perRclone: true,
  async run(ctx) {
    const s3Mount = managed(ctx.rclone, ctx.s3.remote, 'bench', 'restart')
    try {
      await s3Mount.mount()
      await restartSamples(ctx, s3Mount, ctx.s3.server, 's3')
    } finally {
      // A failed sample must not leave the server down for the sections after this one.
      if (ctx.s3.server.pids().length === 0) await ctx.s3.server.restart()
      await unmountManaged(s3Mount, true)
    }
    const sftp = await startSftp()
    const sftpMount = managed(ctx.rclone, sftp.remote, sftp.remotePath, 'restart-sftp')
    try {
      await sftpMount.mount()
      await restartSamples(ctx, sftpMount, sftp.server, 'sftp')
    } finally {
      await unmountManaged(sftpMount, true)
      await sftp.server.stop()
    }
  },
}
