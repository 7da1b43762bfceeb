/**
 * vendor/fetch-rclone.sh against a local HTTPS release server (a self-signed certificate that curl is
 * told to trust): it installs only what a check vouched for, and refuses when no check can run.
 */
import { createServer, type Server } from 'node:https'
import { createHash } from 'node:crypto'
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const script = new URL('../../vendor/fetch-rclone.sh', import.meta.url).pathname
const pinFile = new URL('../../vendor/rclone-version.json', import.meta.url).pathname
const version = '1.68.2'
const platform = `linux-${process.arch === 'arm64' ? 'arm64' : 'amd64'}`
const name = `rclone-v${version}-${platform}`

let dir: string
let server: Server
let base: string
let zipBytes: Buffer
let zipSha: string
/** What the server answers per path; a missing path is a 404. */
const routes = new Map<string, Buffer>()

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rmount-fetch-rclone-'))
  // A self-signed certificate for 127.0.0.1, trusted by curl through CURL_CA_BUNDLE only.
  await execa('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    join(dir, 'key.pem'),
    '-out',
    join(dir, 'cert.pem'),
  ])
  // A stand-in rclone that answers `version` like the real one.
  const release = join(dir, 'release')
  await mkdir(join(release, name), { recursive: true })
  await writeFile(join(release, name, 'rclone'), `#!/bin/sh\necho "rclone v${version}"\necho "- os/version: stand-in"\n`)
  await chmod(join(release, name, 'rclone'), 0o755)
  await execa('python3', ['-m', 'zipfile', '-c', join(dir, `${name}.zip`), name], { cwd: release })
  zipBytes = await readFile(join(dir, `${name}.zip`))
  zipSha = createHash('sha256').update(zipBytes).digest('hex')

  server = createServer({ key: await readFile(join(dir, 'key.pem')), cert: await readFile(join(dir, 'cert.pem')) }, (req, res) => {
    const body = routes.get(req.url ?? '')
    res.writeHead(body ? 200 : 404).end(body ?? 'not found')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  base = `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
})

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve))
  await rm(dir, { recursive: true, force: true })
})

function sums(lines: string[]): Buffer {
  return Buffer.from(
    [
      '-----BEGIN PGP SIGNED MESSAGE-----',
      'Hash: SHA1',
      '',
      ...lines,
      '-----BEGIN PGP SIGNATURE-----',
      '',
      'AAAA',
      '-----END PGP SIGNATURE-----',
      '',
    ].join('\n'),
  )
}

interface Run {
  exitCode: number
  output: string
  installed: boolean
  bin: string
}

/** Runs the script with a fresh bin dir, this server, and a pin file holding `pinned` for this platform. */
async function fetchRclone(opts: {
  pinned?: string
  serve: { zip?: boolean; sums?: Buffer | null }
  base?: string
  zipFile?: string
  bin?: string
}): Promise<Run> {
  routes.clear()
  if (opts.serve.zip) routes.set(`/v${version}/${name}.zip`, zipBytes)
  if (opts.serve.sums) routes.set(`/v${version}/SHA256SUMS`, opts.serve.sums)
  const bin = opts.bin ?? (await mkdtemp(join(dir, 'bin-')))
  const pin = join(await mkdtemp(join(dir, 'pin-')), 'rclone-version.json')
  await writeFile(pin, JSON.stringify({ version, sha256: { [platform]: opts.pinned ?? '' } }))
  const result = await execa('bash', [script], {
    reject: false,
    all: true,
    env: {
      CURL_CA_BUNDLE: join(dir, 'cert.pem'),
      RMOUNT_RCLONE_BASE: opts.base ?? base,
      RMOUNT_RCLONE_PIN: pin,
      RMOUNT_VENDOR_BIN: bin,
      ...(opts.zipFile ? { RCLONE_ZIP: opts.zipFile } : {}),
    },
  })
  return { exitCode: result.exitCode ?? -1, output: result.all ?? '', installed: existsSync(join(bin, 'rclone')), bin }
}

const goodSums = () => sums([`${'0'.repeat(64)}  rclone-v${version}-windows-amd64.zip`, `${zipSha}  ${name}.zip`])

describe('vendor/fetch-rclone.sh', () => {
  it('is shellcheck-clean, when shellcheck is installed', async (ctx) => {
    const found = await execa('sh', ['-c', 'command -v shellcheck'], { reject: false })
    if (found.exitCode !== 0) {
      console.log('skipped: shellcheck is not installed')
      ctx.skip()
    }
    const result = await execa('shellcheck', [script], { reject: false, all: true })
    expect(result.all).toBe('')
  })

  it('installs a release that matches its SHA256SUMS, and does nothing the second time', async () => {
    const first = await fetchRclone({ serve: { zip: true, sums: goodSums() } })
    expect(first.output).toContain("SHA256 matches the release's SHA256SUMS")
    expect(first.output).toContain('no checksum pinned')
    expect(first.exitCode).toBe(0)
    expect((await execa(join(first.bin, 'rclone'), ['version'])).stdout.split('\n')[0]).toBe(`rclone v${version}`)
    const second = await fetchRclone({ serve: { zip: true, sums: goodSums() }, bin: first.bin })
    expect(second.exitCode).toBe(0)
    expect(second.output).toContain(`rclone v${version} is already in`)
  })

  it('installs when both the SHA256SUMS and the pinned checksum match', async () => {
    const run = await fetchRclone({ pinned: zipSha, serve: { zip: true, sums: goodSums() } })
    expect(run.exitCode, run.output).toBe(0)
    expect(run.output).toContain('SHA256 matches the pinned checksum')
    expect(run.installed).toBe(true)
  })

  it('refuses a zip whose SHA256SUMS line differs', async () => {
    const run = await fetchRclone({ serve: { zip: true, sums: sums([`${'a'.repeat(64)}  ${name}.zip`]) } })
    expect(run.exitCode).toBe(1)
    expect(run.output).toMatch(/but the release's SHA256SUMS says a{64}: not installing/)
    expect(run.installed).toBe(false)
  })

  it('refuses when the SHA256SUMS does not list the zip', async () => {
    const run = await fetchRclone({ serve: { zip: true, sums: sums([`${zipSha}  something-else.zip`]) } })
    expect(run.exitCode).toBe(1)
    expect(run.output).toContain(`does not list ${name}.zip`)
    expect(run.installed).toBe(false)
  })

  it('refuses a zip that differs from the pinned checksum, even when the SHA256SUMS agrees with it', async () => {
    const run = await fetchRclone({ pinned: 'b'.repeat(64), serve: { zip: true, sums: goodSums() } })
    expect(run.exitCode).toBe(1)
    expect(run.output).toContain(`pins ${'b'.repeat(64)}: not installing`)
    expect(run.installed).toBe(false)
  })

  it('installs on the pinned checksum alone when the SHA256SUMS cannot be fetched', async () => {
    const run = await fetchRclone({ pinned: zipSha, serve: { zip: true, sums: null } })
    expect(run.exitCode, run.output).toBe(0)
    expect(run.output).toContain("could not fetch the release's SHA256SUMS")
    expect(run.installed).toBe(true)
  })

  it('refuses when neither check can run (no SHA256SUMS, nothing pinned), offline zip included', async () => {
    const served = await fetchRclone({ serve: { zip: true, sums: null } })
    expect(served.exitCode).toBe(1)
    expect(served.output).toContain("neither the release's SHA256SUMS nor a pinned checksum could verify")
    expect(served.installed).toBe(false)
    const offline = await fetchRclone({ serve: {}, base: 'https://127.0.0.1:9', zipFile: join(dir, `${name}.zip`) })
    expect(offline.exitCode).toBe(1)
    expect(offline.installed).toBe(false)
  })

  it('verifies an offline zip against the pin', async () => {
    const run = await fetchRclone({ pinned: zipSha, serve: {}, base: 'https://127.0.0.1:9', zipFile: join(dir, `${name}.zip`) })
    expect(run.exitCode, run.output).toBe(0)
    expect(run.installed).toBe(true)
  })

  it('refuses a release server that is not https', async () => {
    const run = await fetchRclone({ serve: { zip: true, sums: goodSums() }, base: base.replace('https:', 'http:') })
    expect(run.exitCode).toBe(1)
    expect(run.output).toContain('must be an https:// URL')
  })

  it('the repository pins a version, and each pinned checksum is empty or a SHA-256', async () => {
    const pinned = JSON.parse(await readFile(pinFile, 'utf8')) as { version: string; sha256: Record<string, string> }
    expect(pinned.version).toMatch(/^\d+\.\d+\.\d+$/)
    expect(Object.keys(pinned.sha256)).toContain('linux-amd64')
    for (const value of Object.values(pinned.sha256)) expect(value).toMatch(/^([0-9a-f]{64})?$/)
  })
})
