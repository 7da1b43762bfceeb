/** "Copy link" behind the window: AppCore decrypts the stored remote, asks real rclone for the link, and s3rver serves the file through it. */
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { AppCore } from '../../electron/app/app-core.js'
import { FileConfigRepository } from '../../electron/app/store/config-repository.js'
import { createAesFileCipher } from './aes-file-cipher.js'
import { putObjectAsAnotherClient } from '../mount-helpers.js'
import { startS3, stopAllServers, tempDir, type S3Server } from '../servers/index.js'

let s3: S3Server
const cores: AppCore[] = []

beforeAll(async () => {
  s3 = await startS3({ buckets: ['docs'] })
})
afterEach(async () => {
  for (const core of cores.splice(0)) await core.quitAll().catch(() => undefined)
})
afterAll(() => stopAllServers())

async function openCore(): Promise<AppCore> {
  const dir = await tempDir('rmount-link-core-')
  const core = await AppCore.open({
    repository: new FileConfigRepository({ cwd: dir }),
    cipher: await createAesFileCipher(join(dir, 'key')),
    shell: { pickFolder: async () => null, pickFile: async () => null, pickSavePath: async () => null, openPath: async () => undefined },
    appVersion: '0.0.0-test',
  })
  cores.push(core)
  return core
}

describe('AppCore.shareLink', () => {
  it('gives a link to a file in the mount folder that downloads it, with its expiry', async () => {
    await putObjectAsAnotherClient(s3, 'docs', 'team/plan.md', '# plan\n')
    const core = await openCore()
    const remote = await core.saveRemote({
      name: 'Docs',
      remote: { type: 's3', provider: 'Minio', endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    })
    const localPath = join(await tempDir('rmount-link-mnt-'), 'Docs')
    const mount = await core.saveMount({ remoteId: remote.id, remotePath: 'docs/team', localPath, mountAtStart: false, options: {} })
    const before = Date.now()
    const link = await core.shareLink({ id: mount.id, path: join(localPath, 'plan.md'), expire: '7d' })
    expect(link.url).toMatch(/\/docs\/team\/plan\.md\?.*X-Amz-Expires=604800/)
    expect(link.expiresAt).toBeGreaterThanOrEqual(before + 7 * 86_400_000)
    expect(await (await fetch(link.url)).text()).toBe('# plan\n')
    await expect(core.shareLink({ id: mount.id, path: '/etc/passwd', expire: '1h' })).rejects.toMatchObject({ code: 'INVALID_CONFIG' })
    await expect(core.shareLink({ id: mount.id, path: join(localPath, 'missing.md'), expire: '1h' })).rejects.toMatchObject({
      code: 'REMOTE_NOT_FOUND',
      message: 'There is no file docs/team/missing.md on the remote: choose a file that has been uploaded.',
    })
  })

  it('answers LINK_UNSUPPORTED for an SFTP mount', async () => {
    const core = await openCore()
    const remote = await core.saveRemote({ name: 'Box', remote: { type: 'sftp', host: '127.0.0.1', port: 22, user: 'me', password: 'pw' } })
    const localPath = join(await tempDir('rmount-link-mnt-'), 'Box')
    const mount = await core.saveMount({ remoteId: remote.id, remotePath: '/srv', localPath, mountAtStart: false, options: {} })
    await expect(core.shareLink({ id: mount.id, path: join(localPath, 'a.txt'), expire: '1h' })).rejects.toMatchObject({
      code: 'LINK_UNSUPPORTED',
      message: expect.stringMatching(/not available for SFTP remotes/),
    })
  })
})
