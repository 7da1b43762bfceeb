/** One mount's log: live tail, a level filter, and copying (the lines, or the full diagnostics). */
import { useEffect, useLayoutEffect, useRef, useState } from 'react'
import { logLevels, type LogLevel, type LogLine } from '../../../shared/mount-state.js'
import { useFocusHeading } from '../use-focus-heading.js'
import { useActions, useApp } from '../use-app.js'
import { SelectField } from './Field.js'
import { mountName } from '../../../shared/config.js'

const levelOptions: Array<{ value: LogLevel; label: string }> = [
  { value: 'debug', label: 'Everything' },
  { value: 'info', label: 'Info and above' },
  { value: 'notice', label: 'Notices and errors' },
  { value: 'error', label: 'Errors only' },
]
const rank = (level: LogLevel) => logLevels.indexOf(level)
const noLines: LogLine[] = []

function lineText(line: LogLine): string {
  return `${new Date(line.time).toISOString()} ${line.level.toUpperCase()} ${line.object ? `${line.object}: ` : ''}${line.message}`
}

export function LogsView({ mountId }: { mountId: string }) {
  const lines = useApp((s) => s.logs[mountId] ?? noLines)
  const name = useApp((s) => mountName(s.mounts.find((m) => m.id === mountId) ?? { localPath: mountId }))
  const actions = useActions()
  const heading = useFocusHeading()
  const [minLevel, setMinLevel] = useState<LogLevel>('info')
  const [status, setStatus] = useState('')
  const list = useRef<HTMLOListElement>(null)
  const pinned = useRef(true)

  useEffect(() => void actions.loadLogs(mountId), [actions, mountId])

  const shown = lines.filter((line) => rank(line.level) >= rank(minLevel))

  // Live tail: stay at the bottom while the reader is there; leave them alone when they scrolled up.
  useLayoutEffect(() => {
    if (pinned.current && list.current) list.current.scrollTop = list.current.scrollHeight
  }, [shown.length])

  async function copy(text: string, what: string) {
    try {
      await navigator.clipboard.writeText(text)
      setStatus(`Copied ${what}.`)
    } catch (error) {
      setStatus(`Could not copy: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  async function copyDiagnostics() {
    setStatus('Collecting diagnostics…')
    const result = await actions.call('mount:diagnostics', { id: mountId })
    if (result.ok) await copy(result.value, 'the diagnostics (secrets removed)')
    else setStatus(`${result.error.code}: ${result.error.message}`)
  }

  return (
    <section className="view logs-view" aria-labelledby="logs-title">
      <header className="view-head">
        <h1 id="logs-title" tabIndex={-1} ref={heading}>
          Log of {name}
        </h1>
        <div className="toolbar">
          <button type="button" onClick={() => actions.back()}>
            Back
          </button>
        </div>
      </header>
      <div className="toolbar logs-toolbar">
        <SelectField<LogLevel> label="Show" name="level" value={minLevel} options={levelOptions} onChange={setMinLevel} />
        <button
          type="button"
          disabled={!shown.length}
          onClick={() => void copy(shown.map(lineText).join('\n'), shown.length === 1 ? 'one line' : `${shown.length} lines`)}
        >
          Copy lines
        </button>
        <button type="button" onClick={() => void copyDiagnostics()}>
          Copy diagnostics
        </button>
        <span role="status" className="field-hint">
          {status}
        </span>
      </div>
      <ol
        ref={list}
        className="log"
        role="log"
        aria-label={`Log of ${name}`}
        tabIndex={0}
        onScroll={(event) => {
          const el = event.currentTarget
          pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 8
        }}
      >
        {shown.length === 0 ? <li className="log-empty">No lines at this level yet.</li> : null}
        {shown.map((line, i) => (
          <li key={`${line.time}-${i}`} className={`log-line level-${line.level}`}>
            <time dateTime={new Date(line.time).toISOString()}>{new Date(line.time).toLocaleTimeString()}</time>
            <span className="log-level">{line.level}</span>
            <span className="log-message">
              {line.object ? <span className="log-object">{line.object}: </span> : null}
              {line.message}
            </span>
          </li>
        ))}
      </ol>
    </section>
  )
}
