/**
 * A per-key async lock: calls with the same key run one after another, in arrival order. Profiles whose API
 * replaces a whole list (FortiOS `member`) hold it across their read-modify-write, so two concurrent member
 * changes cannot both read the old list and drop each other's member (research: 199 of 200 lost without it).
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<void>>();

  constructor(private readonly fold: (key: string) => string = (k) => k) {}

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const k = this.fold(key);
    const previous = this.#tails.get(k);
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = previous ? previous.then(() => mine) : mine;
    this.#tails.set(k, tail);
    try {
      if (previous) await previous;
      return await fn();
    } finally {
      release();
      if (this.#tails.get(k) === tail) this.#tails.delete(k);
    }
  }

  /** Keys with a holder or waiters (for tests). */
  get size(): number {
    return this.#tails.size;
  }
}
