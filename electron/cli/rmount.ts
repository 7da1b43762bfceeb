#!/usr/bin/env node
/** `rmount`: the engine on a headless machine. check, up, serve, demo. */
import { parseArgs } from 'node:util'
import { RmountError } from '../../shared/errors.js'
import { checkSystem } from '../engine/system-check.js'
import { demo } from './demo-command.js'
import { errorText, print } from './output.js'
import { serve } from './serve-command.js'
import { up } from './up-command.js'

const usage = `rmount: keep remote storage mounted as local folders.

Usage:
  rmount check [--rclone PATH]                 report what this machine has and lacks; exit 1 when something is missing
  rmount up --config FILE                      mount everything in FILE, supervise until Ctrl-C, then unmount gracefully
  rmount serve DIR --public-key FILE [--port N] [--host ADDR] [--read-only]
                                               share DIR over SFTP to the holders of the keys in FILE
  rmount demo                                  share a demo folder on 127.0.0.1, mount it, and show its health

Ctrl-C once unmounts after pending uploads are on the remote; twice unmounts at once (pending files stay in the cache
and upload at the next mount).`

async function check(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { rclone: { type: 'string' } } })
  const report = await checkSystem({ rclonePath: values.rclone })
  for (const item of report.items)
    print(`${item.ok ? 'ok     ' : 'MISSING'} ${item.name}: ${item.detail}${item.fix ? `\n        fix: ${item.fix}` : ''}`)
  return report.ok ? 0 : 1
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  switch (command) {
    case 'check':
      return check(rest)
    case 'up':
      return up(rest)
    case 'serve':
      return serve(rest)
    case 'demo':
      return demo()
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      print(usage)
      return command === undefined ? 2 : 0
    default:
      print(`Unknown command ${command}.\n\n${usage}`)
      return 2
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`rmount: ${errorText(error)}\n`)
    process.exit(error instanceof RmountError && error.code === 'INVALID_CONFIG' ? 2 : 1)
  },
)
