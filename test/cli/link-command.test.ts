/** `rmount link`: the built CLI makes a pre-signed link through real rclone that a plain fetch, without credentials, downloads from s3rver. */
import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expirySeconds } from '../../electron/engine/index.js'
import { putObjectAsAnotherClient } from '../mount-helpers.js'
import { startS3, stopAllServers, tempDir, type S3Server } from '../servers/index.js'

const run = promisify(execFile)
const cli = fileURLToPath(new URL('../../dist/electron/cli/rmount.js', import.meta.url))
let s3: S3Server

beforeAll(async () => {
  s3 = await startS3({ buckets: ['team'] })
})
afterAll(() => stopAllServers())

async function rmount(args: string[], env: NodeJS.ProcessEnv = {}) {
  return run(process.execPath, [cli, ...args], { env: { ...process.env, ...env } }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  )
}

async function configWith(remote: object, localPath: string): Promise<string> {
  const file = join(await tempDir('rmount-link-'), 'config.json')
  const config = {
    version: 1,
    remotes: [{ id: 'r', name: 'R', remote }],
    mounts: [{ id: 'm', remoteId: 'r', remotePath: 'team/shared', localPath }],
  }
  await writeFile(file, JSON.stringify(config), { mode: 0o600 })
  return file
}

describe('rmount link', () => {
  it('prints a link that downloads the file without credentials, the secret given only through the environment', async () => {
    const body = `quarterly report ${Date.now()}\n`
    await putObjectAsAnotherClient(s3, 'team', 'shared/docs/report 1.txt', body)
    const folder = join(await tempDir('rmount-link-mnt-'), 'Team')
    const config = await configWith(
      { type: 's3', provider: 'Minio', endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: { env: 'LINK_TEST_SECRET' } },
      folder,
    )
    const result = await rmount(['link', join(folder, 'docs', 'report 1.txt'), '--config', config, '--expire', '1d'], {
      LINK_TEST_SECRET: s3.secretAccessKey,
    })
    expect(result).toMatchObject({ code: 0, stderr: '' })
    const url = result.stdout.trim()
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/team\/shared\/docs\/report%201\.txt\?.*X-Amz-Expires=86400/)
    const response = await fetch(url)
    expect(response.status).toBe(200)
    expect(await response.text()).toBe(body)
    // A signed link (s3rver serves unsigned GETs too and does not check query signatures, so the shape is checked here).
    expect(new URL(url).searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/)
    expect(new URL(url).searchParams.get('X-Amz-Credential')).toMatch(new RegExp(`^${s3.accessKeyId}/`))
  })

  it('says that SFTP remotes have no links, and that a file outside every mount has no remote', async () => {
    const folder = join(await tempDir('rmount-link-mnt-'), 'Box')
    const config = await configWith({ type: 'sftp', host: '127.0.0.1', user: 'me', password: { env: 'UNSET_FOR_LINK' } }, folder)
    const sftp = await rmount(['link', join(folder, 'a.txt'), '--config', config])
    expect(sftp.code).toBe(1)
    expect(sftp.stderr).toMatch(/Share links are not available for SFTP remotes/)
    const outside = await rmount(['link', '/etc/hostname', '--config', config])
    expect(outside.code).toBe(2)
    expect(outside.stderr).toMatch(/not inside the folder of any mount/)
  })

  it('takes expiries from 1s to 7 days in rclone style', () => {
    expect(['1h', '1d', '7d', '90m'].map(expirySeconds)).toEqual([3600, 86_400, 604_800, 5400])
    for (const bad of ['8d', '0h', '1 day', '', '-1h']) expect(() => expirySeconds(bad)).toThrow(/from 1s to 7d/)
  })
})
