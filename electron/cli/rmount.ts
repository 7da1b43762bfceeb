#!/usr/bin/env node
/** `rmount`: the engine on a headless machine. check, up, serve, demo. */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { RmountError } from '../../shared/errors.js'
import { checkSystem } from '../engine/index.js'
import { demo } from './demo-command.js'
import { errorText, print, printError } from './output.js'
import { link } from './link-command.js'
import { serve } from './serve-command.js'
import { service } from './service-command.js'
import { up } from './up-command.js'
import { commandUsage, exitCodes, isCommandName, usage, UsageError, type CommandName } from './usage.js'

async function check(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { rclone: { type: 'string' } } })
  const report = await checkSystem({ rclonePath: values.rclone })
  for (const item of report.items)
    print(
      `${item.ok ? 'ok     ' : item.optional ? 'WARNING' : 'MISSING'} ${item.name}: ${item.detail}${item.fix ? `\n        fix: ${item.fix}` : ''}`,
    )
  return report.ok ? 0 : 1
}

/** The version in RMount's package.json, found upward from this file (in dist/ or run from source). */
function version(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string }
      if (pkg.name === 'rmount' && pkg.version) return pkg.version
    } catch {
      // No package.json at this level: look one up.
    }
  }
  return 'unknown'
}

const commands: Record<CommandName, (args: string[]) => Promise<number>> = { check, up, serve, demo, service, link }

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === '--version' || command === '-V') {
    print(version())
    return exitCodes.ok
  }
  if (command === undefined) throw new UsageError('Give a command.')
  if (command === '--help' || command === '-h' || command === 'help') {
    const topic = rest[0]
    print(topic && isCommandName(topic) ? commandUsage[topic] : usage)
    return exitCodes.ok
  }
  if (!isCommandName(command)) throw new UsageError(`Unknown command ${JSON.stringify(command)}.`)
  // Help comes before anything the command does: \`demo --help\` must not start the demo.
  if (rest.includes('--help') || rest.includes('-h')) {
    print(commandUsage[command])
    return exitCodes.ok
  }
  try {
    return await commands[command](rest)
  } catch (error) {
    // node:util parseArgs reports unknown options and missing values with these codes.
    if ((error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS_')) throw new UsageError((error as Error).message, command)
    if (error instanceof UsageError && !error.command) throw new UsageError(error.message, command)
    throw error
  }
}

/** The exit code for an error that ended a command, printed once on stderr. */
function reportFailure(error: unknown): number {
  if (error instanceof UsageError) {
    printError(`rmount: ${error.message}\n\n${error.command ? commandUsage[error.command] : usage}`)
    return exitCodes.usage
  }
  printError(`rmount: ${errorText(error)}`)
  return error instanceof RmountError && error.code === 'INVALID_CONFIG' ? exitCodes.usage : exitCodes.failed
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => process.exit(reportFailure(error)),
)
