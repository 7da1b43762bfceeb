/** `rmount up`: mount everything a config file lists, supervise until Ctrl-C, then unmount without losing uploads. */
import { parseArgs } from 'node:util'
import { RmountError } from '../../shared/errors.js'
import { loadConfigFile, mountsFromConfig } from '../engine/config-file.js'
import type { RemoteMount } from '../engine/remote-mount.js'
import { describeHealth, errorText, print } from './output.js'
import { stopSignals, type StopSignals } from './stop-signals.js'

/** Once asked to stop, unmounts all, waiting for uploads until a second signal forces it. Returns the number that failed. */
export async function unmountAll(mounts: Map<string, RemoteMount>, signals: StopSignals): Promise<number> {
  await signals.graceful
  print('Unmounting after pending uploads; press Ctrl-C again to unmount at once.')
  let failures = 0
  await Promise.all(
    [...mounts].map(async ([name, mount]) => {
      try {
        const graceful = mount.unmount({ timeoutMs: 24 * 3600_000 })
        const result = await Promise.race([graceful, signals.forced.then(() => mount.unmount({ force: true }))])
        if (result.pendingFiles.length)
          print(
            `[${name}] ${result.pendingFiles.length} file(s) stay in the cache and upload at the next mount: ${result.pendingFiles.join(', ')}`,
          )
      } catch (error) {
        failures += 1
        print(`[${name}] unmount failed: ${errorText(error)}`)
      }
    }),
  )
  return failures
}

async function supervise(mounts: Map<string, RemoteMount>): Promise<number> {
  const signals = stopSignals()
  for (const [name, mount] of mounts) mount.on('state', (_state, health) => print(describeHealth(name, health)))
  const results = await Promise.allSettled([...mounts].map(([, mount]) => mount.mount()))
  results.forEach((result, i) => {
    if (result.status === 'rejected') print(`[${[...mounts.keys()][i]}] ${errorText(result.reason)}`)
  })
  if (results.every((r) => r.status === 'rejected')) return 1
  const failures = await unmountAll(mounts, signals)
  return failures || results.some((r) => r.status === 'rejected') ? 1 : 0
}

/** Runs `rmount up`; resolves with the exit code. */
export async function up(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' } } })
  if (!values.config) throw new RmountError('INVALID_CONFIG', 'rmount up needs --config FILE (the JSON file the desktop app exports).')
  const { config, warnings } = await loadConfigFile(values.config)
  warnings.forEach((w) => print(`warning: ${w}`))
  if (config.mounts.length === 0) throw new RmountError('INVALID_CONFIG', `${values.config} has no mounts: add one under "mounts".`)
  return supervise(mountsFromConfig(config))
}
