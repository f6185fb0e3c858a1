// A work queue keyed by object: many changes to one object collapse into one sync, syncs run
// one at a time, failures retry with a delay. Controllers stay O(changes), not O(objects).

/** Keyed, de-duplicating, asynchronous work queue. */
export class WorkQueue {
  private readonly pending = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private scheduled = false;
  private draining = false;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly name: string,
    private readonly handler: (key: string) => Promise<void> | void,
    private readonly onError: (name: string, key: string, err: unknown) => void,
  ) {}

  /** Queue a sync of key (once, however often it is added before it runs). */
  add(key: string): void {
    if (this.stopped) return;
    this.pending.add(key);
    this.schedule();
  }

  /** Queue a sync of key after a delay. */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    const prev = this.timers.get(key);
    if (prev) clearTimeout(prev);
    const t = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    t.unref?.();
    this.timers.set(key, t);
  }

  /** True when nothing is queued or running (timers excluded). */
  get idle(): boolean {
    return this.pending.size === 0 && !this.draining;
  }

  /** Resolve once the queue is idle. */
  whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Drop everything queued and stop accepting work. */
  stop(): void {
    this.stopped = true;
    this.pending.clear();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  /** Drop queued work and timers but keep running (reset). */
  clear(): void {
    this.pending.clear();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private schedule(): void {
    if (this.scheduled || this.draining) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      let handled = 0;
      while (this.pending.size && !this.stopped) {
        // Let timers and I/O run now and then, even when handlers only await resolved promises.
        if (++handled % 50 === 0) await new Promise((r) => setImmediate(r));
        const key = this.pending.values().next().value as string;
        this.pending.delete(key);
        try {
          await this.handler(key);
        } catch (err) {
          this.onError(this.name, key, err);
          this.addAfter(key, 200);
        }
      }
    } finally {
      this.draining = false;
      if (this.pending.size && !this.stopped) this.schedule();
      else {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of waiters) w();
      }
    }
  }
}
