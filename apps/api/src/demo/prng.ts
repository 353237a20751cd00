/**
 * The demo's only source of randomness: seeded, so the same seed gives the
 * same history. Two well-known public-domain generators from bryc's
 * "Seeded random number generators for JavaScript" collection:
 * cyrb128 (a 128-bit string hash) turns a seed text into the four 32-bit
 * words of sfc32 (Chris Doty-Humphrey's Small Fast Counter, from PractRand).
 */
function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** sfc32: a uniform float in [0, 1) per call. */
function sfc32(a: number, b: number, c: number, d: number): () => number {
  return () => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

/** A seeded random stream with the draws the demo needs. */
export class Rng {
  private readonly next: () => number;

  /** `parts` name the stream: `new Rng(seed, 'complaint', 17)` is the 17th complaint's own stream. */
  constructor(...parts: Array<string | number>) {
    this.next = sfc32(...cyrb128(parts.join('/')));
    for (let i = 0; i < 15; i++) this.next(); // sfc32 mixes its state in the first few draws
  }

  /** uniform in [0, 1) */
  float(): number {
    return this.next();
  }

  /** an integer in [min, max] */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)];
  }

  /** one of `entries`, with probability proportional to its weight */
  weighted<T>(entries: ReadonlyArray<readonly [T, number]>): T {
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    let x = this.next() * total;
    for (const [value, weight] of entries) {
      if (x < weight) return value;
      x -= weight;
    }
    return entries[entries.length - 1][0];
  }

  /** a duration of `min` to `max` minutes, in whole seconds, as milliseconds */
  minutes(min: number, max: number): number {
    return Math.round((min + this.next() * (max - min)) * 60) * 1000;
  }

  /** an amount in yuan with two decimals, roughly log-uniform in [min, max] (small amounts are the common ones) */
  yuan(min: number, max: number): number {
    const value = Math.exp(Math.log(min) + this.next() * (Math.log(max) - Math.log(min)));
    return Math.round(value * 100) / 100;
  }
}
