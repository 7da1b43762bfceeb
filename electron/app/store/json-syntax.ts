/**
 * Why a text is not JSON, without quoting it. JSON.parse's messages quote the text around the error (V8:
 * `Unexpected token 's', "{"pass": s3cr…" is not valid JSON`), and a config file holds secrets: a notice,
 * a log or the diagnostics must say where the error is, never what is there.
 */

/** `line L, column C` (1-based) of offset `position` in `text`. */
function place(text: string, position: number): string {
  const before = text.slice(0, position).split('\n')
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`
}

/** A sentence fragment describing the JSON.parse `error` of `text`: where it is when V8 says so, and nothing of the text itself. */
export function describeJsonError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : ''
  if (text.trim() === '') return 'it is not valid JSON: the file is empty'
  const position = /at position (\d+)/.exec(message)
  if (position) return `it is not valid JSON at ${place(text, Number(position[1]))}`
  if (/Unexpected end of JSON input/.test(message)) return `it is not valid JSON: it ends too early, at ${place(text, text.length)}`
  return 'it is not valid JSON'
}
