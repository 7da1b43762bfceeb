/** Finding rclone, reading its version, and the features each version gates. */
import { execFile } from 'node:child_process'
import { access, constants } from 'node:fs/promises'
import { delimiter, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { RmountError } from '../../shared/errors.js'

const run = promisify(execFile)

export interface RcloneInfo {
  path: string
  version: string
  /** [major, minor, patch] */
  semver: [number, number, number]
}

/** Oldest rclone RMount supports: vfs/stats (1.58) is what pending-upload tracking reads. */
export const minimumVersion: [number, number, number] = [1, 58, 0]

/** Features that depend on the rclone version, each with the first version that has it. */
export const features = {
  /** GCS through its S3 interface: 1.60 signs Accept-Encoding and Google rejects it (rclone#6670). */
  gcsS3: [1, 63, 0],
  /** An empty ACL sends no header; before, AWS buckets with "bucket owner enforced" need an explicit ACL. */
  omitEmptyAcl: [1, 61, 0],
} as const satisfies Record<string, readonly [number, number, number]>

export function atLeast(version: readonly number[], wanted: readonly number[]): boolean {
  for (let i = 0; i < 3; i++) {
    const a = version[i] ?? 0
    const b = wanted[i] ?? 0
    if (a !== b) return a > b
  }
  return true
}

/** Parses the first line of `rclone version`, e.g. `rclone v1.60.1-DEV`. */
export function parseVersion(output: string): { version: string; semver: [number, number, number] } | null {
  const match = /rclone v(\d+)\.(\d+)\.(\d+)\S*/.exec(output)
  if (!match) return null
  return { version: match[0].slice('rclone '.length), semver: [Number(match[1]), Number(match[2]), Number(match[3])] }
}

/** vendor/bin of this package, where packaging and `vendor/fetch-rclone.sh` put the pinned rclone. */
function vendorCandidates(): string[] {
  const here = dirname(fileURLToPath(import.meta.url))
  const exe = process.platform === 'win32' ? 'rclone.exe' : 'rclone'
  const candidates = [resolve(here, '../../vendor/bin', exe), resolve(here, '../../../vendor/bin', exe)]
  // Inside a packaged Electron app, electron-builder puts extra resources beside app.asar.
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath
  if (resourcesPath) candidates.unshift(join(resourcesPath, 'rclone', exe))
  return candidates
}

function pathCandidates(): string[] {
  const exe = process.platform === 'win32' ? 'rclone.exe' : 'rclone'
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, exe))
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
 * Finds rclone: the explicit path when given, else vendor/, else PATH; and checks its version.
 * Results are cached per explicit path, since a restart must not pay for `rclone version` again.
 */
export function findRclone(explicitPath?: string): Promise<RcloneInfo> {
  const key = explicitPath ?? ''
  let found = cache.get(key)
  if (!found) {
    found = locate(explicitPath)
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
  return locate(path)
}

async function locate(explicitPath?: string): Promise<RcloneInfo> {
  let path: string | undefined
  if (explicitPath) {
    if (!(await isExecutable(explicitPath))) {
      throw new RmountError(
        'RCLONE_NOT_FOUND',
        `rclone was not found at ${explicitPath}: check the rclone path setting, or leave it empty to use the bundled one.`,
      )
    }
    path = explicitPath
  } else {
    for (const candidate of [...vendorCandidates(), ...pathCandidates()]) {
      if (await isExecutable(candidate)) {
        path = candidate
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
  return { path, ...parsed }
}

function firstLine(text: string): string | undefined {
  return text.split('\n').find((line) => line.trim())
}
