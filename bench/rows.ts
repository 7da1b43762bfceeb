/** A bench result row and its verdict: plain data and pure functions, so the report and the exit code agree. */

/** The unit a row's value is in. */
export type Unit = 'ms' | '% of a core' | 'MiB' | 'MiB/s' | '×' | 'files' | 'requests/min'

/** What a value must be to pass: `op limit`, with the words the report shows for it. */
export interface Target {
  op: '<=' | '<' | '>=' | '=='
  limit: number
  /** The target as the issue states it, the same in every column, e.g. `≤ plain + 30 ms`. */
  text: string
}

/** One measurement of one section with one rclone. */
export interface Row {
  section: string
  name: string
  /** The rclone this value was measured with: the report's column. */
  column: string
  /** null when the section failed before it could measure this. */
  value: number | null
  unit: Unit
  /** Samples or a breakdown, shown after the value. */
  detail?: string
  target?: Target
  /** Why the value is a best case (a situation kinder than a user's), or undefined when it is not one. */
  bestCase?: string
  /** A known cause, shown when the target is missed. */
  whyMiss?: string
  /** The error that ended the section. */
  error?: string
}

export type Verdict = 'pass' | 'miss' | 'info' | 'failed'

export function verdict(row: Row): Verdict {
  if (row.error !== undefined || row.value === null) return 'failed'
  if (!row.target) return 'info'
  const { op, limit } = row.target
  const v = row.value
  const ok = op === '<=' ? v <= limit : op === '<' ? v < limit : op === '>=' ? v >= limit : v === limit
  return ok ? 'pass' : 'miss'
}

/** How far a missed value is from its limit, in the row's unit (positive). */
export function missBy(row: Row): number {
  if (row.value === null || !row.target) return 0
  return Math.abs(row.value - row.target.limit)
}

/** The value with its unit, rounded as the unit deserves. */
export function formatValue(value: number, unit: Unit): string {
  switch (unit) {
    case 'ms':
      return `${Math.round(value)} ms`
    case '% of a core':
      return `${value.toFixed(2)} % of a core`
    case 'MiB':
      return `${value.toFixed(1)} MiB`
    case 'MiB/s':
      return `${value.toFixed(1)} MiB/s`
    case '×':
      return `${value.toFixed(3)}×`
    case 'files':
      return `${Math.round(value)} files`
    case 'requests/min':
      return `${Math.round(value)} requests/min`
  }
}

/** The bench exits non-zero when any row failed or missed its target. */
export function exitCode(rows: readonly Row[]): number {
  return rows.some((row) => ['failed', 'miss'].includes(verdict(row))) ? 1 : 0
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values')
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Samples as `(a, b, c ms)`. */
export function samples(values: readonly number[], unit = 'ms', digits = 0): string {
  return `(${values.map((v) => v.toFixed(digits)).join(', ')} ${unit})`
}
