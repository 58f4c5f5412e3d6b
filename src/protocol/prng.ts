// A small seeded pseudo-random generator (mulberry32), for reproducible random sequences: devnet price
// walks and the randomized tests, whose failing seeds can then be replayed. Not for anything secret.

/** Returns a generator of uniform numbers in [0, 1) determined by `seed`. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
