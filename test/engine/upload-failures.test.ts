/** Reading rclone's upload retries from its log (lines as rclone v1.75 and v1.60 write them). */
import { describe, expect, it } from 'vitest'
import type { LogLine } from '../../shared/mount-state.js'
import { parseGoDuration, parseUploadFailure, UploadFailures, uploadFailingMessage } from '../../electron/engine/upload-failures.js'

const cause =
  'operation error S3: PutObject, https response error StatusCode: 404, RequestID: , HostID: , api error NoSuchBucket: The specified bucket does not exist'
const failed = (tries: number, delay: string, object = 'b.txt'): LogLine => ({
  time: 1_000_000,
  level: 'error',
  object,
  message: `vfs cache: failed to upload try #${tries}, will retry in ${delay}: vfs cache: failed to transfer file from cache to remote: ${cause}`,
})
const succeeded = (object: string): LogLine => ({ time: 1, level: 'info', object, message: 'vfs cache: upload succeeded try #5' })

describe('parseGoDuration', () => {
  it.each([
    ['500ms', 500],
    ['8s', 8000],
    ['1m4s', 64_000],
    ['1m0s', 60_000],
    ['1h0m0s', 3_600_000],
    ['1.5s', 1500],
  ])('%s → %d ms', (text, ms) => expect(parseGoDuration(text)).toBe(ms))

  it.each(['', '5', 'soon', '5 s'])('%j is not a duration', (text) => expect(parseGoDuration(text)).toBeNull())
})

describe('parseUploadFailure', () => {
  it('takes the file, the try, the delay and the cause without the preamble', () => {
    expect(parseUploadFailure(failed(3, '4s'))).toEqual({ file: 'b.txt', tries: 3, retryInMs: 4000, retryAt: 1_004_000, cause })
  })

  it('ignores other lines', () => {
    expect(parseUploadFailure(succeeded('b.txt'))).toBeNull()
    expect(parseUploadFailure({ time: 1, level: 'error', message: `Failed to copy: ${cause}` })).toBeNull()
  })
})

describe('UploadFailures', () => {
  it('reports nothing after one failed try, the most-tried file after two, and forgets a file once uploaded', () => {
    const failures = new UploadFailures()
    failures.observe(failed(1, '1s'))
    expect(failures.current()).toBeNull()
    failures.observe(failed(2, '2s'))
    failures.observe(failed(1, '1s', 'c.txt'))
    expect(failures.current()).toMatchObject({ file: 'b.txt', tries: 2 })
    failures.observe(succeeded('b.txt'))
    expect(failures.current()).toBeNull()
    failures.observe(failed(2, '2s', 'c.txt'))
    expect(failures.current()).toMatchObject({ file: 'c.txt' })
    failures.clear()
    expect(failures.current()).toBeNull()
  })
})

describe('uploadFailingMessage', () => {
  it('names the remote, the cause, that nothing is lost, and the fix for a cause RMount knows', () => {
    const remote = { type: 's3' as const, provider: 'Minio' as const, endpoint: 'http://127.0.0.1:9000', envAuth: true }
    const message = uploadFailingMessage(parseUploadFailure(failed(2, '2s'))!, remote, 'photos')
    expect(message).toBe(
      `Uploads to bucket photos on http://127.0.0.1:9000 keep failing (${cause}). The files wait in the cache and rclone keeps retrying. ` +
        'Bucket photos does not exist on http://127.0.0.1:9000: check the bucket name in the remote path, or create the bucket.',
    )
  })
})
