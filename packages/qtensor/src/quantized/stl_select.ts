/**
 * libstdc++'s `std::nth_element` (introselect) and `std::sort` on small ranges (insertion
 * sort), step for step. PyTorch's CPU `topk` is `nth_element` then `sort` of the first k-1
 * elements, so the order of tied elements (and their indices) is whatever these algorithms
 * leave; reproducing them reproduces PyTorch's tie choices (golden `topk*_ties`).
 * The helpers std::sort shares (stl_sort.ts) are exported from here.
 */

/** An element: value and original index. */
export type Elem = [number, number];
/** The strict weak order the algorithms sort by (`comp(a, b)`: a goes before b). */
export type Comp = (a: Elem, b: Elem) => boolean;

function swap(a: Elem[], i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

function moveMedianToFirst(a: Elem[], result: number, x: number, y: number, z: number, comp: Comp): void {
  if (comp(a[x]!, a[y]!)) {
    if (comp(a[y]!, a[z]!)) swap(a, result, y);
    else if (comp(a[x]!, a[z]!)) swap(a, result, z);
    else swap(a, result, x);
  } else if (comp(a[x]!, a[z]!)) swap(a, result, x);
  else if (comp(a[y]!, a[z]!)) swap(a, result, z);
  else swap(a, result, y);
}

function unguardedPartition(a: Elem[], first: number, last: number, pivot: number, comp: Comp): number {
  for (;;) {
    while (comp(a[first]!, a[pivot]!)) first++;
    last--;
    while (comp(a[pivot]!, a[last]!)) last--;
    if (!(first < last)) return first;
    swap(a, first, last);
    first++;
  }
}

/**
 * `std::__unguarded_partition_pivot` on [first, last): the median of first + 1, the middle
 * and last - 1 moves to `first` and is the pivot; returns the cut. Shared by introsort
 * (stl_sort.ts) and introselect.
 */
export function unguardedPartitionPivot(a: Elem[], first: number, last: number, comp: Comp): number {
  moveMedianToFirst(a, first, first + 1, first + Math.floor((last - first) / 2), last - 1, comp);
  return unguardedPartition(a, first + 1, last, first, comp);
}

/** `std::__insertion_sort` on [first, last). */
export function insertionSort(a: Elem[], first: number, last: number, comp: Comp): void {
  if (first === last) return;
  for (let i = first + 1; i < last; i++) {
    const val = a[i]!;
    if (comp(val, a[first]!)) {
      for (let j = i; j > first; j--) a[j] = a[j - 1]!;
      a[first] = val;
    } else {
      let j = i;
      while (comp(val, a[j - 1]!)) {
        a[j] = a[j - 1]!;
        j--;
      }
      a[j] = val;
    }
  }
}

const lg = (n: number): number => 31 - Math.clz32(n);

/**
 * `std::nth_element(first, nth, last, comp)` (libstdc++ introselect). The heap-select
 * fallback after 2*log2(n) bad pivots is replaced by insertion sort, which only matters for
 * adversarial inputs far larger than PyTorch's tie-order tests.
 */
export function nthElement(a: Elem[], nth: number, comp: Comp): void {
  let first = 0, last = a.length;
  if (first === last || nth === last) return;
  let depth = 2 * lg(last - first);
  while (last - first > 3) {
    if (depth === 0) break;
    depth--;
    const cut = unguardedPartitionPivot(a, first, last, comp);
    if (cut <= nth) first = cut;
    else last = cut;
  }
  insertionSort(a, first, last, comp);
}
