import { fileURLToPath } from 'node:url'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

// The repository's own eslint.config.js, applied to a few lines as if they lived at a given path (nothing is written).
const eslint = new ESLint({ cwd: fileURLToPath(new URL('../..', import.meta.url)) })

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const results = await eslint.lintText(`${code}\nexport const x = used\n`, { filePath })
  return results
    .flatMap((r) => r.messages)
    .filter((m) => m.ruleId === 'no-restricted-imports')
    .map((m) => m.message)
}

describe('import boundaries (eslint.config.js)', () => {
  it.each([
    ['electron/app/probe.ts', "import { used } from '../engine/rclone-config.js'"],
    ['electron/cli/probe.ts', "import { used } from '../engine/remote-mount.js'"],
    ['electron/main/probe.ts', "import { used } from '../engine/mountinfo.js'"],
    ['bench/probe.ts', "import { used } from '../electron/engine/child-process.js'"],
    ['test/app/probe.test.ts', "import { used } from '../../electron/engine/obscure.js'"],
    ['test/cli/probe.test.ts', "import { used } from '../../electron/engine/pending-uploads.js'"],
    ['electron/engine/probe.ts', "import { used } from '../app/app-core.js'"],
    ['electron/engine/probe.ts', "import { used } from '../main/main.js'"],
    ['electron/engine/probe.ts', "import { used } from 'electron'"],
    ['shared/probe.ts', "import { used } from 'node:fs'"],
    ['shared/probe.ts', "import { used } from 'electron'"],
    ['shared/probe.ts', "import { used } from '../renderer/src/store.js'"],
    ['renderer/src/probe.ts', "import { used } from '../../electron/engine/index.js'"],
    ['renderer/src/probe.ts', "import { used } from '../../electron/app/contracts.js'"],
    ['renderer/src/probe.ts', "import { used } from 'node:path'"],
  ])('%s may not %s', async (file, code) => {
    expect(await restrictedImports(file, code)).toHaveLength(1)
  })

  it.each([
    ['electron/app/probe.ts', "import { used } from '../engine/index.js'"],
    ['test/cli/probe.test.ts', "import { used } from '../../electron/engine/index.js'"],
    ['electron/engine/probe.ts', "import { used } from './rclone-config.js'"],
    ['test/engine/probe.test.ts', "import { used } from '../../electron/engine/rclone-config.js'"],
    ['electron/main/probe.ts', "import { used } from 'electron'"],
    ['shared/probe.ts', "import { used } from 'zod'"],
    ['renderer/src/probe.ts', "import { used } from '../../shared/config.js'"],
    ['renderer/src/probe.ts', "import { used } from 'react'"],
  ])('%s may %s', async (file, code) => {
    expect(await restrictedImports(file, code)).toEqual([])
  })
})
