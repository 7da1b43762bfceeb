/** Component tests of the window (test/renderer/*.test.tsx) in jsdom; `npx vitest run --config renderer/vitest.config.ts`. */
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  plugins: [react()],
  test: {
    name: 'renderer',
    include: ['test/renderer/**/*.test.tsx'],
    environment: 'jsdom',
    setupFiles: ['test/renderer/setup-dom.ts'],
  },
})
