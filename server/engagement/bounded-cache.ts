/**
 * A Map bounded to `max` entries that drops the oldest insertion when full. The engagement
 * feature uses it for facts that only ever move one way (an achievement unlocked, a referral
 * settled), so a dropped or stale entry costs one extra store read, never a wrong answer.
 */
export class BoundedCache<V> {
  private readonly map = new Map<string, V>();

  constructor(private readonly max: number) {}

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
  }

  delete(key: string): void {
    this.map.delete(key);
  }
}
