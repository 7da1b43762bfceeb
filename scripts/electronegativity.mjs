#!/usr/bin/env node
/**
 * The Electronegativity gate (`npm run lint:electron`). Electronegativity itself exits 0 whatever it
 * finds, so this runs it, reads its SARIF report, prints every finding, and exits 1 when any must be fixed.
 *
 * What it scans: electron/ (main, preload, app core, engine) and the built window, dist/renderer/,
 * since the CSP that applies to a file:// page is the <meta> tag in its built index.html.
 *
 * What fails: Electronegativity's SARIF has no severity, and no level but two (src/util/file.js):
 * `note` for a finding it wants a person to review, `warning` for every other finding. A gate on
 * `error` alone could never fail, so every `error` or `warning` fails the gate; a `note` is printed
 * for review. A file it could not parse fails the gate too: its checks did not run.
 * AvailableSecurityFixesGlobalCheck is excluded: it needs the internet.
 */
import { spawnSync } from 'node:child_process'
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const renderer = join(root, 'dist', 'renderer')
if (!existsSync(join(renderer, 'index.html'))) {
  console.error('electronegativity: dist/renderer/index.html is missing: run `npm run build:electron` first (npm run lint:electron does).')
  process.exit(2)
}
const electronVersion = JSON.parse(await readFile(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version

// One input folder holding both parts; paths in the report are relative to it and mapped back below.
const stage = await mkdtemp(join(tmpdir(), 'rmount-electronegativity-'))
const report = join(stage, 'report.sarif')
const staged = { electron: join(root, 'electron'), renderer }
try {
  for (const [name, from] of Object.entries(staged)) await cp(from, join(stage, 'input', name), { recursive: true })
  const bin = join(root, 'node_modules', '.bin', 'electronegativity')
  const args = ['-i', join(stage, 'input'), '-r', '-o', report, '-x', 'AvailableSecurityFixesGlobalCheck', '-e', electronVersion]
  const run = spawnSync(bin, args, { encoding: 'utf8' })
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`
  if (run.status !== 0 || !existsSync(report)) {
    console.error(`electronegativity: the scan itself failed (exit ${run.status}):\n${output}`)
    process.exit(1)
  }
  const sarif = JSON.parse(await readFile(report, 'utf8'))
  const parseErrors = output.split('\n').filter((line) => /Error parsing/.test(line))

  const where = (result) => {
    const location = result.locations?.[0]?.physicalLocation
    const uri = (location?.artifactLocation?.uri ?? '?').replace(/^renderer\//, 'dist/renderer/')
    return uri === 'file:///' ? '(whole app)' : `${uri}:${location?.region?.startLine ?? '?'}`
  }
  const results = sarif.runs.flatMap((r) => r.results)
  const failing = results.filter((r) => r.level === 'error' || r.level === 'warning')
  const review = results.filter((r) => !failing.includes(r))

  console.log(
    `electronegativity ${sarif.runs[0]?.tool.driver.version} on electron/ and dist/renderer/, assuming Electron ${electronVersion}`,
  )
  for (const r of failing)
    console.log(`  FAIL    ${r.ruleId} at ${where(r)}: ${r.message.text} (https://github.com/doyensec/electronegativity/wiki/${r.ruleId})`)
  for (const r of review) console.log(`  review  ${r.ruleId} at ${where(r)}: ${r.message.text}`)
  for (const line of parseErrors) console.log(`  FAIL    ${line.replace(stage, '').trim()}`)
  console.log(`electronegativity: ${failing.length + parseErrors.length} to fix, ${review.length} to review`)
  process.exitCode = failing.length + parseErrors.length > 0 ? 1 : 0
} finally {
  await rm(stage, { recursive: true, force: true })
}
