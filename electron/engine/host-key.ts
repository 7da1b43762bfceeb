/** SSH keys for the built-in SFTP server: its stable host key, fingerprints, and the clients' public keys. */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { RmountError } from '../../shared/errors.js'

/** The server's host key as clients see it. */
export interface HostKey {
  /** PEM file (PKCS#8) given to `rclone serve sftp --key`. */
  privateKeyFile: string
  /** OpenSSH public key line: `ssh-ed25519 AAAA...`. */
  publicKey: string
  /** `SHA256:...`, as `ssh-keygen -lf` prints it. */
  fingerprint: string
}

/** An SSH string: uint32 big-endian length, then the bytes. */
function sshString(bytes: Uint8Array): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(bytes.length)
  return Buffer.concat([length, bytes])
}

/** The SSH wire-format public key of an ed25519 key (RFC 8709): string "ssh-ed25519", string key. */
export function ed25519PublicBlob(key: KeyObject): Buffer {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key
  // The SPKI DER of an ed25519 key ends with the 32 raw key bytes.
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32)
  return Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(raw)])
}

/** `SHA256:` + unpadded base64 of the SHA-256 of the wire-format key: OpenSSH's default fingerprint. */
export function fingerprintOf(blob: Uint8Array): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')
}

/** File name of the host key inside the state folder; the public half is written next to it with `.pub`. */
export const hostKeyFileName = 'host_ed25519_key'

/**
 * Loads the ed25519 host key kept in `dir`, creating it (0600, in a 0700 folder) the first time.
 * The key must outlive restarts: clients pin it, and a new key would look like an attack to them.
 * PKCS#8 PEM is what Node writes and Go's ssh.ParsePrivateKey (hence rclone) reads.
 */
export async function loadOrCreateHostKey(dir: string): Promise<HostKey> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  // mkdir leaves an existing folder's mode alone; the key must not be readable by others.
  await chmod(dir, 0o700)
  const privateKeyFile = join(dir, hostKeyFileName)
  let pem: string
  try {
    pem = await readFile(privateKeyFile, 'utf8')
    if (((await stat(privateKeyFile)).mode & 0o077) !== 0) await chmod(privateKeyFile, 0o600)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw hostKeyError(privateKeyFile, error)
    pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
    try {
      // 'wx': when two servers for the same folder start at once, the first key written wins.
      await writeFile(privateKeyFile, pem, { mode: 0o600, flag: 'wx' })
    } catch (writeError) {
      if ((writeError as NodeJS.ErrnoException).code !== 'EEXIST') throw hostKeyError(privateKeyFile, writeError)
      pem = await readFile(privateKeyFile, 'utf8')
    }
  }
  let key: KeyObject
  try {
    key = createPrivateKey(pem)
  } catch (cause) {
    throw hostKeyError(privateKeyFile, cause)
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw hostKeyError(privateKeyFile, new Error(`it is a ${key.asymmetricKeyType} key, not ed25519`))
  const blob = ed25519PublicBlob(key)
  const publicKey = `ssh-ed25519 ${blob.toString('base64')}`
  // Handy for people who want to pin the key by hand; rclone itself only reads the private file.
  await writeFile(`${privateKeyFile}.pub`, `${publicKey} rmount-server\n`, { mode: 0o644 })
  return { privateKeyFile, publicKey, fingerprint: fingerprintOf(blob) }
}

function hostKeyError(file: string, cause: unknown): RmountError {
  return new RmountError(
    'SERVER_FAILED',
    `The server's host key ${file} could not be used (${(cause as Error).message}). Fix its permissions, or delete it to make a new one (clients that pinned the old key must then pin the new one).`,
    { cause },
  )
}

/** One client key accepted by the server. */
export interface AuthorizedKey {
  type: string
  /** base64 of the wire-format key. */
  data: string
  comment: string
  fingerprint: string
}

const keyTypePattern = /^(?:ssh-(?:ed25519|rsa|dss)|ecdsa-sha2-nistp(?:256|384|521)|sk-(?:ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)$/

/**
 * Parses OpenSSH public key text (a `.pub` file, or authorized_keys without options), strictly:
 * blank lines and `#` comments are skipped, anything else that is not a plain key is an INVALID_CONFIG
 * error naming the line. Strict because rclone ignores authorized_keys options such as `from=` or
 * `command=`, so accepting them would grant more than the file says; and rclone before 1.69 refuses
 * the whole file when it ends with a comment, so the server is given only the lines parsed here.
 */
export function parseAuthorizedKeys(text: string, source: string): AuthorizedKey[] {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    throw new RmountError('INVALID_CONFIG', `${source} is a private key: give the public key file instead (the one ending in .pub).`)
  }
  const keys: AuthorizedKey[] = []
  const lines = text.split(/\r?\n/)
  for (const [index, rawLine] of lines.entries()) {
    const line = rawLine.trim()
    if (!line || line.startsWith('#')) continue
    const [type = '', data = '', ...comment] = line.split(/\s+/)
    const where = `${source} line ${index + 1}`
    if (!keyTypePattern.test(type)) {
      const hasOptions = line.split(/\s+/).some((token) => keyTypePattern.test(token))
      const hint = hasOptions ? ' rclone ignores authorized_keys options such as from= or command=, so remove them.' : ''
      throw new RmountError('INVALID_CONFIG', `${where} is not an OpenSSH public key (expected "ssh-ed25519 AAAA... comment").${hint}`)
    }
    const blob = Buffer.from(data, 'base64')
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(data) || blob.length < 4 || blob.subarray(4, 4 + blob.readUInt32BE(0)).toString('latin1') !== type) {
      throw new RmountError('INVALID_CONFIG', `${where}: the ${type} key data is damaged (copy the whole line from the .pub file again).`)
    }
    keys.push({ type, data, comment: comment.join(' '), fingerprint: fingerprintOf(blob) })
  }
  if (keys.length === 0)
    throw new RmountError('INVALID_CONFIG', `${source} contains no public key: give an OpenSSH .pub file such as ~/.ssh/id_ed25519.pub.`)
  return keys
}
