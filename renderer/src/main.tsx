/** The window's entry: one store over the preload's `window.rmount`, then the app. */
import './zod-csp.js'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './components/App.js'
import { followWindowLink } from './follow-window-link.js'
import { createAppStore } from './store.js'
import { StoreContext } from './use-app.js'
import './styles.css'

const store = createAppStore(window.rmount)
followWindowLink(store, window)
void store.getState().init()

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StoreContext.Provider value={store}>
      <App />
    </StoreContext.Provider>
  </StrictMode>,
)
