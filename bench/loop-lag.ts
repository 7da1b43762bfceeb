/**
 * Event-loop delay of the supervisor while a server hangs or is down: the windows open around each outage, and
 * the report gets one row per rclone with the worst window. Sampling runs only inside the windows, since its 1 ms
 * timer costs CPU that would spoil the idle numbers.
 */
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Row } from './rows.js'

interface LagWindow {
  column: string
  name: string
  control: boolean
  maxMs: number
  p99Ms: number
  /** The longest stall during which this process was on a CPU: a stall without CPU time is the scheduler's doing. */
  onCpuMs: number
  gcMs: number
}

const loopDelay = monitorEventLoopDelay({ resolution: 1 })
const windows: LagWindow[] = []
let open: { column: string; name: string; control: boolean; gcMs: number; onCpuMs: number; timer: NodeJS.Timeout } | null = null
// GC pauses inside the windows, to tell the collector's share of the delay from the supervisor's own work.
const gcObserver = new PerformanceObserver((list) => {
  if (open) for (const entry of list.getEntries()) open.gcMs = Math.max(open.gcMs, entry.duration)
})

function start(column: string, name: string, control: boolean): void {
  if (windows.length === 0 && !open) gcObserver.observe({ entryTypes: ['gc'] })
  loopDelay.reset()
  loopDelay.enable()
  // On a loaded two-core machine the thread also waits for a CPU. The CPU time this process used across a stall
  // (all its threads, so an upper bound) tells a blocked event loop from a descheduled one.
  let lastWall = performance.now()
  let lastCpu = process.cpuUsage()
  const timer = setInterval(() => {
    const wall = performance.now()
    const cpu = process.cpuUsage()
    const stall = wall - lastWall
    if (open && stall > 5)
      open.onCpuMs = Math.max(open.onCpuMs, Math.min(stall, (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000))
    lastWall = wall
    lastCpu = cpu
  }, 1)
  open = { column, name, control, gcMs: 0, onCpuMs: 0, timer }
}

function end(): void {
  if (!open) return
  loopDelay.disable()
  clearInterval(open.timer)
  if (loopDelay.count > 0)
    windows.push({
      column: open.column,
      name: open.name,
      control: open.control,
      maxMs: loopDelay.max / 1e6,
      p99Ms: loopDelay.percentile(99) / 1e6,
      onCpuMs: open.onCpuMs,
      gcMs: open.gcMs,
    })
  open = null
}

/** Measures the event-loop delay while `during` runs (an outage: from the freeze or stop until the mount noticed). */
export async function lagWindow<T>(column: string, name: string, during: () => Promise<T>): Promise<T> {
  start(column, name, false)
  try {
    return await during()
  } finally {
    end()
  }
}

/** The same measurement with nothing hung, for comparison: what this machine does to the event loop anyway. */
export async function controlWindow(column: string, name: string, ms: number): Promise<void> {
  start(column, `${name} control`, true)
  try {
    await sleep(ms)
  } finally {
    end()
  }
}

/** One row per rclone: the worst delay over its outage windows, target ≤ 20 ms. */
export function lagRows(section: string): Row[] {
  const columns = [...new Set(windows.map((w) => w.column))]
  return columns.flatMap((column) => {
    const outages = windows.filter((w) => w.column === column && !w.control)
    const controls = windows.filter((w) => w.column === column && w.control)
    if (outages.length === 0) return []
    const max = (list: LagWindow[], pick: (w: LagWindow) => number) => Math.max(0, ...list.map(pick))
    const byName = new Map<string, number>()
    for (const w of outages) byName.set(w.name, Math.max(byName.get(w.name) ?? 0, w.maxMs))
    const worst = max(outages, (w) => w.maxMs)
    const detail = [
      `per kind: ${[...byName].map(([name, value]) => `${name} ${value.toFixed(1)}`).join(', ')}`,
      `worst p99 ${max(outages, (w) => w.p99Ms).toFixed(1)}`,
      `longest stall with the process on CPU ${max(outages, (w) => w.onCpuMs).toFixed(1)}`,
      `longest GC pause ${max(outages, (w) => w.gcMs).toFixed(1)}`,
      ...(controls.length ? [`control windows with nothing hung: max ${max(controls, (w) => w.maxMs).toFixed(1)}`] : []),
    ]
    const target = { op: '<=' as const, limit: 20, text: '≤ 20 ms' }
    const rows: Row[] = [
      {
        section,
        name: `Event-loop delay, max over ${outages.length} hang/outage windows (1 ms sampling)`,
        column,
        value: worst,
        unit: 'ms',
        detail: `(${detail.join('; ')} ms)`,
        target,
        whyMiss:
          'compare the control windows and the next row: a stall with the process mostly off CPU is this loaded 2-core machine descheduling it, not work on the event loop',
      },
      {
        section,
        name: 'Event-loop delay, the longest stall during which the supervisor was on a CPU (its own work: the part it controls)',
        column,
        value: max(outages, (w) => w.onCpuMs),
        unit: 'ms',
        target,
      },
    ]
    return rows
  })
}

/** Stops listening for GC events, so the process can exit. */
export function stopLagObserver(): void {
  gcObserver.disconnect()
}
