/**
 * The default random generator: a seedable 32-bit PCG-style generator (mulberry32 core)
 * with Box-Muller normals. Not PyTorch's mt19937 stream: seeds make qtorch reproducible
 * with itself, not with PyTorch.
 */
export class Generator {
  private state = 0;
  private spareNormal: number | null = null;

  /** @param seed - The initial seed (the same seed gives the same sequence). */
  constructor(seed = 0x2f6b6f1d) {
    this.manualSeed(seed);
  }

  /** Resets the stream to a seed. */
  manualSeed(seed: number): this {
    this.state = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
    this.spareNormal = null;
    return this;
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5, lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal. */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Uniform integer in [low, high). */
  randint(low: number, high: number): number {
    return low + Math.floor(this.random() * (high - low));
  }
}

/** The process-wide default generator. */
export const defaultGenerator = new Generator();

/** Seeds the default generator (PyTorch's `torch.manual_seed`). */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}
