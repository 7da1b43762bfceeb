/**
 * Reading back passwords rclone has obscured (`rclone reveal`): the inverse of electron/engine/obscure.ts,
 * for importing an rclone.conf. Obscuring is AES-256-CTR under a key published in rclone's source, the
 * 16-byte IV first, all in unpadded base64url.
 */
import { createDecipheriv } from 'node:crypto'

// rclone's published key, the same as in electron/engine/obscure.ts (which does not export it); the tests
// check reveal(obscure(x)) === x and reveal against `rclone obscure` itself, so the two cannot drift apart.
const rcloneObscureKey = Buffer.from('9c935b48730a554d6bfd7c63c886a92bd390198eb8128afbf4de162b8b95f638', 'hex')
const ivLength = 16

/** The plain text of an rclone-obscured value; throws when the value is not one. */
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
