/**
 * Why a text is not JSON, without quoting it: a notice, a log or the diagnostics must say where the
 * error is, never what is there (a config file holds secrets, and JSON.parse's messages quote the text).
 */
import { describeJsonSyntaxError } from '../../../shared/json-syntax.js'

/** A sentence fragment saying where `text` (which JSON.parse refused) breaks, and nothing of the text itself. */
export function describeJsonError(text: string): string {
  return `it is not valid JSON: ${describeJsonSyntaxError(text)}`
}
