/**
 * "Mount all" and "Unmount all" for the list's toolbar. Marked aria-disabled rather than disabled when
 * there is nothing to do, so a click that mounts the last idle one does not drop the focus to <body>.
 */
import { isLiveState } from '../store.js'
import { useActions, useApp } from '../use-app.js'

export function AllMountsActions() {
  const { idle, live } = useApp((s) => {
    const states = s.mounts.map((m) => s.health[m.id]?.state ?? 'unmounted')
    return { idle: states.filter((state) => !isLiveState(state)).length, live: states.filter(isLiveState).length }
  })
  const actions = useActions()
  return (
    <>
      <button type="button" aria-disabled={idle === 0} onClick={() => void actions.mountAll()}>
        Mount all
      </button>
      <button type="button" aria-disabled={live === 0} onClick={() => void actions.unmountAll()}>
        Unmount all
      </button>
    </>
  )
}
