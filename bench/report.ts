/** The table printed at the end of a bench run: one line per measurement, one column per rclone. */
import { formatValue, missBy, verdict, type Row } from './rows.js'

function cell(row: Row | undefined): string {
  if (!row) return 'not run'
  const v = verdict(row)
  if (v === 'failed') return `**FAILED**: ${row.error ?? 'no value'}`
  const value = formatValue(row.value!, row.unit)
  const detail = row.detail ? ` ${row.detail}` : ''
  if (v === 'info') return `${value}${detail}`
  const limit = row.target!.text.includes(String(row.target!.limit)) ? '' : ` (limit ${formatValue(row.target!.limit, row.unit)})`
  if (v === 'pass') return `${value}${limit} pass${detail}`
  const why = row.whyMiss ? `; why: ${row.whyMiss}` : ''
  return `${value}${limit} **MISS by ${formatValue(missBy(row), row.unit)}**${why}${detail}`
}

const escape = (text: string) => text.replaceAll('|', '\\|').replace(/\s+/g, ' ')

/** Markdown: the environment, the table, then the notes; a summary line last. */
export function renderReport(rows: readonly Row[], columns: readonly string[], environment: string, notes: readonly string[]): string {
  const keys: string[] = []
  const byKey = new Map<string, Map<string, Row>>()
  for (const row of rows) {
    const key = `${row.section}\u0000${row.name}`
    if (!byKey.has(key)) {
      keys.push(key)
      byKey.set(key, new Map())
    }
    byKey.get(key)!.set(row.column, row)
  }
  const out = [environment, '']
  out.push(`| Section | Measurement | Target | Best case? | ${columns.join(' | ')} |`)
  out.push(`|---|---|---|---|${columns.map(() => '---|').join('')}`)
  for (const key of keys) {
    const cells = byKey.get(key)!
    const first = [...cells.values()][0]!
    const bestCase = [...cells.values()].find((row) => row.bestCase)?.bestCase
    out.push(
      `| ${first.section} | ${escape(first.name)} | ${first.target ? escape(first.target.text) : 'info'} | ${bestCase ? `yes: ${escape(bestCase)}` : 'no'} | ${columns.map((column) => escape(cell(cells.get(column)))).join(' | ')} |`,
    )
  }
  // The same remark from several samples is printed once, with its count.
  const counted = new Map<string, number>()
  for (const note of notes.map((text) => text.replace(/\s+/g, ' '))) counted.set(note, (counted.get(note) ?? 0) + 1)
  if (counted.size) out.push('', ...[...counted].map(([note, n]) => `- ${note}${n > 1 ? ` (×${n})` : ''}`))
  const counts = { pass: 0, miss: 0, info: 0, failed: 0 }
  for (const row of rows) counts[verdict(row)]++
  out.push('', `bench: ${counts.pass} pass, ${counts.miss} miss, ${counts.failed} failed, ${counts.info} info`)
  return out.join('\n') + '\n'
}
