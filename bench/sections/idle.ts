/**
 * Idle cost: CPU of the supervisor plus its folder helper (the FsProbe child), with rclone's shown apart, for 0
 * and 1 mount, 50 mounts of one shared remote (one probe a second for all) and 50 mounts of 50 different remotes
 * (50 buckets: 50 probes a second); memory per mount as the supervisor's share and rclone's PSS.
 */
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { sharedFsProbe, type MountState, type RemoteMount } from '../../electron/engine/index.js'
import { log, managed, manyBuckets, unmountAll, type Section, type SectionContext } from '../harness.js'
import { cpuMs, mib, pssBytes, totalCpuMs, totalPssBytes } from '../proc.js'

interface IdleSample {
  supervisor: number
  helper: number
  rclone: number
  server: number
  /** State changes away from 'mounted' during the window. */
  leftService: number
  helperReplaced: boolean
}

function rclonePids(mounts: readonly RemoteMount[]): number[] {
  return mounts.map((mount) => mount.health().pid).filter((pid): pid is number => pid !== null)
}

/** CPU over one idle window, in % of a core. */
async function measure(ctx: SectionContext, mounts: readonly RemoteMount[]): Promise<IdleSample> {
  await sleep(mounts.length ? 3000 : 500)
  let leftService = 0
  const onState = (state: MountState) => {
    if (state !== 'mounted') leftService++
  }
  for (const mount of mounts) mount.on('state', onState)
  const helperPid = sharedFsProbe().pid
  const rclones = rclonePids(mounts)
  const server = ctx.s3.server.pids()
  const before = {
    self: process.cpuUsage(),
    helper: helperPid ? await cpuMs(helperPid) : 0,
    rclone: await totalCpuMs(rclones),
    server: await totalCpuMs(server),
  }
  const t0 = performance.now()
  await sleep(ctx.settings.idleWindowS * 1000)
  const self = process.cpuUsage(before.self)
  const after = { helper: helperPid ? await cpuMs(helperPid) : 0, rclone: await totalCpuMs(rclones), server: await totalCpuMs(server) }
  const wallMs = performance.now() - t0
  for (const mount of mounts) mount.off('state', onState)
  const pct = (cpu: number) => (cpu / wallMs) * 100
  return {
    supervisor: pct((self.user + self.system) / 1000),
    helper: pct(after.helper - before.helper),
    rclone: pct(after.rclone - before.rclone),
    server: pct(after.server - before.server),
    leftService,
    helperReplaced: sharedFsProbe().pid !== helperPid,
  }
}

async function mountAll(ctx: SectionContext, mounts: RemoteMount[], want: number, bucket: (i: number) => string): Promise<void> {
  const started = performance.now()
  // Parallel batches of five, as an app starting with many saved mounts would do.
  while (mounts.length < want) {
    const batch = Array.from({ length: Math.min(5, want - mounts.length) }, (_, k) =>
      managed(ctx.rclone, ctx.s3.remote, bucket(mounts.length + k), 'idle'),
    )
    mounts.push(...batch)
    await Promise.all(batch.map((mount) => mount.mount()))
  }
  log(`idle: ${want} mounted (${((performance.now() - started) / 1000).toFixed(1)} s)`)
}

/** Supervisor and helper PSS together. */
async function supervisorPss(): Promise<number> {
  const helperPid = sharedFsProbe().pid
  return (await pssBytes('self')) + (helperPid ? await pssBytes(helperPid) : 0)
}

export const idle: Section = {
  name: 'idle',
  title: 'idle CPU and memory: 0, 1, 50 mounts of one remote, 50 mounts of 50 remotes',
  perRclone: true,
  async run(ctx) {
    const windowText = `${ctx.settings.idleWindowS} s window`
    const report = (what: string, sample: IdleSample, target: boolean, bestCase?: string, whyMiss?: string) => {
      ctx.add({
        name: `Idle CPU, supervisor + folder helper, ${what} (${windowText})`,
        value: sample.supervisor + sample.helper,
        unit: '% of a core',
        detail: `(supervisor ${sample.supervisor.toFixed(2)}, helper ${sample.helper.toFixed(2)})`,
        ...(target ? { target: { op: '<' as const, limit: 2, text: '< 2 % of a core' } } : {}),
        bestCase,
        whyMiss,
      })
      ctx.add({
        name: `(info) Idle CPU of rclone, ${what}, all its processes together`,
        value: sample.rclone,
        unit: '% of a core',
        detail: `(s3rver meanwhile ${sample.server.toFixed(2)} %)`,
      })
      if (sample.leftService) ctx.note(`${what}: ${sample.leftService} state change(s) away from 'mounted' during the idle window`)
      if (sample.helperReplaced)
        ctx.note(`${what}: the folder helper was replaced during the window (a probe timed out); its CPU before that is not counted`)
    }
    const mounts: RemoteMount[] = []
    try {
      // Starts the helper, so the no-mount window counts it like the others.
      await sharedFsProbe().run({ op: 'stat', path: '/' }, 2000)
      const pss0 = await supervisorPss()
      report('no mount (servers only)', await measure(ctx, mounts), false)
      await mountAll(ctx, mounts, 1, () => 'bench')
      report('1 mount', await measure(ctx, mounts), false)
      await mountAll(ctx, mounts, 50, () => 'bench')
      const shared = await measure(ctx, mounts)
      report('50 mounts of one remote', shared, true, 'one remote: the 50 mounts share one probe a second')
      await unmountAll(mounts)
      mounts.length = 0
      await mountAll(ctx, mounts, 50, (i) => manyBuckets[i]!)
      const distinct = await measure(ctx, mounts)
      // The two 50-mount windows differ only in the number of remote probes a second: 50 against 1.
      const perProbeMs = (((distinct.supervisor + distinct.helper - shared.supervisor - shared.helper) / 100) * 1000) / 49
      report(
        '50 mounts of 50 remotes',
        distinct,
        true,
        undefined,
        `every remote gets its own probe each second (an rc operations/stat through its rclone): 49 more probes a second than with one shared remote, at about ${perProbeMs.toFixed(2)} ms of supervisor CPU each on this machine`,
      )
      const [pss50, rclonePss] = [await supervisorPss(), await totalPssBytes(rclonePids(mounts))]
      ctx.add({
        name: '(info) Memory per mount, supervisor + helper share: (PSS with 50 mounts − PSS with none) / 50',
        value: mib((pss50 - pss0) / 50),
        unit: 'MiB',
        detail: `(${mib(pss0).toFixed(1)} → ${mib(pss50).toFixed(1)} MiB)`,
      })
      ctx.add({
        name: '(info) Memory per mount, rclone: PSS summed over 50 mounts / 50',
        value: mib(rclonePss / 50),
        unit: 'MiB',
        detail: `(sum ${mib(rclonePss).toFixed(1)} MiB)`,
      })
    } finally {
      await unmountAll(mounts, true)
    }
  },
}
