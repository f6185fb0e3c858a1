// A work queue keyed by object: many changes to one object collapse into one sync, failures retry
// with a delay. Controllers stay O(changes), not O(objects). Like client-go's workqueue with N
// workers, up to `workers` different keys are synced at once and one key never twice at once: a key
// added while its sync runs is synced again after it. One worker (the default) syncs one key at a
// time, in the order they were added.

/** Keyed, de-duplicating, asynchronous work queue. */
export class WorkQueue {
  private readonly pending = new Set<string>();
  /** Keys whose sync is running. */
  private readonly active = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private scheduled = false;
  private running = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly name: string,
    private readonly handler: (key: string) => Promise<void> | void,
    private readonly onError: (name: string, key: string, err: unknown) => void,
    private readonly workers = 1,
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
    return this.pending.size === 0 && this.running === 0;
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
    if (this.scheduled || this.running >= this.workers) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const idleWorkers = Math.min(this.workers - this.running, this.pending.size);
      for (let i = 0; i < idleWorkers; i++) void this.work();
    });
  }

  /** The first queued key whose sync is not running. */
  private next(): string | undefined {
    for (const key of this.pending) if (!this.active.has(key)) return key;
    return undefined;
  }

  private async work(): Promise<void> {
    this.running++;
    try {
      let handled = 0;
      while (!this.stopped) {
        // Let timers and I/O run now and then, even when handlers only await resolved promises.
        if (++handled % 50 === 0) await new Promise((r) => setImmediate(r));
        const key = this.next();
        if (key === undefined) break;
        this.pending.delete(key);
        this.active.add(key);
        try {
          await this.handler(key);
        } catch (err) {
          this.onError(this.name, key, err);
          this.addAfter(key, 200);
        } finally {
          this.active.delete(key);
        }
      }
    } finally {
      this.running--;
      if (this.next() !== undefined && !this.stopped) this.schedule();
      else if (this.idle) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of waiters) w();
      }
    }
  }
}
