/**
 * libstdc++'s `std::sort` (introsort) and `std::partial_sort` (heap select + sort_heap), step
 * for step. PyTorch's CPU `sort(stable=false)` is `std::sort` and its `topk` uses
 * `partial_sort` when k * 64 <= n, so the order of tied elements (and so their indices)
 * is whatever these algorithms leave; reproducing them reproduces PyTorch's tie order.
 * `nth_element`, the insertion sort and the partition step live in quantized/stl_select.ts.
 */
import { type Comp, type Elem, insertionSort, unguardedPartitionPivot } from '../../quantized/stl_select.js';

const THRESHOLD = 16;

/** `std::__adjust_heap`: sift the hole at `hole` down, then push `value` up from there. */
function adjustHeap(a: Elem[], first: number, hole: number, len: number, value: Elem, comp: Comp): void {
  const top = hole;
  let child = hole;
  while (child < Math.floor((len - 1) / 2)) {
    child = 2 * (child + 1);
    if (comp(a[first + child]!, a[first + child - 1]!)) child--;
    a[first + hole] = a[first + child]!;
    hole = child;
  }
  if ((len & 1) === 0 && child === Math.floor((len - 2) / 2)) {
    child = 2 * (child + 1);
    a[first + hole] = a[first + child - 1]!;
    hole = child - 1;
  }
  // std::__push_heap
  let parent = Math.floor((hole - 1) / 2);
  while (hole > top && comp(a[first + parent]!, value)) {
    a[first + hole] = a[first + parent]!;
    hole = parent;
    parent = Math.floor((hole - 1) / 2);
  }
  a[first + hole] = value;
}

function makeHeap(a: Elem[], first: number, last: number, comp: Comp): void {
  const len = last - first;
  if (len < 2) return;
  for (let parent = Math.floor((len - 2) / 2); ; parent--) {
    adjustHeap(a, first, parent, len, a[first + parent]!, comp);
    if (parent === 0) return;
  }
}

/** `std::__pop_heap`: moves the heap top to `result` and re-heaps [first, last) with `*result`'s old value. */
function popHeap(a: Elem[], first: number, last: number, result: number, comp: Comp): void {
  const value = a[result]!;
  a[result] = a[first]!;
  adjustHeap(a, first, 0, last - first, value, comp);
}

/** `std::partial_sort(first, middle, last)`: the smallest (by `comp`) middle - first elements, sorted, in front. */
export function partialSort(a: Elem[], first: number, middle: number, last: number, comp: Comp): void {
  makeHeap(a, first, middle, comp);
  for (let i = middle; i < last; i++) if (comp(a[i]!, a[first]!)) popHeap(a, first, middle, i, comp);
  for (let end = middle; end - first > 1; ) {
    end--;
    popHeap(a, first, end, end, comp);
  }
}

function introsortLoop(a: Elem[], first: number, last: number, depth: number, comp: Comp): void {
  while (last - first > THRESHOLD) {
    if (depth === 0) {
      partialSort(a, first, last, last, comp);
      return;
    }
    depth--;
    const cut = unguardedPartitionPivot(a, first, last, comp);
    introsortLoop(a, cut, last, depth, comp);
    last = cut;
  }
}

/**
 * `std::sort(first, last, comp)`. The final pass is libstdc++'s guarded-then-unguarded
 * insertion sort, which leaves the same order as one insertion sort over the whole range.
 */
export function stdSort(a: Elem[], first: number, last: number, comp: Comp): void {
  if (last - first < 2) return;
  introsortLoop(a, first, last, 2 * (31 - Math.clz32(last - first)), comp);
  insertionSort(a, first, last, comp);
}
