/**
 * vendor/fetch-rclone.sh. The upstream path against a local HTTPS release server (a self-signed
 * certificate that curl is told to trust): it installs only what a check vouched for, and refuses when
 * no check can run. The Debian path offline with a .deb built here (cache hits, a cached file that
 * differs from the pin, an unreachable mirror), and against Debian's real archive when it is reachable.
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
      RMOUNT_RCLONE_SOURCE: 'upstream',
      ...(opts.zipFile ? { RCLONE_ZIP: opts.zipFile } : {}),
    },
  })
  return { exitCode: result.exitCode ?? -1, output: result.all ?? '', installed: existsSync(join(bin, 'rclone')), bin }
}

const goodSums = () => sums([`${'0'.repeat(64)}  rclone-v${version}-windows-amd64.zip`, `${zipSha}  ${name}.zip`])

describe('vendor/fetch-rclone.sh, upstream release path', () => {
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
})

describe('vendor/rclone-version.json', () => {
  it('pins an upstream version, the Debian build of it with its SHA-256, and empty or SHA-256 zip checksums', async () => {
    const pinned = JSON.parse(await readFile(pinFile, 'utf8')) as Pin
    expect(pinned.version).toMatch(/^\d+\.\d+\.\d+$/)
    expect(pinned.debian.version.startsWith(`${pinned.version}-`)).toBe(true)
    expect(pinned.debian.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(pinned.debian.mirror).toMatch(/^https?:\/\//)
    expect(Object.keys(pinned.sha256)).toContain('linux-amd64')
    for (const value of Object.values(pinned.sha256)) expect(value).toMatch(/^([0-9a-f]{64})?$/)
  })
})

interface Pin {
  version: string
  debian: { mirror: string; suite: string; package: string; version: string; sha256: string }
  sha256: Record<string, string>
}

const repoPin = (): Promise<Pin> => readFile(pinFile, 'utf8').then((text) => JSON.parse(text) as Pin)

/** Runs the script on the Debian path with its own pin file, bin dir and apt folder. */
async function fetchDeb(opts: { pin: Pin; aptDir: string; bin?: string; mirror?: string; args?: string[] }): Promise<Run> {
  const bin = opts.bin ?? (await mkdtemp(join(dir, 'bin-')))
  const pin = join(await mkdtemp(join(dir, 'pin-')), 'rclone-version.json')
  await writeFile(pin, JSON.stringify(opts.pin))
  const result = await execa('bash', [script, ...(opts.args ?? [])], {
    reject: false,
    all: true,
    env: {
      RMOUNT_RCLONE_SOURCE: 'debian',
      RMOUNT_RCLONE_PIN: pin,
      RMOUNT_VENDOR_BIN: bin,
      RMOUNT_APT_DIR: opts.aptDir,
      ...(opts.mirror ? { RMOUNT_DEBIAN_MIRROR: opts.mirror } : {}),
    },
  })
  return { exitCode: result.exitCode ?? -1, output: result.all ?? '', installed: existsSync(join(bin, 'rclone')), bin }
}

/** A .deb holding usr/bin/rclone, a stand-in that answers `version` as rclone `semver` would. */
async function buildDeb(semver: string, debVersion: string): Promise<{ path: string; sha: string }> {
  const root = await mkdtemp(join(dir, 'deb-'))
  await mkdir(join(root, 'DEBIAN'))
  await mkdir(join(root, 'usr/bin'), { recursive: true })
  await writeFile(
    join(root, 'DEBIAN/control'),
    `Package: rclone\nVersion: ${debVersion}\nArchitecture: amd64\nMaintainer: test <test@example.invalid>\nDescription: stand-in\n`,
  )
  await writeFile(join(root, 'usr/bin/rclone'), `#!/bin/sh\necho "rclone v${semver}"\n`)
  await chmod(join(root, 'usr/bin/rclone'), 0o755)
  const path = join(dir, `built-${debVersion}.deb`)
  await execa('dpkg-deb', ['--root-owner-group', '-b', root, path])
  return {
    path,
    sha: createHash('sha256')
      .update(await readFile(path))
      .digest('hex'),
  }
}

/** A pin for the stand-in: upstream `semver`, Debian `debVersion` with `sha`, and a mirror nobody answers on. */
function standInPin(semver: string, debVersion: string, sha: string): Pin {
  return {
    version: semver,
    debian: { mirror: 'http://127.0.0.1:9/debian', suite: 'sid', package: 'rclone', version: debVersion, sha256: sha },
    sha256: {},
  }
}

async function aptDirWith(deb?: { path: string; name: string }): Promise<string> {
  const aptDir = await mkdtemp(join(dir, 'apt-'))
  if (deb) {
    await mkdir(join(aptDir, 'debs'))
    await writeFile(join(aptDir, 'debs', deb.name), await readFile(deb.path))
  }
  return aptDir
}

const stdoutVersion = async (bin: string) => (await execa(join(bin, 'rclone'), ['version'])).stdout.split('\n')[0]

describe('vendor/fetch-rclone.sh, Debian path, offline', () => {
  it('installs the pinned .deb from the cache without touching the network, then does nothing the second time', async () => {
    const deb = await buildDeb('7.7.7', '7.7.7-1')
    const aptDir = await aptDirWith({ path: deb.path, name: 'rclone_7.7.7-1_amd64.deb' })
    const first = await fetchDeb({ pin: standInPin('7.7.7', '7.7.7-1', deb.sha), aptDir })
    expect(first.exitCode, first.output).toBe(0)
    expect(first.output).toContain('nothing downloaded')
    // apt never ran: it would have written its sources list and lists folder.
    expect(existsSync(join(aptDir, 'sources.list'))).toBe(false)
    expect(existsSync(join(aptDir, 'lists'))).toBe(false)
    expect(await stdoutVersion(first.bin)).toBe('rclone v7.7.7')
    expect(await readFile(join(first.bin, 'rclone.provenance'), 'utf8')).toContain(
      `rclone 7.7.7-1 amd64, sha256 ${deb.sha} (apt-verified signature, pinned sha256)`,
    )

    const second = await fetchDeb({ pin: standInPin('7.7.7', '7.7.7-1', deb.sha), aptDir: await aptDirWith(), bin: first.bin })
    expect(second.exitCode).toBe(0)
    expect(second.output).toContain('rclone v7.7.7 is already in')
  })

  it('does not accept an installed rclone older than the pin, and --force fetches even a current one', async () => {
    const deb = await buildDeb('7.7.7', '7.7.7-1')
    const old = await buildDeb('1.60.1', '1.60.1-1')
    const bin = await mkdtemp(join(dir, 'bin-'))
    await execa('dpkg-deb', ['-x', old.path, join(dir, 'old')])
    await writeFile(join(bin, 'rclone'), await readFile(join(dir, 'old/usr/bin/rclone')))
    await chmod(join(bin, 'rclone'), 0o755)
    const pin = standInPin('7.7.7', '7.7.7-1', deb.sha)
    const upgraded = await fetchDeb({ pin, bin, aptDir: await aptDirWith({ path: deb.path, name: 'rclone_7.7.7-1_amd64.deb' }) })
    expect(upgraded.exitCode, upgraded.output).toBe(0)
    expect(await stdoutVersion(bin)).toBe('rclone v7.7.7')
    const forced = await fetchDeb({
      pin,
      bin,
      args: ['--force'],
      aptDir: await aptDirWith({ path: deb.path, name: 'rclone_7.7.7-1_amd64.deb' }),
    })
    expect(forced.output).toContain('nothing downloaded')
    expect(forced.output).not.toContain('already in')
  })

  it('discards a cached .deb that differs from the pin, and says what it tried when the archive cannot be reached', async () => {
    const deb = await buildDeb('7.7.7', '7.7.7-1')
    const aptDir = await aptDirWith({ path: deb.path, name: 'rclone_7.7.7-1_amd64.deb' })
    const run = await fetchDeb({ pin: standInPin('7.7.7', '7.7.7-1', 'c'.repeat(64)), aptDir })
    expect(run.exitCode).toBe(1)
    expect(run.output).toContain(`has SHA256 ${deb.sha}, not the pinned ${'c'.repeat(64)}: discarding it`)
    expect(existsSync(join(aptDir, 'debs/rclone_7.7.7-1_amd64.deb'))).toBe(false)
    expect(run.output).toContain('tried Debian sid (http://127.0.0.1:9/debian) through apt, package rclone >= 7.7.7-1')
    expect(run.output).toContain('RMount will use the rclone on PATH')
    expect(run.installed).toBe(false)
    // Its private sources list trusts Debian's keyring only, and the system's apt folders are untouched.
    expect(await readFile(join(aptDir, 'sources.list'), 'utf8')).toBe(
      'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://127.0.0.1:9/debian sid main\n',
    )
  })

  it('refuses a pin without a Debian SHA-256, and an unknown source', async () => {
    const noSha = await fetchDeb({ pin: standInPin('7.7.7', '7.7.7-1', ''), aptDir: await aptDirWith() })
    expect(noSha.exitCode).toBe(1)
    expect(noSha.output).toContain('pins no sha256 for the Debian package')
    const bad = await execa('bash', [script], {
      reject: false,
      all: true,
      env: { RMOUNT_RCLONE_SOURCE: 'ftp', RMOUNT_VENDOR_BIN: join(dir, 'none') },
    })
    expect(bad.exitCode).toBe(1)
    expect(bad.all).toContain('RMOUNT_RCLONE_SOURCE must be debian or upstream, not ftp')
  })
})

/** Debian's real archive, through real apt: one apt folder shared by these tests, so the .deb is fetched once. */
// apt reads sid's package list (tens of MB to parse) and may fetch the 22 MB .deb: minutes on a loaded machine.
describe('vendor/fetch-rclone.sh, Debian path, against the real archive', { timeout: 240_000 }, () => {
  let aptDir: string
  let reachable = false
  beforeAll(async () => {
    aptDir = await aptDirWith()
    const { debian } = await repoPin()
    const probe = await execa(
      'curl',
      ['-sS', '-o', '/dev/null', '--max-time', '10', '-w', '%{http_code}', `${debian.mirror}/dists/${debian.suite}/InRelease`],
      { reject: false },
    )
    reachable = probe.stdout === '200'
    if (!reachable) console.log(`Debian's archive is not reachable (${probe.stderr || probe.stdout}): the real-archive tests are skipped`)
  })

  /** The version the archive's signed list carries now, from the script's own words. */
  const carried = (output: string) => /^fetch-rclone: Debian \S+ carries the pinned rclone (\S+)$|; it has (\S+)\.$/m.exec(output)

  it('fetches the pinned rclone through apt (or the newer one sid moved to, loudly), verified, then again from the cache', async (ctx) => {
    if (!reachable) ctx.skip()
    const pin = await repoPin()
    const first = await fetchDeb({ pin, aptDir })
    expect(first.exitCode, first.output).toBe(0)
    const match = carried(first.output)
    expect(match, first.output).not.toBeNull()
    if (match![1]) {
      expect(first.output).toContain(`SHA256 matches the pin ${pin.debian.sha256}`)
      expect(await stdoutVersion(first.bin)).toBe(`rclone v${pin.version}`)
    } else {
      expect(first.output).toContain(`no longer carries the pinned rclone ${pin.debian.version}; it has ${match![2]}`)
      expect(first.output).toContain('CANNOT apply')
    }
    const second = await fetchDeb({ pin, aptDir })
    expect(second.exitCode, second.output).toBe(0)
    expect(second.output).toContain('nothing downloaded')
    expect(second.output).not.toContain('apt-get download')
  })

  it('announces a newer build than the pin with both versions, and installs it verified by apt alone', async (ctx) => {
    if (!reachable) ctx.skip()
    const pin = await repoPin()
    pin.version = '1.70.0'
    pin.debian.version = '1.70.0-1'
    const run = await fetchDeb({ pin, aptDir })
    expect(run.exitCode, run.output).toBe(0)
    const match = carried(run.output)
    expect(run.output).toContain(`Debian sid no longer carries the pinned rclone 1.70.0-1; it has ${match?.[2]}.`)
    expect(run.output).toContain('the pinned sha256 was for 1.70.0-1 and CANNOT apply')
    expect(await readFile(join(run.bin, 'rclone.provenance'), 'utf8')).toContain('NEWER than the pin 1.70.0-1, sha256 pin not applied')
  })

  it('refuses when the archive carries only versions older than the pin', async (ctx) => {
    if (!reachable) ctx.skip()
    const pin = await repoPin()
    pin.version = '99.0.0'
    pin.debian.version = '99.0.0-1'
    const run = await fetchDeb({ pin, aptDir })
    expect(run.exitCode).toBe(1)
    expect(run.output).toMatch(/Debian sid carries only rclone \S+, older than the pin 99\.0\.0-1: not installing/)
    expect(run.installed).toBe(false)
  })

  it('refuses a download whose SHA-256 differs from the pin', async (ctx) => {
    if (!reachable) ctx.skip()
    const pin = await repoPin()
    // A wrong pin for the version the archive carries: apt fetches it and verifies it, the pin refuses it.
    const first = await fetchDeb({ pin, aptDir })
    const version = carried(first.output)
    pin.debian.version = version?.[1] ?? version?.[2] ?? pin.debian.version
    pin.debian.sha256 = 'd'.repeat(64)
    const run = await fetchDeb({ pin, aptDir: await aptDirWith() })
    expect(run.exitCode).toBe(1)
    expect(run.output).toMatch(new RegExp(`has SHA256 [0-9a-f]{64}, but .* pins ${'d'.repeat(64)}: not installing`))
    expect(run.installed).toBe(false)
  })
})
