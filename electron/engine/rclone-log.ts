/** Parsing rclone's log: `--use-json-log` lines, and the plain-text lines of fatal errors. */
import type { LogLevel, LogLine } from '../../shared/mount-state.js'

const jsonLevels: Record<string, LogLevel> = {
  debug: 'debug',
  info: 'info',
  // rclone before 1.70 writes NOTICE as "warning".
  warning: 'notice',
  notice: 'notice',
  error: 'error',
  fatal: 'critical',
  critical: 'critical',
  emergency: 'critical',
  alert: 'critical',
}

const plainLine = /^(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d)(?:\.\d+)? (?:(DEBUG|INFO|NOTICE|ERROR|CRITICAL|EMERGENCY) ?: )?(.*)$/

/** Parses one line; lines that are neither JSON nor rclone's plain format become continuation text. */
export function parseLogLine(line: string, now = Date.now()): LogLine | null {
  const text = line.trimEnd()
  if (!text) return null
  if (text.startsWith('{')) {
    try {
      const entry = JSON.parse(text) as { level?: string; msg?: string; object?: string; time?: string }
      const parsed: LogLine = {
        time: entry.time ? Date.parse(entry.time) : now,
        level: jsonLevels[entry.level ?? ''] ?? 'info',
        message: entry.msg ?? text,
      }
      if (entry.object) parsed.object = entry.object
      return parsed
    } catch {
      // Not JSON after all: fall through to plain text.
    }
  }
  const match = plainLine.exec(text)
  if (match) {
    const [, y, mo, d, h, mi, s, level, message] = match
    // Plain lines without a level are log.Fatal output: the reason rclone is about to exit.
    const parsedLevel: LogLevel = level ? (level === 'EMERGENCY' ? 'critical' : (level.toLowerCase() as LogLevel)) : 'critical'
    return { time: new Date(+y!, +mo! - 1, +d!, +h!, +mi!, +s!).getTime(), level: parsedLevel, message: message! }
  }
  return { time: now, level: 'info', message: text }
}

/** Splits a growing chunk of log text into complete lines, keeping the unfinished tail. */
export class LineSplitter {
  private rest = ''

  push(chunk: string): string[] {
    const text = this.rest + chunk
    const lines = text.split('\n')
    this.rest = lines.pop() ?? ''
    return lines
  }

  /** The unfinished tail, taken out. */
  flush(): string {
    const rest = this.rest
    this.rest = ''
    return rest
  }
}

/** The last `capacity` items, oldest first. */
export class Ring<T> {
  private items: T[] = []

  constructor(private readonly capacity: number) {}

  push(item: T): void {
    this.items.push(item)
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity)
  }

  toArray(): T[] {
    return [...this.items]
  }

  tail(count: number): T[] {
    return this.items.slice(-count)
  }
}

/** A readable one-line form of a log line, for error messages and the CLI. */
export function formatLogLine(line: LogLine): string {
  return `${new Date(line.time).toISOString()} ${line.level.toUpperCase()} ${line.object ? `${line.object}: ` : ''}${line.message}`
}
