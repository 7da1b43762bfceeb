// A supervising process for fault tests: the built library (dist/) mounting what RMOUNT_SUPERVISOR_SPEC lists and
// printing every state change and health report as one JSON line on stdout, the way an app would see them.
// The spec travels in the environment, not on the command line, since it holds the remote's secrets.
// SIGTERM unmounts everything (forced) and exits 0.
import { RemoteMount } from '../../dist/electron/engine/index.js'

const spec = JSON.parse(process.env.RMOUNT_SUPERVISOR_SPEC ?? '{"mounts":[]}')
const print = (event) => process.stdout.write(`${JSON.stringify({ time: Date.now(), ...event })}\n`)
const mounts = spec.mounts.map(({ name, remote, remotePath, localPath, options }) => {
  const mount = new RemoteMount(remote, remotePath, localPath, options)
  mount.on('state', (state, health) => print({ type: 'state', name, health }))
  mount.on('health', (health) => print({ type: 'health', name, health }))
  return mount
})
const results = await Promise.allSettled(mounts.map((mount) => mount.mount()))
print({ type: 'ready', failed: results.filter((r) => r.status === 'rejected').map((r) => r.reason?.message) })
const keepAlive = setInterval(() => undefined, 1 << 30)
process.once('SIGTERM', async () => {
  await Promise.allSettled(mounts.map((mount) => mount.unmount({ force: true })))
  clearInterval(keepAlive)
  process.exit(0)
})
