/**
 * The local demo: a folder on this machine shared by a RemoteServer on 127.0.0.1, and the SFTP remote
 * that reaches it with a key made for it and the server's pinned host key. No account, no network.
 */
import { generateKeyPairSync } from 'node:crypto'
import { access, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { SftpRemote } from '../../shared/config.js'
import { ed25519PublicBlob } from './host-key.js'
import { RemoteServer } from './remote-server.js'

export interface DemoShare {
  server: RemoteServer
  /** The folder the server shares. */
  sharedPath: string
  /** The remote that mounts it (remote path ''). */
  remote: Omit<SftpRemote, 'password' | 'keyPassphrase'>
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  )
}

/** Starts the demo share kept in `dir` (created the first time; its key and host key are reused later). */
export async function startDemoShare(dir: string): Promise<DemoShare> {
  const sharedPath = join(dir, 'shared')
  const keyFile = join(dir, 'client_ed25519')
  await mkdir(sharedPath, { recursive: true, mode: 0o700 })
  if (!(await exists(join(sharedPath, 'README.txt')))) {
    await writeFile(
      join(sharedPath, 'README.txt'),
      'This folder is shared by the RMount demo over SFTP on 127.0.0.1, and mounted through rclone.\n',
    )
  }
  if (!(await exists(keyFile))) {
    const { privateKey } = generateKeyPairSync('ed25519')
    await writeFile(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 })
    await writeFile(`${keyFile}.pub`, `ssh-ed25519 ${ed25519PublicBlob(privateKey).toString('base64')} rmount-demo\n`)
  }
  const server = new RemoteServer({ localPath: sharedPath, publicKey: `${keyFile}.pub`, stateDir: join(dir, 'server') })
  await server.start()
  const knownHostsFile = join(dir, 'known_hosts')
  await writeFile(knownHostsFile, `${server.knownHostsLine}\n`, { mode: 0o600 })
  return { server, sharedPath, remote: { type: 'sftp', host: server.host, port: server.port, user: server.user, keyFile, knownHostsFile } }
}
