/** Removing secret values from text before it reaches a log, an event or an error message. */

const mask = '***'

/** Replaces every occurrence of the given secrets (and their URL-encoded forms) in text. */
export function makeRedactor(secrets: readonly string[]): (text: string) => string {
  const needles = [...new Set(secrets.flatMap((s) => [s, encodeURIComponent(s)]))]
    .filter((s) => s.length >= 4)
    .sort((a, b) => b.length - a.length)
  if (needles.length === 0) return (text) => text
  const pattern = new RegExp(needles.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g')
  return (text) => text.replace(pattern, mask)
}
