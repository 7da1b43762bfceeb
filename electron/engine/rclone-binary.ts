/** Finding rclone, reading its version, and the features each version gates. */
import { execFile } from 'node:child_process'
import { access, constants, readFile } from 'node:fs/promises'
import { delimiter, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { RmountError } from '../../shared/errors.js'

const run = promisify(execFile)

/**
 * Where the rclone in use was found: the `rclonePath` option, the RMOUNT_RCLONE environment variable,
 * the packaged app's resources, this checkout's vendor/bin (vendor/fetch-rclone.sh), or PATH.
 */
export type RcloneSource = 'option' | 'env' | 'packaged' | 'vendor' | 'PATH'

/** Environment variable naming the rclone to use, over vendor/ and PATH (the `rclonePath` option still wins). */
export const rcloneEnvVar = 'RMOUNT_RCLONE'

export interface RcloneInfo {
  path: string
  version: string
  /** [major, minor, patch] */
  semver: [number, number, number]
  /** Where it was found; absent for an RcloneInfo built by hand (tests, callers that know). */
  source?: RcloneSource
  /** How a vendored rclone was fetched and verified (vendor/bin/rclone.provenance), when recorded. */
  provenance?: string
}

/** Oldest rclone RMount supports: vfs/stats (1.58) is what pending-upload tracking reads. */
export const minimumVersion: [number, number, number] = [1, 58, 0]

/** Features that depend on the rclone version, each with the first version that has it. */
export const features = {
  /** GCS through its S3 interface: 1.60 signs Accept-Encoding and Google rejects it (rclone#6670). */
  gcsS3: [1, 63, 0],
  /** An empty ACL sends no header; before, AWS buckets with "bucket owner enforced" need an explicit ACL. */
  omitEmptyAcl: [1, 61, 0],
  /** Uploads to SFTP/local go to a .partial file renamed when complete: a stop mid-upload leaves no truncated file. */
  partialUploads: [1, 63, 0],
  /** `vfs/queue`: the list of files waiting to upload. */
  vfsQueue: [1, 68, 0],
  /** rc on a unix socket with auth applied (1.61 to 1.68 skip auth on sockets). */
  rcUnixSocket: [1, 69, 0],
} as const satisfies Record<string, readonly [number, number, number]>

/** What each gated feature gives, said to a person whose rclone lacks it. */
const featureNames: Record<keyof typeof features, string> = {
  gcsS3: 'Google Cloud Storage through its S3 interface',
  omitEmptyAcl: 'AWS buckets with "bucket owner enforced" without setting an ACL',
  partialUploads: 'clean stops during an upload (older ones leave a truncated file on SFTP until the next mount)',
  vfsQueue: 'the exact list of files waiting to upload (vfs/queue)',
  rcUnixSocket: 'its control endpoint on a private unix socket instead of a loopback port',
}

/** What an rclone of this version lacks, each with the version that brings it, oldest first. */
export function missingFeatures(version: readonly number[]): { feature: keyof typeof features; since: string; what: string }[] {
  return (Object.keys(features) as (keyof typeof features)[])
    .filter((feature) => !atLeast(version, features[feature]))
    .map((feature) => ({ feature, since: features[feature].join('.'), what: featureNames[feature] }))
    .sort((a, b) => compareVersions(features[a.feature], features[b.feature]))
}

export function atLeast(version: readonly number[], wanted: readonly number[]): boolean {
  for (let i = 0; i < 3; i++) {
    const a = version[i] ?? 0
    const b = wanted[i] ?? 0
    if (a !== b) return a > b
  }
  return true
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  return atLeast(a, b) ? (atLeast(b, a) ? 0 : 1) : -1
}

/** Parses the first line of `rclone version`, e.g. `rclone v1.60.1-DEV`. */
export function parseVersion(output: string): { version: string; semver: [number, number, number] } | null {
  const match = /rclone v(\d+)\.(\d+)\.(\d+)\S*/.exec(output)
  if (!match) return null
  return { version: match[0].slice('rclone '.length), semver: [Number(match[1]), Number(match[2]), Number(match[3])] }
}

const exe = process.platform === 'win32' ? 'rclone.exe' : 'rclone'

/** Where to look when no path is given, in order: the packaged app's resources, vendor/bin of this package, PATH. */
function candidates(): { path: string; source: RcloneSource }[] {
  const here = dirname(fileURLToPath(import.meta.url))
  const found: { path: string; source: RcloneSource }[] = []
  // Inside a packaged Electron app, electron-builder puts extra resources beside app.asar.
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath
  if (resourcesPath) found.push({ path: join(resourcesPath, 'rclone', exe), source: 'packaged' })
  // Where packaging and `vendor/fetch-rclone.sh` put the pinned rclone (from src/ or from dist/).
  for (const up of ['../../vendor/bin', '../../../vendor/bin']) found.push({ path: resolve(here, up, exe), source: 'vendor' })
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) found.push({ path: join(dir, exe), source: 'PATH' })
  return found
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

const cache = new Map<string, Promise<RcloneInfo>>()

/**
 * Finds rclone: the explicit path when given, else $RMOUNT_RCLONE, else the packaged or vendored one,
 * else PATH; and checks its version. Results are cached per choice, since a restart must not pay for
 * `rclone version` again.
 */
export function findRclone(explicitPath?: string): Promise<RcloneInfo> {
  const fromEnv = process.env[rcloneEnvVar] || undefined
  const key = explicitPath ? `option:${explicitPath}` : `env:${fromEnv ?? ''}`
  let found = cache.get(key)
  if (!found) {
    found = locate(explicitPath, fromEnv)
    cache.set(key, found)
    found.catch(() => cache.delete(key))
  }
  return found
}

/**
 * Checks that `path` runs as an rclone RMount supports (`rclone version`, 10 s at most, >= minimumVersion),
 * uncached: for a path a person just chose, before it is saved.
 */
export function checkRclone(path: string): Promise<RcloneInfo> {
  return locate(path, undefined)
}

async function locate(explicitPath: string | undefined, fromEnv: string | undefined): Promise<RcloneInfo> {
  let path: string | undefined
  let source: RcloneSource | undefined
  if (explicitPath) {
    if (!(await isExecutable(explicitPath))) {
      throw new RmountError(
        'RCLONE_NOT_FOUND',
        `rclone was not found at ${explicitPath}: check the rclone path setting, or leave it empty to use the bundled one.`,
      )
    }
    ;[path, source] = [explicitPath, 'option']
  } else if (fromEnv) {
    if (!(await isExecutable(fromEnv))) {
      throw new RmountError(
        'RCLONE_NOT_FOUND',
        `rclone was not found at ${fromEnv} (from ${rcloneEnvVar}): point ${rcloneEnvVar} at an rclone executable, or unset it to use the bundled one.`,
      )
    }
    ;[path, source] = [fromEnv, 'env']
  } else {
    for (const candidate of candidates()) {
      if (await isExecutable(candidate.path)) {
        ;({ path, source } = candidate)
        break
      }
    }
  }
  if (!path) {
    throw new RmountError(
      'RCLONE_NOT_FOUND',
      'rclone was not found: install it (Debian/Ubuntu: sudo apt install rclone; others: https://rclone.org/install/), or run vendor/fetch-rclone.sh, or set the rclone path.',
    )
  }
  let stdout: string
  try {
    ;({ stdout } = await run(path, ['version'], { timeout: 10_000, env: { ...process.env, RCLONE_CONFIG: '/dev/null' } }))
  } catch (cause) {
    throw new RmountError(
      'RCLONE_NOT_FOUND',
      `${path} did not run as rclone (${firstLine(String((cause as { stderr?: unknown }).stderr ?? '')) ?? firstLine((cause as Error).message)}): reinstall rclone or choose another path.`,
      { cause },
    )
  }
  const parsed = parseVersion(stdout)
  if (!parsed)
    throw new RmountError(
      'RCLONE_NOT_FOUND',
      `${path} is not rclone (its version output was not understood): choose the rclone executable.`,
    )
  if (!atLeast(parsed.semver, minimumVersion)) {
    throw new RmountError(
      'RCLONE_TOO_OLD',
      `rclone ${parsed.version} at ${path} is too old: RMount needs rclone v${minimumVersion.join('.')} or later. Update rclone.`,
    )
  }
  const provenance = source === 'vendor' || source === 'packaged' ? await readProvenance(path) : undefined
  return { path, ...parsed, source, ...(provenance ? { provenance } : {}) }
}

/** The line vendor/fetch-rclone.sh writes beside the binary about where it came from; absent when none. */
async function readProvenance(path: string): Promise<string | undefined> {
  try {
    return firstLine(await readFile(`${path}.provenance`, 'utf8'))?.trim()
  } catch {
    return undefined
  }
}

function firstLine(text: string): string | undefined {
  return text.split('\n').find((line) => line.trim())
}
