/** `rmount serve`: share one folder over SFTP to the holders of given keys, until Ctrl-C. */
import { parseArgs } from 'node:util'
import { RemoteServer } from '../engine/index.js'
import { print, printError } from './output.js'
import { stopSignals } from './stop-signals.js'
import { exitCodes, UsageError } from './usage.js'

/** Runs `rmount serve`; resolves with the exit code. */
export async function serve(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'public-key': { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, 'read-only': { type: 'boolean' } },
  })
  const localPath = positionals[0]
  if (!localPath || !values['public-key']) throw new UsageError('rmount serve needs a folder and --public-key FILE (an OpenSSH .pub file).')
  if (positionals.length > 1) throw new UsageError(`rmount serve shares one folder; remove ${positionals.slice(1).join(' ')}.`)
  const port = values.port === undefined ? 0 : Number(values.port)
  if (!/^\d+$/.test(values.port ?? '0') || port > 65535) throw new UsageError('--port takes a number from 0 to 65535 (0: any free port).')
  // Listening before anything is printed: a Ctrl-C as soon as the address shows must stop the server, not kill us.
  const signals = stopSignals()
  const server = new RemoteServer({
    localPath,
    publicKey: values['public-key'],
    host: values.host,
    port,
    readOnly: values['read-only'],
  })
  await server.start()
  print(`Serving ${localPath} over SFTP on ${server.host}:${server.port}`)
  print(`Host key fingerprint: ${server.hostKeyFingerprint}`)
  print(`known_hosts line: ${server.knownHostsLine}`)
  print(`Connect with: ${server.sshCommand}`)
  if (server.exposureWarning) printError(`warning: ${server.exposureWarning}`)
  let stopping = false
  // An exit we did not ask for is a failure; the one stop() causes is not.
  const crashed = new Promise<number>((resolve) => server.once('exit', () => !stopping && resolve(exitCodes.failed)))
  const stopped = signals.graceful.then(async () => {
    stopping = true
    await server.stop()
    return exitCodes.ok
  })
  return Promise.race([crashed, stopped])
}
