/**
 * rclone's "obscure" encoding of passwords (AES-256-CTR under a key published in rclone's source).
 * It is obfuscation, not encryption: it only keeps a password from being read at a glance.
 *
 * Why not `rclone obscure`: it picks a random IV on every call, and rclone hashes backend options
 * given through the environment into the VFS cache path. A password obscured anew at every start
 * would move the cache and orphan files still waiting to upload. Deriving the IV from the password
 * keeps the value, and so the cache path, stable; `rclone reveal` reads it like any other.
 */
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto'

const rcloneObscureKey = Buffer.from('9c935b48730a554d6bfd7c63c886a92bd390198eb8128afbf4de162b8b95f638', 'hex')
const ivLength = 16

export function obscure(plain: string): string {
  const iv = createHash('sha256').update('rmount-obscure\0').update(plain).digest().subarray(0, ivLength)
  const cipher = createCipheriv('aes-256-ctr', rcloneObscureKey, iv)
  return Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final()]).toString('base64url')
}

/** `rclone reveal`, for importing an rclone.conf (whose passwords are obscured); throws when the value is not an obscured one. */
export function reveal(obscured: string): string {
  // Node's base64 decoder skips characters it does not know; rclone's refuses them, and so do we.
  if (!/^[A-Za-z0-9_-]*$/.test(obscured)) throw new Error("The value is not in rclone's obscured form (base64url).")
  const data = Buffer.from(obscured, 'base64url')
  if (data.length < ivLength) throw new Error('The value is too short to be an rclone-obscured password.')
  const decipher = createDecipheriv('aes-256-ctr', rcloneObscureKey, data.subarray(0, ivLength))
  const plain = Buffer.concat([decipher.update(data.subarray(ivLength)), decipher.final()])
  // A plain password that happens to look like base64url "reveals" to random bytes, which are seldom valid UTF-8:
  // refuse rather than import garbage.
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(plain)
  } catch {
    throw new Error('The value does not reveal to text: it is probably not an rclone-obscured password.')
  }
}
