/**
 * Which rclone the engine runs and how it says so: the vendored one by default, RMOUNT_RCLONE over it,
 * the rclonePath option over both; `rmount check` names version, source and what an old rclone lacks.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { findRclone, missingFeatures, rcloneEnvVar } from '../../electron/engine/rclone-binary.js'
import { checkSystem, describeRclone } from '../../electron/engine/system-check.js'

const run = promisify(execFile)
const vendored = fileURLToPath(new URL('../../vendor/bin/rclone', import.meta.url))
const cli = fileURLToPath(new URL('../../dist/electron/cli/rmount.js', import.meta.url))
const saved = process.env[rcloneEnvVar]

afterEach(() => {
  if (saved === undefined) delete process.env[rcloneEnvVar]
  else process.env[rcloneEnvVar] = saved
})

/** `rmount check` with RMOUNT_RCLONE set to `rclone`, or unset. */
async function check(rclone: string | undefined): Promise<{ code: number; output: string }> {
  const env = { ...process.env }
  delete env[rcloneEnvVar]
  if (rclone) env[rcloneEnvVar] = rclone
  try {
    const { stdout } = await run(process.execPath, [cli, 'check'], { env })
    return { code: 0, output: stdout }
  } catch (error) {
    const failed = error as { code: number; stdout: string }
    return { code: failed.code, output: failed.stdout }
  }
}

describe('findRclone', () => {
  it('takes vendor/bin first, and says so', async (ctx) => {
    if (!existsSync(vendored)) {
      console.log('skipped: no vendor/bin/rclone (run vendor/fetch-rclone.sh)')
      ctx.skip()
    }
    delete process.env[rcloneEnvVar]
    const found = await findRclone()
    expect(found).toMatchObject({ path: vendored, source: 'vendor' })
    expect(found.semver[0] > 1 || found.semver[1] >= 75).toBe(true)
  })

  it('takes the rclone RMOUNT_RCLONE names over vendor/bin, and the rclonePath option over both', async () => {
    process.env[rcloneEnvVar] = '/usr/bin/rclone'
    expect(await findRclone()).toMatchObject({ path: '/usr/bin/rclone', source: 'env', semver: [1, 60, 1] })
    const explicit = await findRclone(vendored)
    expect(explicit).toMatchObject({ path: vendored, source: 'option' })
  })

  it('refuses an RMOUNT_RCLONE that names no program, naming the variable', async () => {
    process.env[rcloneEnvVar] = '/nonexistent/rclone'
    await expect(findRclone()).rejects.toMatchObject({ code: 'RCLONE_NOT_FOUND', message: expect.stringContaining('RMOUNT_RCLONE') })
  })
})

describe('what an rclone lacks', () => {
  it('1.60 lacks GCS through S3, clean stops during uploads, vfs/queue and the unix-socket rc; 1.75 lacks nothing', () => {
    expect(missingFeatures([1, 60, 1]).map((m) => m.feature)).toEqual([
      'omitEmptyAcl',
      'gcsS3',
      'partialUploads',
      'vfsQueue',
      'rcUnixSocket',
    ])
    expect(missingFeatures([1, 68, 2]).map((m) => m.feature)).toEqual(['rcUnixSocket'])
    expect(missingFeatures([1, 75, 2])).toEqual([])
    const described = describeRclone({ path: '/usr/bin/rclone', version: 'v1.60.1-DEV', semver: [1, 60, 1], source: 'PATH' })
    expect(described.detail).toContain('v1.60.1-DEV at /usr/bin/rclone, from PATH. This rclone lacks: ')
    expect(described.detail).toContain('Google Cloud Storage through its S3 interface (since rclone 1.63.0)')
  })

  it("the system check carries version, source and gaps for the window's Settings", async () => {
    process.env[rcloneEnvVar] = '/usr/bin/rclone'
    const report = await checkSystem()
    expect(report.rclone).toMatchObject({ version: 'v1.60.1-DEV', source: 'env' })
    expect(report.rclone?.lacks).toHaveLength(5)
    expect(report.items.find((item) => item.name === 'rclone')).toMatchObject({
      ok: true,
      detail: expect.stringContaining('RMOUNT_RCLONE'),
    })
  })
})

describe('rmount check names the rclone', () => {
  it('the vendored one by default, with its version and source', async (ctx) => {
    if (!existsSync(vendored)) ctx.skip()
    const { code, output } = await check(undefined)
    expect(code).toBe(0)
    expect(output).toMatch(new RegExp(`ok +rclone: v1\\.\\d+\\.\\d+ at ${vendored}, from vendor/bin \\(vendor/fetch-rclone\\.sh\\)`))
    expect(output).not.toContain('lacks')
    // How it was verified, as vendor/fetch-rclone.sh recorded it (absent for a binary put there by hand).
    if (existsSync(`${vendored}.provenance`)) expect(output).toContain((await readFile(`${vendored}.provenance`, 'utf8')).trim())
  })

  it('the system 1.60 through RMOUNT_RCLONE, with what it lacks and how to get a current one', async () => {
    const { code, output } = await check('/usr/bin/rclone')
    expect(code).toBe(0)
    expect(output).toMatch(
      /ok +rclone: v1\.60\.1\S* at \/usr\/bin\/rclone, from the RMOUNT_RCLONE environment variable\. This rclone lacks: /,
    )
    for (const gap of ['Google Cloud Storage', 'clean stops during an upload', 'vfs/queue', 'unix socket']) expect(output).toContain(gap)
    expect(output).toContain('run vendor/fetch-rclone.sh')
  })
})
