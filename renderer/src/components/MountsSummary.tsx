/** The summary line above the mount list (see mounts-summary.ts). */
import { mountsSummary } from '../mounts-summary.js'
import { useApp } from '../use-app.js'

export function MountsSummary() {
  // A string: the line re-renders only when its words change, not on every health tick.
  const text = useApp((s) =>
    mountsSummary(
      s.mounts.map((m) => m.id),
      s.health,
    ),
  )
  return text ? (
    <p className="mounts-summary" aria-live="polite">
      {text}
    </p>
  ) : null
}
