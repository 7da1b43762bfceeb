/**
 * `npm run bench`: speed, cost and safety of the mount supervisor against local test servers (s3rver, OpenSSH
 * sshd), with the vendored rclone and the system's side by side. Prints one table (stdout; progress on stderr) and
 * exits non-zero when a section fails or a row misses its target.
 *
 *   npm run bench -- --section recovery,hang    only these sections (also BENCH_ONLY=recovery,hang)
 *   npm run bench -- --rclone vendor            only the vendored rclone (vendor, system)
 *   npm run bench -- --idle-window 30           seconds per idle-CPU window (default 15)
 *   npm run bench -- --request-window 60        seconds per request-count window (default 20, scaled to a minute)
 *   npm run bench -- --request-mount-options '{"writeBackMs": 1000}'   mount options for the request count
 */
import { cpus, loadavg, release } from 'node:os'
import { parseArgs } from 'node:util'
import { mountOptionOverridesSchema } from '../electron/engine/index.js'
import { cleanup, elapsedS, log, rclonesUnderTest, runSection, setUp, type BenchSettings, type Section } from './harness.js'
import { lagRows } from './loop-lag.js'
import { renderReport } from './report.js'
import { exitCode, type Row } from './rows.js'
import { crashLoop } from './sections/crash-loop.js'
import { hang } from './sections/hang.js'
import { idle } from './sections/idle.js'
import { mountTime } from './sections/mount-time.js'
import { recovery } from './sections/recovery.js'
import { requests } from './sections/requests.js'
import { serverRestart } from './sections/server-restart.js'
import { throughput } from './sections/throughput.js'

const sections: Section[] = [mountTime, recovery, hang, serverRestart, idle, throughput, crashLoop, requests]

function settingsFromArgs(): BenchSettings {
  const { values } = parseArgs({
    options: {
      section: { type: 'string', multiple: true },
      rclone: { type: 'string', multiple: true },
      'idle-window': { type: 'string', default: '15' },
      'request-window': { type: 'string', default: '20' },
      'request-mount-options': { type: 'string', default: '{}' },
    },
  })
  const list = (given: string[] | undefined) =>
    given
      ?.flatMap((value) => value.split(','))
      .map((value) => value.trim())
      .filter(Boolean)
  const wanted = list(values.section) ?? list(process.env.BENCH_ONLY ? [process.env.BENCH_ONLY] : undefined) ?? null
  const unknown = wanted?.filter((name) => !sections.some((section) => section.name === name)) ?? []
  if (unknown.length) throw new Error(`unknown section ${unknown.join(', ')}: the sections are ${sections.map((s) => s.name).join(', ')}`)
  const rclones = list(values.rclone) ?? ['vendor', 'system']
  const badRclone = rclones.filter((name) => !['vendor', 'system'].includes(name))
  if (badRclone.length) throw new Error(`unknown rclone ${badRclone.join(', ')}: use vendor or system`)
  const seconds = (text: string, flag: string) => {
    const value = Number(text)
    if (!Number.isFinite(value) || value < 1) throw new Error(`--${flag} takes seconds (1 or more), not ${text}`)
    return value
  }
  return {
    sections: wanted,
    rclones,
    idleWindowS: seconds(values['idle-window'], 'idle-window'),
    requestWindowS: seconds(values['request-window'], 'request-window'),
    requestMountOptions: mountOptionOverridesSchema.parse(JSON.parse(values['request-mount-options'])),
  }
}

let signalled = false

async function onSignal(signal: NodeJS.Signals): Promise<void> {
  // Ctrl-C reaches this process from the terminal and again relayed by tsx: the handler stays installed, so the
  // second one does not kill the process in the middle of its cleanup.
  if (signalled) return
  signalled = true
  log(`${signal}: cleaning up`)
  await Promise.race([cleanup(), new Promise((resolve) => setTimeout(resolve, 60_000))])
  process.exit(signal === 'SIGINT' ? 130 : 143)
}
process.on('SIGINT', (signal) => void onSignal(signal))
process.on('SIGTERM', (signal) => void onSignal(signal))

async function main(): Promise<number> {
  const settings = settingsFromArgs()
  const loadBefore = loadavg()[0]!
  const rclones = rclonesUnderTest(settings.rclones)
  const rows: Row[] = []
  const notes: string[] = []
  try {
    await setUp()
    for (const section of sections)
      if (!settings.sections || settings.sections.includes(section.name)) await runSection(section, rclones, settings, rows, notes)
    rows.push(...lagRows('hang, restart'))
  } finally {
    await cleanup()
  }
  const cpu = cpus()
  const environment = `Environment: Node ${process.version}, ${cpu.length} cores (${cpu[0]?.model.trim() ?? '?'}), Linux ${release()}, load average ${loadBefore.toFixed(2)} before / ${loadavg()[0]!.toFixed(2)} after (other work shares this machine), bench ran ${elapsedS().toFixed(0)} s`
  process.stdout.write(
    renderReport(
      rows,
      rclones.map((rclone) => rclone.label),
      environment,
      notes,
    ),
  )
  return exitCode(rows)
}

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    log(`bench: ${error instanceof Error ? error.stack : String(error)}`)
    await cleanup().catch(() => undefined)
    process.exit(2)
  },
)
