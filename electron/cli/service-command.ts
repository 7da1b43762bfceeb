/** `rmount service install|uninstall --config FILE`: run `rmount up` as a systemd user service on a headless machine. */
import { execFile } from 'node:child_process'
import { mkdir, rm } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { parseArgs } from 'node:util'
import { configHome, loadConfigFile, writeAtomically } from '../engine/index.js'
import { print, printError } from './output.js'
import { serviceUnitName, serviceUnitText, userUnitPath } from './systemd-unit.js'
import { exitCodes, UsageError } from './usage.js'

const run = promisify(execFile)

/** `systemctl --user ARGS`; null when there is no user systemd to talk to (no systemctl, no user bus). */
async function systemctl(args: string[]): Promise<string | null> {
  try {
    await run('systemctl', ['--user', ...args], { timeout: 30_000 })
    return null
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string }
    return (stderr || message).trim().split('\n')[0] ?? message
  }
}

/** Runs `rmount service`; resolves with the exit code. */
export async function service(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { config: { type: 'string', short: 'c' } } })
  const action = positionals[0]
  if (action !== 'install' && action !== 'uninstall') throw new UsageError('rmount service takes install or uninstall.')
  if (!values.config) throw new UsageError(`rmount service ${action} needs --config FILE.`)
  const configFile = resolve(values.config)
  const unitName = serviceUnitName(configFile)
  const unitPath = userUnitPath(configHome(process.env, homedir()), unitName)

  if (action === 'uninstall') {
    const stopped = await systemctl(['disable', '--now', unitName])
    await rm(unitPath, { force: true })
    await systemctl(['daemon-reload'])
    print(`Removed ${unitPath}.`)
    if (stopped) printError(`systemctl --user disable --now ${unitName}: ${stopped}`)
    return exitCodes.ok
  }

  // Refused here rather than at the first boot: a broken config would make the service fail in a loop.
  await loadConfigFile(configFile)
  const script = fileURLToPath(new URL('./rmount.js', import.meta.url))
  await mkdir(dirname(unitPath), { recursive: true })
  await writeAtomically(unitPath, serviceUnitText({ configFile, node: process.execPath, script }), 0o644)
  print(`Wrote ${unitPath}.`)
  const problem = (await systemctl(['daemon-reload'])) ?? (await systemctl(['enable', '--now', unitName]))
  if (problem) {
    printError(
      `The unit is written but not enabled: systemctl --user did not work here (${problem}). ` +
        `On a machine with a user systemd run: systemctl --user daemon-reload && systemctl --user enable --now ${unitName}` +
        `; to keep it running while you are logged out: loginctl enable-linger ${process.env.USER ?? '$USER'}`,
    )
  } else print(`Enabled and started ${unitName}; it starts again at login (loginctl enable-linger keeps it running while logged out).`)
  print(`Its log: journalctl --user -u ${unitName} -f`)
  print(`Its state: systemctl --user status ${unitName}`)
  return problem ? exitCodes.failed : exitCodes.ok
}
