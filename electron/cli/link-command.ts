/** `rmount link FILE --config CONFIG [--expire 1h]`: a share link for a file in a mounted folder. */
import { parseArgs } from 'node:util'
import { linkTarget, loadConfigFile, shareLink } from '../engine/index.js'
import { print } from './output.js'
import { exitCodes, UsageError } from './usage.js'

/** Runs `rmount link`; resolves with the exit code. */
export async function link(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { config: { type: 'string', short: 'c' }, expire: { type: 'string', default: '1h' } },
  })
  const file = positionals[0]
  if (!file || !values.config) throw new UsageError('rmount link needs a file and --config FILE (the config that mounts its folder).')
  if (positionals.length > 1) throw new UsageError(`rmount link takes one file; remove ${positionals.slice(1).join(' ')}.`)
  const { config } = await loadConfigFile(values.config)
  const { mount, remotePath } = linkTarget(config.mounts, file)
  const remote = config.remotes.find((r) => r.id === mount.remoteId)!.remote
  print(await shareLink(remote, remotePath, { expire: values.expire }))
  return exitCodes.ok
}
