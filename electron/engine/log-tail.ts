/** Following a log file that rclone appends to, line by line, without ever blocking on it. */
import { watch, type FSWatcher } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { LineSplitter } from './rclone-log.js'

export class LogTail {
  private position: number
  private watcher: FSWatcher | null = null
  private reading: Promise<void> = Promise.resolve()
  private readonly splitter = new LineSplitter()

  constructor(
    private readonly path: string,
    from: number,
    private readonly onLine: (line: string) => void,
  ) {
    this.position = from
  }

  /** Starts following; rclone's appends wake it through inotify. */
  start(): void {
    this.watcher = watch(this.path, { persistent: false }, () => void this.poll())
    this.watcher.on('error', () => this.stop())
    void this.poll()
  }

  /** Reads whatever was appended since the last read; concurrent calls share one read. */
  poll(): Promise<void> {
    this.reading = this.reading.then(() => this.readNew()).catch(() => undefined)
    return this.reading
  }

  private async readNew(): Promise<void> {
    const { size } = await stat(this.path)
    if (size < this.position) this.position = 0
    if (size === this.position) return
    const file = await open(this.path, 'r')
    try {
      const buffer = Buffer.alloc(size - this.position)
      const { bytesRead } = await file.read(buffer, 0, buffer.length, this.position)
      this.position += bytesRead
      for (const line of this.splitter.push(buffer.subarray(0, bytesRead).toString('utf8'))) this.onLine(line)
    } finally {
      await file.close()
    }
  }

  stop(): void {
    this.watcher?.close()
    this.watcher = null
  }
}
