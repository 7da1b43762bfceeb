/** SSH key files for the test servers, made by the real ssh-keygen so the formats are exactly what OpenSSH writes. */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)

/** An ed25519 key pair on disk. */
export interface KeyPair {
  /** OpenSSH private key, no passphrase, mode 0600. */
  privateKeyFile: string
  /** `<privateKeyFile>.pub`. */
  publicKeyFile: string
  /** `ssh-ed25519 AAAA...` without the comment. */
  publicKey: string
  /** `SHA256:...` as `ssh-keygen -l` prints it. */
  fingerprint: string
}

/** Generates an ed25519 key pair at `file` (which must not exist yet). */
export async function generateKey(file: string, comment: string): Promise<KeyPair> {
  await execFileAsync('ssh-keygen', ['-t', 'ed25519', '-N', '', '-q', '-C', comment, '-f', file])
  const publicKeyFile = `${file}.pub`
  const [type = '', blob = ''] = (await readFile(publicKeyFile, 'utf8')).trim().split(/\s+/)
  return { privateKeyFile: file, publicKeyFile, publicKey: `${type} ${blob}`, fingerprint: fingerprintOf(blob) }
}

/** The OpenSSH SHA256 fingerprint of a base64 public key blob: unpadded base64 of its SHA-256. */
export function fingerprintOf(base64Blob: string): string {
  const digest = createHash('sha256').update(Buffer.from(base64Blob, 'base64')).digest('base64')
  return `SHA256:${digest.replace(/=+$/, '')}`
}

/** A known_hosts line for a server on a non-standard port, in the bracketed form ssh and rclone look up. */
export function knownHostsLine(host: string, port: number, publicKey: string): string {
  return `[${host}]:${port} ${publicKey}\n`
}
