/** The pure rules behind the CLI's config messages: JSON positions, key typos, S3 addressing, pseudo file systems. */
import { describe, expect, it } from 'vitest'
import { closestKey, s3AddressingWarning, secretSchema } from '../../shared/config.js'
import { findJsonSyntaxError } from '../../shared/json-syntax.js'
import { mountHolding, pseudoFileSystemAt } from '../../electron/engine/pseudo-filesystems.js'

describe('findJsonSyntaxError', () => {
  it.each([
    ['{ "version": 1, "remotes": [ }', 1, 30, /^a value/],
    ['{"a": "secret\n"}', 1, 14, /no line break/],
    ['{"a": 1,}', 1, 9, /JSON allows no comma before \}/],
    ['{"a" 1}', 1, 6, /a : after the key/],
    ['{\n  "a": [1, 2,\n  3]\n  "b": 2}', 4, 3, /a comma or \}/],
    ['{"a":"\\x"}', 1, 7, /a valid escape/],
    ['[1,2]x', 1, 6, /nothing after the end/],
    ['{"a": [1, 2', 1, 12, /the file ends here/],
  ])('%j breaks at line %d, column %d', (text, line, column, expected) => {
    expect(() => JSON.parse(text)).toThrow()
    const error = findJsonSyntaxError(text)
    expect(error).toMatchObject({ line, column })
    expect(error!.expected).toMatch(expected)
  })

  it.each(['{}', '[]', '{"a": -0.5e3, "b": [true, false, null, {}], "c": "\\u00e9\\n"}', ' 1 ', '"x"'])('%j is valid', (text) => {
    expect(() => JSON.parse(text)).not.toThrow()
    expect(findJsonSyntaxError(text)).toBeNull()
  })
})

describe('closestKey', () => {
  const keys = ['remotePath', 'localPath', 'remoteId', 'env', 'accessKeyId', 'secretAccessKey']
  it.each([
    ['remotePth', 'remotePath'],
    ['localpath', 'localPath'],
    ['ENV', 'env'],
    ['secretAcessKey', 'secretAccessKey'],
    ['bucket', null],
    ['x', null],
  ])('%s → %s', (typo, guess) => expect(closestKey(typo, keys)).toBe(guess))
})

describe('s3AddressingWarning', () => {
  it('warns for AWS with a non-AWS host name, and only then', () => {
    expect(s3AddressingWarning({ provider: 'AWS', endpoint: 'https://minio.lan:9000' })).toMatch(
      /puts the bucket in the host name \(my-bucket\.minio\.lan.*choose provider Minio or Other/,
    )
    expect(s3AddressingWarning({ provider: 'AWS' })).toBeNull()
    expect(s3AddressingWarning({ provider: 'AWS', endpoint: 'https://s3.eu-central-1.amazonaws.com' })).toBeNull()
    expect(s3AddressingWarning({ provider: 'AWS', endpoint: 'http://127.0.0.1:9000' })).toBeNull()
    expect(s3AddressingWarning({ provider: 'Minio', endpoint: 'https://minio.lan:9000' })).toBeNull()
  })
})

describe('secretSchema', () => {
  it('says what a secret can be when given something else', () => {
    const result = secretSchema.safeParse({ ENV: 'X' })
    expect(result.error!.issues[0]!.message).toMatch(/A secret is a string, or \{ "env": "NAME" \}/)
    expect(secretSchema.safeParse({ env: 'X' }).success).toBe(true)
    expect(secretSchema.safeParse('s').success).toBe(true)
  })
})

describe('pseudoFileSystemAt', () => {
  const table = [
    { mountPoint: '/', fsType: 'ext4', source: '/dev/sda1' },
    { mountPoint: '/proc', fsType: 'proc', source: 'proc' },
    { mountPoint: '/sys', fsType: 'sysfs', source: 'sysfs' },
    { mountPoint: '/sys/fs/cgroup', fsType: 'cgroup2', source: 'cgroup2' },
    { mountPoint: '/home', fsType: 'ext4', source: '/dev/sda2' },
    { mountPoint: '/procedures', fsType: 'ext4', source: '/dev/sda3' },
  ]
  it.each([
    ['/proc/x/mnt', '/proc'],
    ['/proc', '/proc'],
    ['/sys/fs/cgroup/a', '/sys/fs/cgroup'],
    ['/home/me/mnt', null],
    ['/procedures/mnt', null],
    ['/tmp/../proc/x', '/proc'],
  ])('%s → %s', (path, point) => expect(pseudoFileSystemAt(table, path)?.mountPoint ?? null).toBe(point))

  it('finds the deepest mount holding a path', () => {
    expect(mountHolding(table, '/home/me')?.source).toBe('/dev/sda2')
    expect(mountHolding(table, '/etc')?.source).toBe('/dev/sda1')
  })
})
