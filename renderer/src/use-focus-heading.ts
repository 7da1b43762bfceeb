import { useEffect, useRef } from 'react'

/**
 * Moves focus to a view's heading when the view opens, so keyboard and screen-reader users land at
 * its top and hear its name (the heading needs tabIndex={-1}).
 */
export function useFocusHeading<T extends HTMLElement = HTMLHeadingElement>(enabled = true) {
  const ref = useRef<T>(null)
  // Only when the view opens: a later change of `enabled` must not pull the focus away.
  const focusAtOpen = useRef(enabled)
  useEffect(() => {
    if (focusAtOpen.current) ref.current?.focus()
  }, [])
  return ref
}
