/** The stored shape, its version, and the migration runner, on plain data. */
import { describe, expect, it } from 'vitest'
import { configFileSchema, describeIssues } from '../../../shared/config.js'
import { RmountError } from '../../../shared/errors.js'
import {
  defaultStoredConfig,
  migrate,
  migrations,
  runMigrations,
  storedConfigSchema,
  storedVersion,
  storeVersion,
  type MigrationStep,
} from '../../../electron/app/store/store-schema.js'
import { fullConfig } from './fixtures.js'

function issuesOf(value: unknown): string {
  const result = storedConfigSchema.safeParse(value)
  expect(result.success).toBe(false)
  return result.success ? '' : describeIssues(result.error)
}

describe('stored config schema', () => {
  it('accepts a full config and fills defaults', () => {
    const parsed = storedConfigSchema.parse(fullConfig)
    expect(parsed.remotes).toHaveLength(3)
    expect(parsed.mounts[1]!.mountAtStart).toBe(false)
    const nas = parsed.remotes[2]!.remote
    expect(nas.type === 'sftp' && nas.password).toEqual({ env: 'NAS_PASSWORD' })
    expect(storedConfigSchema.parse(defaultStoredConfig())).toEqual(defaultStoredConfig())
  })

  it('rejects bad values with the path of each field', () => {
    const bad = structuredClone(fullConfig) as typeof fullConfig & Record<string, unknown>
    ;(bad.remotes[2]!.remote as Record<string, unknown>).port = 70000
    ;(bad.remotes[0]!.remote as Record<string, unknown>).secretAccessKey = 'inline value'
    bad.mounts[1]!.remoteId = 'nowhere'
    ;(bad.settings as Record<string, unknown>).theme = 'neon'
    const text = issuesOf(bad)
    expect(text).toContain('remotes.2.remote.port: Ports go from 1 to 65535.')
    expect(text).toContain('remotes.0.remote.secretAccessKey')
    expect(text).toContain('settings.theme')
    // The config file's rules across remotes and mounts apply to the store too.
    const dangling = structuredClone(fullConfig)
    dangling.mounts[1]!.remoteId = 'nowhere'
    expect(issuesOf(dangling)).toContain('mounts.1.remoteId: No remote has the id "nowhere".')
    const twice = structuredClone(fullConfig)
    twice.mounts[1]!.localPath = '/home/me/Photos'
    expect(issuesOf(twice)).toContain('mounts.1.localPath: Two mounts use the folder /home/me/Photos.')
  })

  it('rejects unknown keys, a secret in an unknown form, and a wrong version', () => {
    expect(issuesOf({ ...fullConfig, extra: 1 })).toContain('config:')
    const secret = structuredClone(fullConfig)
    ;(secret.remotes[0]!.remote as Record<string, unknown>).secretAccessKey = { encrypted: 'x', plain: 'y' }
    expect(issuesOf(secret)).toContain('remotes.0.remote.secretAccessKey')
    expect(issuesOf({ ...fullConfig, version: storeVersion + 1 })).toContain('version')
  })
})

describe('migrations', () => {
  it('cover every version from 0 to the current one, in order', () => {
    expect(migrations.map((m) => m.from)).toEqual([...Array(storeVersion).keys()])
  })

  it('bring an `rmount up` config file stored as-is (version 0, no settings) to the current shape', () => {
    const v0 = configFileSchema.parse({
      version: 1,
      remotes: [
        { id: 's3', name: 'S3', remote: { type: 's3', provider: 'AWS', accessKeyId: 'AK', secretAccessKey: 'inline-secret' } },
        { id: 'box', name: 'Box', remote: { type: 'sftp', host: 'box', user: 'u', password: { env: 'BOX_PASS' } } },
      ],
      mounts: [{ id: 'm', remoteId: 'box', remotePath: '/', localPath: '/mnt/box' }],
    })
    const raw = JSON.parse(JSON.stringify(v0))
    expect(storedVersion(raw)).toBe(0)
    const config = migrate(raw)
    expect(config.version).toBe(storeVersion)
    expect(config.settings).toEqual({
      startOnLogin: false,
      rclonePath: '',
      theme: 'system',
      allowPlaintextSecrets: false,
      fileManagerBookmarks: true,
    })
    expect(config.remotes[0]!.remote.secretAccessKey).toEqual({ plain: 'inline-secret' })
    expect(config.remotes[1]!.remote.password).toEqual({ env: 'BOX_PASS' })
    expect(config.mounts).toMatchObject([{ id: 'm', remoteId: 'box', remotePath: '/', localPath: '/mnt/box', mountAtStart: false }])
    // Pure: the input is left as it was.
    expect(raw).toEqual(JSON.parse(JSON.stringify(v0)))
  })

  it('drop the rclonePath and stateDir a version 1 store may hold on its mounts, keeping every other option', () => {
    const v1 = {
      ...structuredClone(fullConfig),
      version: 1,
      mounts: [
        {
          id: 'nas',
          remoteId: 'nas',
          remotePath: '/',
          localPath: '/home/me/nas',
          options: { rclonePath: '/tmp/evil', stateDir: '/home/me/.ssh', readOnly: true },
        },
      ],
    }
    const config = migrate(v1)
    expect(config.version).toBe(storeVersion)
    expect(config.mounts[0]!.options).toEqual({ readOnly: true })
    // A current store may not hold them at all.
    expect(issuesOf({ ...fullConfig, mounts: [{ ...fullConfig.mounts[0], options: { stateDir: '/home/me/.ssh' } }] })).toContain('stateDir')
  })

  it('name each mount of a version 2 store after its folder, keeping a name it already has', () => {
    const v2 = {
      ...structuredClone(fullConfig),
      version: 2,
      mounts: [
        { id: 'photos', remoteId: 'photos', remotePath: 'b', localPath: '/home/me/Holiday photos/' },
        { id: 'nas', remoteId: 'nas', remotePath: '/', localPath: '/home/me/nas', name: 'Home NAS' },
      ],
    }
    const config = migrate(v2)
    expect(config.version).toBe(storeVersion)
    expect(config.mounts.map((m) => m.name)).toEqual(['Holiday photos', 'Home NAS'])
  })

  it('reports the fields of a broken old file in the current shape', () => {
    const raw = { version: 1, remotes: [{ id: 'x', name: 'X', remote: { type: 'sftp', host: 'h', user: 'u', port: 0, agent: true } }] }
    expect(() => migrate(raw)).toThrow(/remotes\.0\.remote\.port: Ports go from 1 to 65535/)
  })

  it('leave a current file as it is and refuse a newer one', () => {
    expect(migrate(fullConfig)).toEqual(storedConfigSchema.parse(fullConfig))
    expect(storedVersion({ ...fullConfig, version: 99 })).toBe(99)
    expect(() => migrate({ ...fullConfig, version: 99 })).toThrow(/newer than this RMount/)
    for (const bad of [null, [], 'text', { settings: {}, version: 'one' }]) {
      expect(() => migrate(bad)).toThrow(RmountError)
    }
  })
})

describe('the migration runner, with a made-up history', () => {
  // Version 0 held `name`; version 1 split it; version 2 added tags. What a future step looks like.
  const steps: MigrationStep[] = [
    {
      from: 0,
      change: 'split name',
      up: (raw) => {
        const [first, last] = String(raw.name).split(' ')
        delete raw.name
        return { ...raw, version: 1, first, last }
      },
    },
    { from: 1, change: 'add tags', up: (raw) => ({ ...raw, version: 2, tags: [] }) },
  ]
  const versionOf = (raw: unknown) => (raw as { version?: number }).version ?? 0
  const plan = { steps, target: 2, versionOf }

  it('applies the steps after the file version, in order, on a copy', () => {
    const old = { name: 'Ada Lovelace' }
    expect(runMigrations(old, plan)).toEqual({ version: 2, first: 'Ada', last: 'Lovelace', tags: [] })
    expect(old).toEqual({ name: 'Ada Lovelace' })
    expect(runMigrations({ version: 1, first: 'A' }, plan)).toEqual({ version: 2, first: 'A', tags: [] })
    expect(runMigrations({ version: 2, tags: ['x'] }, plan)).toEqual({ version: 2, tags: ['x'] })
  })

  it('stops at a gap, at a step that does not advance the version, and at a newer file', () => {
    expect(() => runMigrations({ name: 'A B' }, { ...plan, steps: [steps[1]!] })).toThrow(/gap/)
    const lazy = [{ from: 0, change: 'forgot the version', up: (raw: Record<string, unknown>) => raw }]
    expect(() => runMigrations({}, { steps: lazy, target: 1, versionOf })).toThrow(/produced version 0/)
    expect(() => runMigrations({ version: 3 }, plan)).toThrow(/newer/)
  })
})
