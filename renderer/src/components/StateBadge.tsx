import type { MountState } from '../../../shared/mount-state.js'
import { stateLabels } from '../format.js'

/**
 * The state in words, with a shape and color beside it; a change is announced with the mount's name.
 * `label` says more than the state's word when the row knows it (degraded because uploads fail).
 */
export function StateBadge({ state, name, label }: { state: MountState; name: string; label?: string }) {
  return (
    <span className={`badge badge-${state}`} aria-live="polite" aria-atomic="true">
      <span className="badge-dot" aria-hidden="true" />
      <span className="sr-only">{name}: </span>
      {label ?? stateLabels[state]}
    </span>
  )
}
