/** `rmount serve`: share one folder over SFTP to the holders of given keys, until Ctrl-C. */
import { parseArgs } from 'node:util'
import { RmountError } from '../../shared/errors.js'
import { RemoteServer } from '../engine/remote-server.js'
import { print } from './output.js'
import { stopSignals } from './stop-signals.js'

/** Runs `rmount serve`; resolves with the exit code. */
export async function serve(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'public-key': { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, 'read-only': { type: 'boolean' } },
  })
  const localPath = positionals[0]
  if (!localPath || !values['public-key'])
    throw new RmountError('INVALID_CONFIG', 'rmount serve needs a folder and --public-key FILE (an OpenSSH .pub file).')
  const server = new RemoteServer({
    localPath,
    publicKey: values['public-key'],
    host: values.host,
    port: values.port ? Number(values.port) : 0,
    readOnly: values['read-only'],
  })
  await server.start()
  print(`Serving ${localPath} over SFTP on ${server.host}:${server.port}`)
  print(`Host key fingerprint: ${server.hostKeyFingerprint}`)
  print(`known_hosts line: ${server.knownHostsLine}`)
  print(`Connect with: ${server.sshCommand}`)
  let stopping = false
  // An exit we did not ask for is a failure; the one stop() causes is not.
  const crashed = new Promise<number>((resolve) => server.once('exit', () => !stopping && resolve(1)))
  const stopped = stopSignals().graceful.then(async () => {
    stopping = true
    await server.stop()
    return 0
  })
  return Promise.race([crashed, stopped])
}
