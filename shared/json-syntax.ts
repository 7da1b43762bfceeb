/**
 * Where a JSON text goes wrong, by line and column, without quoting it. JSON.parse's own messages
 * quote the text around the error (`Unexpected token 's', "{"key": s3cr3t…" is not valid JSON`),
 * and a config file's text may be a secret, so its errors must never reach a notice or a log.
 */

/** The first syntax error of a JSON text: 1-based line and column, and what was expected there. */
export interface JsonSyntaxError {
  line: number
  column: number
  problem: string
}

class Stop {
  constructor(
    readonly at: number,
    readonly problem: string,
  ) {}
}

const numberPattern = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y

/** Finds the first syntax error of `text`, or null when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  let pos = 0
  const fail = (problem: string): never => {
    throw new Stop(pos, pos >= text.length ? 'the file ends too early' : problem)
  }
  const space = () => {
    while (pos < text.length && ' \t\n\r'.includes(text[pos]!)) pos++
  }
  const expect = (char: string, problem: string) => {
    if (text[pos] !== char) fail(problem)
    pos++
  }
  const string = () => {
    pos++
    for (;;) {
      if (pos >= text.length) throw new Stop(pos, 'a string is not closed')
      const code = text.charCodeAt(pos)
      if (code === 0x22) break
      if (code < 0x20) fail('a string holds a line break or control character; write it as \\n or \\uXXXX')
      if (code === 0x5c) {
        pos++
        if (text[pos] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(pos + 1, pos + 5))) fail('\\u needs four hex digits')
          pos += 4
        } else if (!'"\\/bfnrt'.includes(text[pos] ?? 'x')) fail('a backslash starts an escape that JSON does not have')
      }
      pos++
    }
    pos++
  }
  const value = (): void => {
    space()
    const char = text[pos]
    if (char === '{') {
      pos++
      space()
      if (text[pos] === '}') return void pos++
      for (;;) {
        space()
        if (text[pos] !== '"') fail('expected a property name in double quotes (a comma before } is not allowed)')
        string()
        space()
        expect(':', 'expected : after the property name')
        value()
        space()
        if (text[pos] === ',') pos++
        else return expect('}', 'expected , or } after a property value')
      }
    }
    if (char === '[') {
      pos++
      space()
      if (text[pos] === ']') return void pos++
      for (;;) {
        value()
        space()
        if (text[pos] === ',') pos++
        else return expect(']', 'expected , or ] after a list item')
      }
    }
    if (char === '"') return string()
    numberPattern.lastIndex = pos
    if (numberPattern.test(text)) return void (pos = numberPattern.lastIndex)
    for (const word of ['true', 'false', 'null']) if (text.startsWith(word, pos)) return void (pos += word.length)
    fail('expected a value: a string in double quotes, a number, true, false, null, { or [')
  }
  try {
    value()
    space()
    if (pos < text.length) fail('unexpected text after the end of the JSON value')
    return null
  } catch (error) {
    if (!(error instanceof Stop)) throw error
    const before = text.slice(0, error.at).split('\n')
    return { line: before.length, column: before.at(-1)!.length + 1, problem: error.problem }
  }
}

/** A sentence locating the syntax error of `text` (which JSON.parse refused), quoting none of it. */
export function describeJsonSyntaxError(text: string): string {
  const error = findJsonSyntaxError(text)
  return error ? `line ${error.line}, column ${error.column}: ${error.problem}` : 'it is not valid JSON'
}
