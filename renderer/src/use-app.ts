/**
 * How components read the store: each selects the slice it renders, compared shallowly, so a
 * health tick of one mount re-renders that mount's row and nothing else.
 */
import { createContext, useContext } from 'react'
import { useStore } from 'zustand'
import { useShallow } from 'zustand/react/shallow'
import type { AppState, AppStore } from './store.js'

export const StoreContext = createContext<AppStore | null>(null)

export function useAppStore(): AppStore {
  const store = useContext(StoreContext)
  if (!store) throw new Error('useApp needs a <StoreContext.Provider> around the component.')
  return store
}

/** A slice of the state; the component re-renders when the slice changes (shallowly). */
export function useApp<T>(selector: (state: AppState) => T): T {
  return useStore(useAppStore(), useShallow(selector))
}

/** The store's actions, which never change: selecting them never re-renders. */
export function useActions(): AppState {
  return useAppStore().getState()
}
