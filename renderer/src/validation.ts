/**
 * Inline validation from the shared zod schemas: the same rules the main process applies, each
 * issue placed under the field it is about, in words a person understands.
 */
import type { z } from 'zod'

/** Field name → the first problem with it. */
export type FieldErrors = Partial<Record<string, string>>

// The schemas word their own messages for everything a person types; these cover what they leave to zod.
const plainWords: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'Fill in this field.' : 'This value does not fit here.'
    case 'too_small':
      return issue.origin === 'string' ? 'Fill in this field.' : `Use ${String(issue.minimum)} or more.`
    case 'too_big':
      return issue.origin === 'string' ? `Use at most ${String(issue.maximum)} characters.` : `Use ${String(issue.maximum)} or less.`
    case 'invalid_value':
      return 'Choose one of the options.'
    default:
      return undefined
  }
}

/** The field an issue is about: the last named segment of its path (`remote.port` → `port`). */
function fieldOf(path: PropertyKey[]): string {
  for (let i = path.length - 1; i >= 0; i--) if (typeof path[i] === 'string') return path[i] as string
  return 'form'
}

export function fieldErrors(schema: z.ZodType, value: unknown): FieldErrors {
  const result = schema.safeParse(value, { error: plainWords })
  if (result.success) return {}
  const errors: FieldErrors = {}
  for (const issue of result.error.issues) errors[fieldOf(issue.path)] ??= issue.message
  return errors
}
