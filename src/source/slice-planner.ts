/**
 * Chooses how far past the cursor each fetch reaches, so one window holds a bounded number of events.
 * The span shrinks when a window is dense (or had to be abandoned over the cap) and grows back when sparse.
 */
export interface SliceOptions {
  /** Start and largest span (ms) past the cursor. */
  maxMs: number
  /** Smallest span: a window this narrow is never abandoned, however dense. */
  minMs: number
  /** Events a window should hold at most; a window past this is abandoned and re-read narrower. */
  capEvents: number
}

export class SlicePlanner {
  #ms: number
  readonly #opts: SliceOptions

  constructor(opts: SliceOptions) {
    this.#opts = { ...opts, minMs: Math.min(opts.minMs, opts.maxMs) }
    this.#ms = opts.maxMs
  }

  get sliceMs(): number {
    return this.#ms
  }

  /** May a window reading `count` events go on? (Always true at the smallest span.) */
  allows(count: number): boolean {
    return count <= this.#opts.capEvents || this.#ms <= this.#opts.minMs
  }

  /**
   * A window was abandoned after reading `count` events covering `coveredMs` of its newest end. Aim the next try at
   * half the cap using the density seen (less the `rereadMs` of lookback before the cursor that every window
   * re-reads), and at most half the current span, so it always shrinks.
   */
  abandoned(count: number, coveredMs: number, rereadMs: number): void {
    const aim = this.#aim(count, coveredMs, rereadMs)
    this.#ms = Math.max(this.#opts.minMs, Math.floor(Math.min(this.#ms / 2, aim)))
  }

  /** A window of `windowMs` held `count` events: shrink towards half the cap when dense, double when sparse. */
  completed(count: number, windowMs: number, rereadMs: number): void {
    const target = this.#opts.capEvents / 2
    if (count > target) {
      this.#ms = Math.max(
        this.#opts.minMs,
        Math.floor(Math.min(this.#ms, this.#aim(count, windowMs, rereadMs))),
      )
    } else if (count < target / 4) {
      this.#ms = Math.min(this.#opts.maxMs, this.#ms * 2)
    }
  }

  #aim(count: number, spanMs: number, rereadMs: number): number {
    const density = count / Math.max(1, spanMs)
    return this.#opts.capEvents / 2 / density - rereadMs
  }
}
