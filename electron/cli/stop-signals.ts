/** Ctrl-C for the long-running commands: the first asks for a graceful stop, the second forces it. */

export interface StopSignals {
  graceful: Promise<void>
  forced: Promise<void>
}

/** The first SIGINT/SIGTERM resolves `graceful`, the second `forced`. */
export function stopSignals(): StopSignals {
  let count = 0
  let gracefulDone: () => void = () => undefined
  let forcedDone: () => void = () => undefined
  const graceful = new Promise<void>((resolve) => (gracefulDone = resolve))
  const forced = new Promise<void>((resolve) => (forcedDone = resolve))
  const handler = () => {
    count += 1
    if (count === 1) gracefulDone()
    else forcedDone()
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  return { graceful, forced }
}
