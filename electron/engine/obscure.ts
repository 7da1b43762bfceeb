/**
 * rclone's "obscure" encoding of passwords (AES-256-CTR under a key published in rclone's source).
 * It is obfuscation, not encryption: it only keeps a password from being read at a glance.
 *
 * Why not `rclone obscure`: it picks a random IV on every call, and rclone hashes backend options
 * given through the environment into the VFS cache path. A password obscured anew at every start
 * would move the cache and orphan files still waiting to upload. Deriving the IV from the password
 * keeps the value, and so the cache path, stable; `rclone reveal` reads it like any other.
 */
import { createCipheriv, createHash } from 'node:crypto'

const rcloneObscureKey = Buffer.from('9c935b48730a554d6bfd7c63c886a92bd390198eb8128afbf4de162b8b95f638', 'hex')

export function obscure(plain: string): string {
  const iv = createHash('sha256').update('rmount-obscure\0').update(plain).digest().subarray(0, 16)
  const cipher = createCipheriv('aes-256-ctr', rcloneObscureKey, iv)
  return Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final()]).toString('base64url')
}
