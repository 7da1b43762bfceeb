/**
 * One shared second-timer for every relative time on screen. A reader re-renders only when its
 * text changes ("5 s ago" → "6 s ago"), and the timer runs only while something reads it.
 */
import { useSyncExternalStore } from 'react'
import { formatRelative } from './format.js'

const listeners = new Set<() => void>()
let timer: ReturnType<typeof setInterval> | undefined
let now = Date.now()

function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  if (!timer) {
    now = Date.now()
    timer = setInterval(() => {
      now = Date.now()
      for (const notify of listeners) notify()
    }, 1000)
  }
  return () => {
    listeners.delete(listener)
    if (!listeners.size && timer) {
      clearInterval(timer)
      timer = undefined
    }
  }
}

/** While the timer is stopped (before the first reader subscribes), `now` would be stale. */
function current(): number {
  if (!timer) now = Date.now()
  return now
}

export function useRelativeTime(time: number): string {
  return useClock((now) => formatRelative(time, now))
}

/** A value derived from the current time, re-read each second; the reader re-renders only when it changes (keep it a primitive). */
export function useClock<T extends string | number | boolean | null>(read: (now: number) => T): T {
  return useSyncExternalStore(subscribe, () => read(current()))
}
