/** `rmount up`: mount everything a config file lists, supervise until Ctrl-C, then unmount without losing uploads. */
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { RmountError } from '../../shared/errors.js'
import type { LogLine } from '../../shared/mount-state.js'
import {
  loadConfigFile,
  mountsFromConfig,
  fileHostKeyPins,
  pendingUploadTotals,
  rmountStateHome,
  type RemoteMount,
  UploadFailures,
} from '../engine/index.js'
import { watchKeys } from './keys.js'
import { errorText, print, printError, reportState } from './output.js'
import { stopSignals, type StopSignals } from './stop-signals.js'
import { progressLine, rateBetween, retryLine, type TransferSample } from './upload-report.js'
import { exitCodes, UsageError } from './usage.js'

/** How often the files still waiting to upload are reported. */
const progressIntervalMs = 5000

/** How an unmount of all mounts ended. */
export interface UnmountAllResult {
  failures: number
  /** Files that stay in the cache because the unmount was forced. */
  filesLeft: number
}

/** Once asked to stop, unmounts all, waiting for uploads until a second signal forces it. */
export async function unmountAll(mounts: Map<string, RemoteMount>, signals: StopSignals): Promise<UnmountAllResult> {
  await signals.graceful
  print('Unmounting after pending uploads; press Ctrl-C again to unmount at once.')
  const outcome: UnmountAllResult = { failures: 0, filesLeft: 0 }
  await Promise.all(
    [...mounts].map(async ([name, mount]) => {
      try {
        const graceful = mount.unmount({ timeoutMs: 24 * 3600_000 })
        const result = await Promise.race([graceful, signals.forced.then(() => mount.unmount({ force: true }))])
        outcome.filesLeft += result.pendingFiles.length
        if (result.pendingFiles.length)
          printError(
            `[${name}] ${result.pendingFiles.length} file(s) stay in the cache and upload at the next mount: ${result.pendingFiles.join(', ')}`,
          )
      } catch (error) {
        outcome.failures += 1
        printError(`[${name}] unmount failed: ${errorText(error)}`)
      }
    }),
  )
  return outcome
}

/** The exit code for how the unmount ended: a failure outweighs files left in the cache. */
export function unmountExitCode(result: UnmountAllResult): number {
  return result.failures ? exitCodes.failed : result.filesLeft ? exitCodes.filesLeftInCache : exitCodes.ok
}

/**
 * Keeps a terminal informed about uploads, which otherwise go quiet for minutes when the remote is slow
 * or fails: each failed try as rclone logs it, with its next try, and every few seconds while files wait,
 * how many, how many bytes, and how fast they go. Returns the function that stops reporting.
 */
export function reportUploads(mounts: Map<string, RemoteMount>): () => void {
  const failures = new Map([...mounts.keys()].map((name) => [name, new UploadFailures()]))
  const unsubscribe = [...mounts].map(([name, mount]) => {
    const onLog = (line: LogLine) => {
      const failure = failures.get(name)!.observe(line)
      if (failure) printError(retryLine(name, failure))
    }
    mount.on('log', onLog)
    return () => mount.off('log', onLog)
  })
  const samples = new Map<string, TransferSample>()
  const timer = setInterval(() => {
    for (const [name, mount] of mounts) {
      const health = mount.health()
      const sample = { bytes: health.transfer.bytes, time: Date.now() }
      const before = samples.get(name)
      samples.set(name, sample)
      void pendingUploadTotals(mount.paths.cacheDir).then((left) => {
        const files = Math.max(left.files, health.pendingUploads + health.uploadsInProgress)
        const rate = before ? rateBetween(before, sample) : null
        if (files > 0) print(progressLine(name, { files, bytes: left.bytes }, rate, failures.get(name)!.current()))
        else failures.get(name)!.clear()
      })
    }
  }, progressIntervalMs)
  return () => {
    clearInterval(timer)
    unsubscribe.forEach((off) => off())
  }
}

async function supervise(mounts: Map<string, RemoteMount>): Promise<number> {
  const signals = stopSignals()
  for (const [name, mount] of mounts) mount.on('state', (_state, health) => reportState(name, health))
  const stopReporting = reportUploads(mounts)
  try {
    const results = await Promise.allSettled([...mounts].map(([, mount]) => mount.mount()))
    results.forEach((result, i) => {
      const [name, mount] = [...mounts][i]!
      // A mount that failed has said why in its state line already.
      if (result.status === 'rejected' && mount.state !== 'failed') printError(`[${name}] ${errorText(result.reason)}`)
    })
    if (results.every((r) => r.status === 'rejected')) return exitCodes.failed
    const stopKeys = watchKeys(process.stdin, mounts, print, () => process.emit('SIGINT'))
    void signals.graceful.then(stopKeys)
    const code = unmountExitCode(await unmountAll(mounts, signals))
    return results.some((r) => r.status === 'rejected') ? exitCodes.failed : code
  } finally {
    stopReporting()
  }
}

/** Runs `rmount up`; resolves with the exit code. */
export async function up(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' }, 'require-pin': { type: 'boolean' } } })
  if (!values.config) throw new UsageError('rmount up needs --config FILE (the JSON file the desktop app exports).')
  const { config, warnings } = await loadConfigFile(values.config)
  warnings.forEach((w) => printError(`warning: ${w}`))
  if (config.mounts.length === 0) throw new RmountError('INVALID_CONFIG', `${values.config} has no mounts: add one under "mounts".`)
  const hostKeyPins = fileHostKeyPins(join(rmountStateHome(), 'host-keys.json'), { requirePin: values['require-pin'] })
  return supervise(mountsFromConfig(config, { hostKeyPins }))
}
