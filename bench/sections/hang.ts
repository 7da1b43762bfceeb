/**
 * Hang detection: the server frozen with SIGSTOP (TCP still accepted by the kernel, nothing answered) until the
 * mount reports `degraded`, on S3 and on SFTP. The event-loop delay is measured over each hang.
 */
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import type { RemoteMount } from '../../electron/engine/index.js'
import type { TestServer } from '../../test/servers/index.js'
import { managed, startSftp, unmountManaged, type Section, type SectionContext } from '../harness.js'
import { controlWindow, lagWindow } from '../loop-lag.js'
import { median, samples } from '../rows.js'
import { nextState, nextTick } from '../timing.js'

/**
 * The probe ticks once a second, so the result depends on where in the cycle the hang starts; the three samples
 * start it at 1/6, 3/6 and 5/6 of the cycle after a tick (an even spread, the median the mid-cycle case) rather
 * than at random, which with three samples would be noise.
 */
async function hangDetection(ctx: SectionContext, mount: RemoteMount, server: TestServer, kind: string): Promise<number[]> {
  const times: number[] = []
  await controlWindow(ctx.rclone.label, kind, 2000)
  for (const phase of [1 / 6, 3 / 6, 5 / 6]) {
    await nextTick(mount, 17_000)
    await sleep(mount.options.probeIntervalMs * phase)
    const degraded = nextState(mount, 'degraded', 15_000)
    try {
      server.freeze()
      const frozeAt = performance.now()
      times.push(await lagWindow(ctx.rclone.label, `${kind} frozen`, async () => (await degraded) - frozeAt))
    } finally {
      server.thaw()
    }
    ctx.note(`${kind} frozen → degraded because: ${mount.health().reason}`)
    await nextState(mount, 'mounted', 15_000)
  }
  return times
}

function addRow(ctx: SectionContext, kind: string, times: number[]): void {
  ctx.add({
    name: `Hung ${kind} (server SIGSTOP) → \`degraded\`, median of 3`,
    value: median(times),
    unit: 'ms',
    detail: samples(times),
    target: { op: '<=', limit: 2000, text: '≤ 2000 ms median' },
    whyMiss:
      'detection takes the wait for the next probe round (0–1 s, 0.5 s at the median phase) plus the probe timeout (1.2 s): a median above 2 s means rounds or timers ran late on this loaded machine',
  })
}

export const hang: Section = {
  name: 'hang',
  title: 'hung server detection, S3 and SFTP',
  perRclone: true,
  async run(ctx) {
    const s3Mount = managed(ctx.rclone, ctx.s3.remote, 'bench', 'hang')
    try {
      await s3Mount.mount()
      addRow(ctx, 'S3', await hangDetection(ctx, s3Mount, ctx.s3.server, 'S3'))
    } finally {
      await unmountManaged(s3Mount, true)
    }
    const sftp = await startSftp()
    const sftpMount = managed(ctx.rclone, sftp.remote, sftp.remotePath, 'hang-sftp')
    try {
      await sftpMount.mount()
      addRow(ctx, 'SFTP', await hangDetection(ctx, sftpMount, sftp.server, 'SFTP'))
    } finally {
      await unmountManaged(sftpMount, true)
      await sftp.server.stop()
    }
  },
}
