// Runs s3rver in its own process so tests can SIGSTOP, SIGKILL and restart it like a real server.
// Usage: node s3rver-process.mjs <dataDir> <port> [bucket...]; prints "listening <port>" once ready.
// It listens on 127.0.0.1, or on S3RVER_HOST (an address inside a test network namespace).
import S3rver from 's3rver'

const [dataDir, port, ...buckets] = process.argv.slice(2)
if (!dataDir || !/^\d+$/.test(port ?? '')) {
  process.stderr.write('usage: node s3rver-process.mjs <dataDir> <port> [bucket...]\n')
  process.exit(2)
}
const server = new S3rver({
  address: process.env.S3RVER_HOST || '127.0.0.1',
  port: Number(port),
  directory: dataDir,
  silent: true,
  configureBuckets: buckets.map((name) => ({ name, configs: [] })),
})
// s3rver validates the name before it checks for an existing bucket, so a client that "creates" a pre-created bucket
// named like 'b' (too short for real S3, handy in tests) gets InvalidBucketName; rclone does exactly that before
// its first upload. Answer the way S3 answers the owner instead. Koa composes its middleware list when run() starts
// listening, so putting this first here still takes effect.
server.middleware.unshift(async (ctx, next) => {
  const bucket = /^\/([^/]+)\/?$/.exec(ctx.path)?.[1]
  if (ctx.method === 'PUT' && bucket && ctx.querystring === '' && (await ctx.store.getBucket(bucket))) {
    ctx.status = 409
    ctx.type = 'application/xml'
    ctx.body =
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>BucketAlreadyOwnedByYou</Code>' +
      `<Message>Your previous request to create the named bucket succeeded and you already own it.</Message><BucketName>${bucket}</BucketName></Error>`
    return
  }
  await next()
})
try {
  const { port: actual } = await server.run()
  process.stdout.write(`listening ${actual}\n`)
} catch (error) {
  // The harness looks for EADDRINUSE in this line to retry on another port.
  process.stderr.write(`s3rver failed to start: ${error?.code ?? ''} ${error?.message ?? error}\n`)
  process.exit(1)
}
const stop = () => {
  // close() alone waits for clients' keep-alive and in-flight requests; a test server should just go.
  server.httpServer?.closeAllConnections()
  server.close().finally(() => process.exit(0))
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
