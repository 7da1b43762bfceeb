/**
 * What every editor does about leaving: it tells the store whether it holds unsaved changes (so the
 * sidebar asks before throwing them away), and Escape leaves it the same guarded way.
 */
import { useEffect, useState, type KeyboardEvent } from 'react'
import { useActions } from './use-app.js'

/** `form` compared with its first value; returns the editor's keydown handler for Escape. */
export function useEditorGuard(form: unknown): { dirty: boolean; onKeyDown(event: KeyboardEvent): void } {
  const actions = useActions()
  const [initial] = useState(() => JSON.stringify(form))
  const dirty = JSON.stringify(form) !== initial
  useEffect(() => actions.setEditorDirty(dirty), [actions, dirty])
  // Unmounted without navigating (e.g. the window reloaded its data): nothing is left to guard.
  useEffect(() => () => actions.setEditorDirty(false), [actions])
  return {
    dirty,
    onKeyDown(event) {
      if (event.key !== 'Escape' || event.defaultPrevented) return
      event.preventDefault()
      actions.leave('back')
    },
  }
}
