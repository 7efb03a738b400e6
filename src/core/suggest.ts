/** Matching names the way people write them, and suggesting the closest one when they miss. */

export function normalize(value: string): string {
  return value.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** The candidate nearest to `value` by edit distance, when it is near enough to be a likely typo. */
export function closest(value: string, candidates: readonly string[]): string | undefined {
  const wanted = normalize(value);
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const candidate = normalize(name);
    const distance = candidate.includes(wanted) || wanted.includes(candidate) ? 1 : editDistance(wanted, candidate);
    if (!best || distance < best.distance) best = { name, distance };
  }
  if (!best) return undefined;
  const limit = Math.max(2, Math.floor(normalize(best.name).length / 3));
  return best.distance <= limit ? best.name : undefined;
}

/** Levenshtein distance with one row of memory. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
    }
    previous = current;
  }
  return previous[b.length] as number;
}
