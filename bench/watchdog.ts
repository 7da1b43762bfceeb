/** A detached process that cleans up the bench's mounts and rclones if the bench dies without doing so. */
import { spawn, type ChildProcess } from 'node:child_process'

/**
 * The last line of defence: a small detached process that outlives this one. If this process dies without saying
 * 'done' (SIGKILL; or tsx, which SIGKILLs a child that takes over 30 ms to acknowledge a relayed Ctrl-C, as a busy
 * cleanup can), it kills the rclone processes whose command line names one of our dirs, lazy-unmounts every FUSE
 * mount under them and removes them. It runs in its own process group, so Ctrl-C does not reach it.
 */
const watchdogSource = `'use strict'
const fs = require('fs')
const { execFileSync } = require('child_process')
const dirs = []
let done = false
let carry = ''
process.stdin.setEncoding('utf8')
process.stdin.on('data', (chunk) => {
  carry += chunk
  let nl
  while ((nl = carry.indexOf('\\n')) !== -1) {
    const line = carry.slice(0, nl)
    carry = carry.slice(nl + 1)
    if (line === 'done') done = true
    // Only temp dirs this bench made (rmount-*): a garbled line must never name anything else for deletion.
    else if (/^dir \\/.*\\/rmount-[^/]+$/.test(line)) dirs.push(line.slice(4))
  }
})
process.stdin.on('end', () => {
  if (!done && dirs.length) cleanup()
  process.exit(0)
})
const under = (path) => dirs.some((dir) => path === dir || path.startsWith(dir + '/'))
function mountPoints() {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\\n').filter((line) => line.includes(' - fuse')).map((line) => line.split(' ')[4]).filter((p) => p && under(p))
}
function cleanup() {
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\\d+$/.test(name)) continue
    try {
      if (fs.readFileSync('/proc/' + name + '/comm', 'utf8').trim() !== 'rclone') continue
      const cmdline = fs.readFileSync('/proc/' + name + '/cmdline', 'utf8')
      if (dirs.some((dir) => cmdline.includes(dir))) process.kill(Number(name), 'SIGKILL')
    } catch {}
  }
  for (const point of mountPoints()) {
    for (const fusermount of ['fusermount3', 'fusermount']) {
      try {
        execFileSync(fusermount, ['-uz', point], { stdio: 'ignore', timeout: 10000 })
        break
      } catch {}
    }
  }
  // Never delete through a mount that is still there: that would delete files on the remote.
  if (mountPoints().length === 0) for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
}
`
let watchdog: ChildProcess | null = null

/** Starts the watchdog; call once, before the first temp dir. */
export function startWatchdog(): void {
  // Plain spawn, not spawnTied: this one must outlive us.
  watchdog = spawn(process.execPath, ['-e', watchdogSource], { detached: true, stdio: ['pipe', 'ignore', 'ignore'], cwd: '/' })
  watchdog.stdin!.on('error', () => undefined)
  watchdog.unref()
  ;(watchdog.stdin as unknown as { unref?: () => void }).unref?.()
}

/** Tells the watchdog about a temp dir to clean up if this process dies. */
export function guardDir(dir: string): void {
  watchdog?.stdin?.write(`dir ${dir}\n`)
}

/** Tells the watchdog that the bench ended normally and cleaned up after itself. */
export function releaseWatchdog(): void {
  watchdog?.stdin?.end('done\n')
}
