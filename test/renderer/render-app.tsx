/** Renders a piece of the window over a store built on the in-memory API. */
import { render } from '@testing-library/react'
import type { ReactElement } from 'react'
import { createAppStore, type AppStore } from '../../renderer/src/store.js'
import { StoreContext } from '../../renderer/src/use-app.js'
import type { MemoryApi } from './memory-api.js'

export async function renderWith(api: MemoryApi, ui: ReactElement): Promise<AppStore> {
  const store = createAppStore(api, { scheduleFrame: (flush) => flush() })
  await store.getState().init()
  render(<StoreContext.Provider value={store}>{ui}</StoreContext.Provider>)
  return store
}
