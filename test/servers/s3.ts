/** s3rver in its own node process, so tests can SIGSTOP, kill and restart it like a remote S3 server. */
import { mkdir, readFile, readdir } from 'node:fs/promises'
import { join, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startManaged, tempDir, type ServerSpec, type TestServer } from './managed.js'
import { httpStatus } from './probes.js'

/** A running s3rver and what a client needs to reach it. */
export interface S3Server extends TestServer {
  /** `http://HOST:PORT`; use path-style requests (rclone's provider=Minio does). */
  endpoint: string
  accessKeyId: string
  secretAccessKey: string
  /** Where s3rver keeps buckets and objects. */
  dataDir: string
  /**
   * Object bytes as the server stores them, or null when absent. s3rver writes the file in place while the
   * PUT streams in, so call this only after the upload has finished.
   */
  readObject(bucket: string, key: string): Promise<Buffer | null>
  /** Keys of all objects in the bucket, sorted; empty when the bucket does not exist. */
  listKeys(bucket: string): Promise<string[]>
}

const script = fileURLToPath(new URL('./s3rver-process.mjs', import.meta.url))
// s3rver keeps object `dir/name` as `<dataDir>/<bucket>/dir/name._S3rver_object`, next to `name._S3rver_object.md5`
// and `name._S3rver_metadata.json` (lib/stores/filesystem.js); multipart parts live under `<bucket>/._S3rver_uploads/`.
const objectSuffix = '._S3rver_object'
// s3rver's only built-in account (lib/models/account.js); it checks signatures against it.
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }

/** s3rver in its own node process (so it can be SIGSTOPped); buckets pre-created; on 127.0.0.1 or inside `netns`. */
export async function startS3(opts: { buckets?: string[]; netns?: ServerSpec['netns'] } = {}): Promise<S3Server> {
  const dir = await tempDir('rmount-s3-')
  const dataDir = join(dir, 'data')
  await mkdir(dataDir)
  const buckets = opts.buckets ?? []
  const server = await startManaged({
    name: 's3rver',
    logFile: join(dir, 's3rver.log'),
    // Buckets are created again on restart; s3rver keeps existing ones and their objects.
    launch: (port) => ({
      command: process.execPath,
      args: [script, dataDir, String(port), ...buckets],
      env: opts.netns ? { ...process.env, S3RVER_HOST: opts.netns.address } : undefined,
    }),
    // Any HTTP answer will do (s3rver lists buckets even to anonymous clients): the server is then past bucket setup.
    probe: async (port, host) => (await httpStatus(port, 1_000, host)) !== null,
    netns: opts.netns,
  })

  const objectPath = (bucket: string, key: string) => {
    const parts = key.split('/')
    const name = parts.pop() ?? ''
    const path = join(dataDir, bucket, ...parts, `${name}${objectSuffix}`)
    if (!path.startsWith(join(dataDir, bucket) + sep)) throw new Error(`key escapes the bucket: ${key}`)
    return path
  }

  return {
    ...server,
    endpoint: `http://${server.host}:${server.port}`,
    ...credentials,
    dataDir,
    async readObject(bucket, key) {
      try {
        return await readFile(objectPath(bucket, key))
      } catch (error) {
        if (['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return null
        throw error
      }
    },
    async listKeys(bucket) {
      const bucketDir = join(dataDir, bucket)
      let entries: string[]
      try {
        entries = await readdir(bucketDir, { recursive: true })
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
        throw error
      }
      return entries
        .filter((entry) => entry.endsWith(objectSuffix))
        .map((entry) => entry.split(sep).join('/').slice(0, -objectSuffix.length))
        .sort()
    },
  }
}
