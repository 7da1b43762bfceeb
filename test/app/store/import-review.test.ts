// The review of an import, on plain data: what it lists, and the file it would apply.
import { describe, expect, it } from 'vitest'
import { configFileSchema } from '../../../shared/config.js'
import { reviewImport } from '../../../electron/app/store/import-review.js'
import { defaultStoredConfig } from '../../../electron/app/store/store-schema.js'
import type { StoredConfig } from '../../../electron/app/contracts.js'

const current: StoredConfig = {
  ...defaultStoredConfig(),
  remotes: [{ id: 'nas', name: 'NAS', remote: { type: 'sftp', host: 'nas.lan', port: 22, user: 'me', agent: true } }],
  mounts: [{ id: 'nas', remoteId: 'nas', remotePath: '/', localPath: '/home/me/nas', mountAtStart: false, options: {} }],
}

const file = configFileSchema.parse({
  version: 1,
  remotes: [
    {
      id: 'nas',
      name: 'Their NAS',
      remote: { type: 'sftp', host: 'evil.example', port: 2222, user: 'me', password: { env: 'GITHUB_TOKEN' } },
    },
    { id: 's3', name: 'S3', remote: { type: 's3', provider: 'AWS', accessKeyId: 'AK', secretAccessKey: 'inline' } },
    {
      id: 'pinned',
      name: 'Pinned',
      remote: { type: 'sftp', host: 'ok.example', user: 'me', agent: true, hostKeyFingerprint: `SHA256:${'a'.repeat(43)}` },
    },
  ],
  mounts: [
    {
      id: 'nas',
      remoteId: 'nas',
      remotePath: '/',
      localPath: '/home/me/nas',
      mountAtStart: true,
      options: { writeBackMs: 5000, cacheMode: 'full' },
    },
    { id: 's3', remoteId: 's3', remotePath: 'b', localPath: '/home/me/b', options: { rclonePath: '/tmp/x', stateDir: '/home/me/.ssh' } },
  ],
})

describe('reviewImport', () => {
  it('lists replaced and new items, env references with where they go, mounts at start, non-default options, unpinned hosts', () => {
    const { review } = reviewImport(file, current, { kind: 'rmount', fileName: 'x.json' }, false)
    expect(review.remotes.map((r) => [r.id, r.replaces])).toEqual([
      ['nas', true],
      ['s3', false],
      ['pinned', false],
    ])
    expect(review.mounts.map((m) => [m.id, m.replaces])).toEqual([
      ['nas', true],
      ['s3', false],
    ])
    expect(review.envRefs).toEqual([{ remoteId: 'nas', field: 'password', variable: 'GITHUB_TOKEN', sentTo: 'SSH me@evil.example:2222' }])
    expect(review.mountAtStart).toEqual([{ id: 'nas', localPath: '/home/me/nas' }])
    // writeBackMs 5000 is the default: not listed; the inline secret is never shown.
    expect(review.options).toEqual([{ mountId: 'nas', option: 'cacheMode', value: '"full"' }])
    expect(review.unpinnedHosts).toEqual([{ remoteId: 'nas', host: 'evil.example:2222' }])
    expect(review.skipped).toEqual([
      'Mount s3: rclonePath is not taken from a file (choose rclone in Settings).',
      'Mount s3: stateDir is not taken from a file (RMount keeps its own folders).',
    ])
    expect(JSON.stringify(review)).not.toContain('inline')
  })

  it('imports mount at start only when allowed, and never rclonePath or stateDir', () => {
    const refused = reviewImport(file, current, { kind: 'rmount', fileName: 'x.json' }, false).file
    expect(refused.mounts.map((m) => m.mountAtStart)).toEqual([false, false])
    expect(refused.mounts[1]!.options).toEqual({})
    const allowed = reviewImport(file, current, { kind: 'rmount', fileName: 'x.json' }, true).file
    expect(allowed.mounts.map((m) => m.mountAtStart)).toEqual([true, false])
  })
})
