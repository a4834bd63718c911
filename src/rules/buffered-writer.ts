/**
 * Collects lines and writes them in large chunks, waiting for 'drain' when the stream pushes back, so a replay that
 * decides a lot stays fast and bounded in memory.
 */
export class BufferedWriter {
  private chunks: string[] = []
  private length = 0

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly highWater = 1 << 16,
  ) {}

  /** Whether the buffer is big enough that the caller should `await flush()`. */
  get full(): boolean {
    return this.length >= this.highWater
  }

  line(text: string): void {
    this.chunks.push(text, '\n')
    this.length += text.length + 1
  }

  async flush(): Promise<void> {
    if (this.length === 0) return
    const data = this.chunks.join('')
    this.chunks = []
    this.length = 0
    if (!this.out.write(data)) await new Promise<void>((resolve) => this.out.once('drain', resolve))
  }
}
