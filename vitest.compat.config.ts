import { defineConfig } from 'vitest/config'
import { reportTo } from './vitest.report.js'

/**
 * The compatibility run: the oldest rclone the engine supports (Debian 12's 1.60 at /usr/bin/rclone, or
 * RMOUNT_COMPAT_RCLONE), chosen through RMOUNT_RCLONE. It covers S3 and SFTP mounts, kill -9 recovery,
 * uploads before unmount, GCS refused with RCLONE_TOO_OLD, and the rclone behaviours the engine works around
 * (test/engine/rclone-behaviour.test.ts); `npm test` runs it after the main run.
 */
export default defineConfig({
  test: {
    name: 'compat-rclone-1.60',
    include: ['test/compat/**/*.test.ts', 'test/engine/gcs-mount.test.ts', 'test/engine/rclone-behaviour.test.ts'],
    env: { RMOUNT_RCLONE: process.env.RMOUNT_COMPAT_RCLONE ?? '/usr/bin/rclone' },
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    ...reportTo('vitest-compat.json'),
  },
})
