// Sorted integer multisets for the compliance report's median: SQLite's group_concat parsed
// fast, and the values of superseded facts taken out again.
/** Parses SQLite's group_concat of integers ("12,-3,40") into a sorted Float64Array, fast. */
export function sortedIntegers(list: string | null): Float64Array {
  if (!list) return new Float64Array(0);
  let n = 1;
  for (let i = 0; i < list.length; i++) if (list.charCodeAt(i) === 44) n++;
  const out = new Float64Array(n);
  let k = 0;
  let v = 0;
  let neg = false;
  for (let i = 0; i < list.length; i++) {
    const c = list.charCodeAt(i);
    if (c === 44) {
      out[k++] = neg ? -v : v;
      v = 0;
      neg = false;
    } else if (c === 45) neg = true;
    else v = v * 10 + (c - 48);
  }
  out[k] = neg ? -v : v;
  return out.sort();
}

/** Removes one occurrence of each value (a multiset difference) from a sorted array. */
export function withoutValues(sorted: Float64Array, values: number[]): Float64Array {
  if (!values.length) return sorted;
  const drop = new Uint8Array(sorted.length);
  for (const v of values) {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    while (lo < sorted.length && sorted[lo] === v && drop[lo]) lo++;
    if (lo < sorted.length && sorted[lo] === v) drop[lo] = 1;
  }
  return sorted.filter((_, i) => !drop[i]);
}
