/** `rmount service`: the built CLI writes a systemd user unit that systemd-analyze accepts, and removes it. */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { serviceUnitName, serviceUnitText } from '../../electron/cli/systemd-unit.js'
import { stopAllServers, tempDir } from '../servers/index.js'

const run = promisify(execFile)
const cli = fileURLToPath(new URL('../../dist/electron/cli/rmount.js', import.meta.url))
const analyze = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => existsSync(p))

afterAll(() => stopAllServers())

async function rmount(args: string[], env: NodeJS.ProcessEnv) {
  return run(process.execPath, [cli, ...args], { env: { ...process.env, ...env } }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  )
}

/** systemd-analyze's verdict on a user unit; its own runtime folder, since this machine may have no user session. */
async function verify(unitPath: string, runtimeDir: string) {
  return run(analyze!, ['verify', '--user', unitPath], { env: { ...process.env, XDG_RUNTIME_DIR: runtimeDir } }).then(
    (r) => ({ code: 0, stderr: r.stderr }),
    (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
  )
}

describe('rmount service', () => {
  it('install writes a unit systemd accepts (drains on stop, restarts on failure), says how to read its log; uninstall removes it', async () => {
    const dir = await tempDir('rmount-service-')
    const configHome = join(dir, 'config home %h')
    const config = join(dir, 'my mounts $HOME.json')
    await writeFile(config, JSON.stringify({ version: 1, remotes: [], mounts: [] }))
    const env = { XDG_CONFIG_HOME: configHome }
    const installed = await rmount(['service', 'install', '--config', config], env)
    const unitPath = join(configHome, 'systemd', 'user', serviceUnitName(config))
    expect(installed.stdout).toContain(`Wrote ${unitPath}.`)
    expect(installed.stdout).toContain(`journalctl --user -u ${serviceUnitName(config)} -f`)
    const text = await readFile(unitPath, 'utf8')
    expect(text).toMatch(/^Restart=on-failure$/m)
    expect(text).toMatch(/^KillMode=mixed$/m)
    expect(text).toMatch(/^TimeoutStopSec=30min$/m)
    // Enabled where a user systemd answers; here, said so, exit 1, and the file is still there.
    if (installed.code !== 0) expect(installed.stderr).toMatch(/systemctl --user did not work here/)

    if (analyze) {
      const runtimeDir = join(dir, 'runtime')
      await mkdir(runtimeDir, { mode: 0o700 })
      const verdict = await verify(unitPath, runtimeDir)
      expect(verdict).toEqual({ code: 0, stderr: '' })
    } else {
      expect(text).toMatch(/^ExecStart="[^"]+" "[^"]+rmount\.js" "up" "--config" ".*my mounts \$\$HOME\.json"$/m)
    }

    const removed = await rmount(['service', 'uninstall', '--config', config], env)
    expect(removed.stdout).toContain(`Removed ${unitPath}.`)
    expect(existsSync(unitPath)).toBe(false)
  })

  it('refuses a config file with problems before writing anything', async () => {
    const dir = await tempDir('rmount-service-')
    const config = join(dir, 'bad.json')
    await writeFile(config, JSON.stringify({ version: 1, mounts: [{ id: 'm' }] }))
    const result = await rmount(['service', 'install', '--config', config], { XDG_CONFIG_HOME: join(dir, 'cfg') })
    expect(result.code).toBe(2)
    expect(existsSync(join(dir, 'cfg'))).toBe(false)
  })

  it('quotes what systemd would expand: %, $, quotes and backslashes in paths', () => {
    const text = serviceUnitText({ node: '/usr/bin/node', script: '/opt/a "b"/rmount.js', configFile: '/c/100%\\$x.json' })
    expect(text).toContain('ExecStart="/usr/bin/node" "/opt/a \\"b\\"/rmount.js" "up" "--config" "/c/100%%\\\\$$x.json"')
  })
})
