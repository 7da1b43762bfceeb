/** Reading the config file `rmount up --config` takes: the same shape the desktop app stores and exports. */
import { readFile, stat } from 'node:fs/promises'
import { configFileSchema, describeIssues, s3AddressingWarning, type ConfigFile, type SavedMount } from '../../shared/config.js'
import { RmountError } from '../../shared/errors.js'
import { describeJsonSyntaxError } from '../../shared/json-syntax.js'
import type { HostKeyPins } from './host-key-pin.js'
import { RemoteMount } from './remote-mount.js'

/** Reads and checks a config file; secrets are never quoted back, and warnings say what may go wrong. */
export async function loadConfigFile(path: string): Promise<{ config: ConfigFile; warnings: string[] }> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new RmountError(
      'INVALID_CONFIG',
      code === 'ENOENT' ? `The config file ${path} does not exist: check the path.` : `The config file ${path} cannot be read (${code}).`,
    )
  }
  let json: unknown
  // Editors on some systems start a UTF-8 file with a byte-order mark, which JSON.parse refuses.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  try {
    json = JSON.parse(text)
  } catch {
    // JSON.parse's message quotes the text around the error, which may be a secret: say only where.
    throw new RmountError(
      'INVALID_CONFIG',
      `The config file ${path} is not valid JSON at ${describeJsonSyntaxError(text)}. Fix the syntax there.`,
    )
  }
  const parsed = configFileSchema.safeParse(json)
  if (!parsed.success) throw new RmountError('INVALID_CONFIG', `The config file ${path} has errors:\n${describeIssues(parsed.error)}`)
  // A config file may come from someone else, and rclonePath names a program `rmount up` would run.
  const withProgram = parsed.data.mounts.findIndex((mount) => mount.options.rclonePath !== undefined)
  if (withProgram !== -1)
    throw new RmountError(
      'INVALID_CONFIG',
      `The config file ${path} has errors:\nmounts.${withProgram}.options.rclonePath: a config file may not name a program to run. Remove it: rmount uses its bundled rclone, else the first rclone on PATH.`,
    )
  const warnings: string[] = []
  for (const { id, remote } of parsed.data.remotes) {
    const addressing = remote.type === 's3' ? s3AddressingWarning(remote) : null
    if (addressing) warnings.push(`Remote "${id}": ${addressing}`)
  }
  const inlineSecrets = parsed.data.remotes.some(({ remote }) =>
    remote.type === 's3'
      ? typeof remote.secretAccessKey === 'string'
      : typeof remote.password === 'string' || typeof remote.keyPassphrase === 'string',
  )
  if (inlineSecrets && ((await stat(path)).mode & 0o077) !== 0) {
    warnings.push(`${path} holds secrets and others can read it: run chmod 600 ${path}, or give secrets as { "env": "VARIABLE" }.`)
  }
  return { config: parsed.data, warnings }
}

/** One RemoteMount per mount of the config, keyed by the mount's id; SFTP hosts without a fingerprint are pinned in `hostKeyPins`. */
export function mountsFromConfig(config: ConfigFile, options: { hostKeyPins?: HostKeyPins } = {}): Map<string, RemoteMount> {
  const remotes = new Map(config.remotes.map((r) => [r.id, r.remote]))
  return new Map(
    config.mounts.map((mount: SavedMount) => [
      mount.id,
      new RemoteMount(remotes.get(mount.remoteId)!, mount.remotePath, mount.localPath, { ...mount.options, ...options }),
    ]),
  )
}
