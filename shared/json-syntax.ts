/**
 * Where a JSON text breaks, as line and column with what was expected there. JSON.parse's own message
 * quotes the text around the error, which in a config file may be a secret; this says only where.
 */

/** A syntax error: 1-based line and column, and what the text should have had there. */
export interface JsonSyntaxError {
  line: number
  column: number
  expected: string
}

class Stop extends Error {
  constructor(
    readonly offset: number,
    readonly expected: string,
  ) {
    super(expected)
  }
}

const numberPattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y

/** The first syntax error of `text`, or null when JSON.parse would accept it. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  let at = 0
  const stop = (expected: string): never => {
    throw new Stop(at, at >= text.length ? `${expected}, but the file ends here (a missing } or ]?)` : expected)
  }
  const space = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at]!)) at += 1
  }
  const string = () => {
    at += 1
    for (;;) {
      if (at >= text.length) stop('a closing " of the string')
      const c = text[at]!
      if (c === '"') return void (at += 1)
      if (c < ' ') stop('no line break or control character inside a string (write \\n)')
      if (c === '\\') {
        const escape = text[at + 1] ?? ''
        if (escape === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) at += 6
        else if ('"\\/bfnrt'.includes(escape) && escape) at += 2
        else stop('a valid escape after \\ (\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\u and four hex digits)')
      } else at += 1
    }
  }
  const value = (): void => {
    space()
    const c = text[at]
    if (c === '{')
      return members('}', () => {
        if (text[at] !== '"') stop('a key in double quotes (JSON allows no comma before })')
        string()
        space()
        if (text[at] !== ':') stop('a : after the key')
        at += 1
        value()
      })
    if (c === '[') return members(']', value)
    if (c === '"') return string()
    numberPattern.lastIndex = at
    if (numberPattern.test(text)) return void (at = numberPattern.lastIndex)
    for (const literal of ['true', 'false', 'null']) if (text.startsWith(literal, at)) return void (at += literal.length)
    stop('a value (a "string", a number, true, false, null, { or [)')
  }
  const members = (close: string, member: () => void) => {
    at += 1
    space()
    if (text[at] === close) return void (at += 1)
    for (;;) {
      space()
      member()
      space()
      if (text[at] === ',') at += 1
      else if (text[at] === close) return void (at += 1)
      else stop(`a comma or ${close}`)
    }
  }
  try {
    if (text.charCodeAt(0) === 0xfeff) at = 1
    value()
    space()
    if (at < text.length) stop('nothing after the end of the JSON value')
    return null
  } catch (error) {
    if (!(error instanceof Stop)) throw error
    const before = text.slice(0, error.offset)
    const line = before.split('\n').length
    return { line, column: error.offset - before.lastIndexOf('\n'), expected: error.expected }
  }
}

/** Where the text JSON.parse refused goes wrong, as a sentence fragment quoting none of it: `line 3, column 29: expected a value (…)`. */
export function describeJsonSyntaxError(text: string): string {
  if (text.trim() === '') return 'the file is empty'
  const error = findJsonSyntaxError(text)
  return error ? `line ${error.line}, column ${error.column}: expected ${error.expected}` : 'it is not valid JSON'
}
