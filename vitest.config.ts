import { defineConfig } from 'vitest/config'
import { reportTo } from './vitest.report.js'

export default defineConfig({
  test: {
    // Real mounts and real servers: give them room, and run files one by one on this 2-core machine.
    fileParallelism: false,
    pool: 'forks',
    ...reportTo('vitest.json'),
    // A private TMPDIR for the run, which must be empty again at the end (test/temp-folder-guard.ts).
    globalSetup: ['./test/temp-folder-guard.ts'],
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/**/*.test.ts', 'electron/**/*.test.ts', 'shared/**/*.test.ts'],
          // The compatibility run on the oldest supported rclone: vitest.compat.config.ts.
          exclude: ['test/compat/**', 'node_modules/**'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      // The window's component tests, in jsdom.
      { extends: './renderer/vitest.config.ts', root: '.', test: { name: 'renderer', include: ['test/renderer/**/*.test.tsx'] } },
    ],
  },
})
