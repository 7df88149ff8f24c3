/**
 * The reduction methods on `Tensor.prototype`. Slots the quantized reductions also define
 * (`max`, `mean`, `sort`, ...) are dispatcher accessors installed by quantized/dispatch.ts;
 * plain assignment goes through their setter and registers these as the float implementation,
 * whichever module loads first.
 */
import type { ValuesIndices } from '../../quantized/dispatch.js';
import { Tensor } from '../../tensor.js';
import type { KeepdimOptions, ReduceDtypeOptions, ReduceOptions } from './common.js';
import { type CumulativeOptions, cumprod, cumsum } from './cumulative.js';
import { type ArgExtremeOptions, amax, amin, argmax, argmin, max, min } from './extrema.js';
import type { DimArg } from './lanes.js';
import { all, any } from './logical.js';
import { type NormOptions, type NormOrder, logsumexp, norm } from './norm.js';
import { type ProdOptions, prod } from './prod.js';
import { type SortOptions, type TopkOptions, argsort, sort, topk } from './sort.js';
import { mean, sum } from './sum.js';
import { type VarOptions, std, variance } from './variance.js';

declare module '../../tensor.js' {
  interface Tensor {
    /** See `sum`. */
    sum(dim?: DimArg | ReduceDtypeOptions, opts?: ReduceDtypeOptions | boolean): Tensor;
    /** See `mean` (quantized input: `qMean`). */
    mean(dim?: DimArg | ReduceDtypeOptions, opts?: ReduceDtypeOptions | boolean): Tensor;
    /** See `prod`. */
    prod(dim?: number | ProdOptions, opts?: ProdOptions | boolean): Tensor;
    /** See `variance` (PyTorch's `Tensor.var`). */
    var(dim?: DimArg | VarOptions, opts?: VarOptions): Tensor;
    /** See `std`. */
    std(dim?: DimArg | VarOptions, opts?: VarOptions): Tensor;
    /** See `max` (quantized input: `qMax`). */
    max(): Tensor;
    max(dim: number, keepdim?: KeepdimOptions | boolean): ValuesIndices;
    /** See `min` (quantized input: `qMin`). */
    min(): Tensor;
    min(dim: number, keepdim?: KeepdimOptions | boolean): ValuesIndices;
    /** See `amax`. */
    amax(dim?: DimArg | ReduceOptions, opts?: ReduceOptions | boolean): Tensor;
    /** See `amin`. */
    amin(dim?: DimArg | ReduceOptions, opts?: ReduceOptions | boolean): Tensor;
    /** See `argmax` (quantized input: `qArgmax`). */
    argmax(dim?: number | null | ArgExtremeOptions, opts?: ArgExtremeOptions | boolean): Tensor;
    /** See `argmin` (quantized input: `qArgmin`). */
    argmin(dim?: number | null | ArgExtremeOptions, opts?: ArgExtremeOptions | boolean): Tensor;
    /** See `norm`. */
    norm(p?: NormOrder | NormOptions, opts?: NormOptions): Tensor;
    /** See `logsumexp`. */
    logsumexp(dim: number | readonly number[], opts?: KeepdimOptions | boolean): Tensor;
    /** See `all`. */
    all(dim?: DimArg | ReduceOptions, opts?: ReduceOptions | boolean): Tensor;
    /** See `any`. */
    any(dim?: DimArg | ReduceOptions, opts?: ReduceOptions | boolean): Tensor;
    /** See `sort` (quantized input: `qSort`); `x.sort(dim, descending)` also works. */
    sort(opts?: SortOptions | number, descending?: boolean): ValuesIndices;
    /** See `argsort` (quantized input: `qArgsort`). */
    argsort(opts?: SortOptions | number, descending?: boolean): Tensor;
    /** See `topk` (quantized input: `qTopk`). */
    topk(k: number, opts?: TopkOptions): ValuesIndices;
    /** See `cumsum`. */
    cumsum(dim: number, opts?: CumulativeOptions): Tensor;
    /** See `cumprod`. */
    cumprod(dim: number, opts?: CumulativeOptions): Tensor;
  }
}

/** The positional `(dim, descending)` form of sort / argsort. */
const sortArgs = (a: SortOptions | number | undefined, descending: boolean | undefined): SortOptions =>
  typeof a === 'number' ? { dim: a, ...(descending === undefined ? {} : { descending }) } : a ?? {};

const P = Tensor.prototype;
P.sum = function (d, o) { return sum(this, d, o); };
P.mean = function (d, o) { return mean(this, d, o); };
P.prod = function (d, o) { return prod(this, d, o); };
P.var = function (d, o) { return variance(this, d, o); };
P.std = function (d, o) { return std(this, d, o); };
P.max = function (this: Tensor, d?: number, k?: KeepdimOptions | boolean) { return d === undefined ? max(this) : max(this, d, k); } as Tensor['max'];
P.min = function (this: Tensor, d?: number, k?: KeepdimOptions | boolean) { return d === undefined ? min(this) : min(this, d, k); } as Tensor['min'];
P.amax = function (d, o) { return amax(this, d, o); };
P.amin = function (d, o) { return amin(this, d, o); };
P.argmax = function (d, o) { return argmax(this, d, o); };
P.argmin = function (d, o) { return argmin(this, d, o); };
P.norm = function (p, o) { return norm(this, p, o); };
P.logsumexp = function (d, o) { return logsumexp(this, d, o); };
P.all = function (d, o) { return all(this, d, o); };
P.any = function (d, o) { return any(this, d, o); };
P.sort = function (a, desc) { return sort(this, sortArgs(a, desc)); };
P.argsort = function (a, desc) { return argsort(this, sortArgs(a, desc)); };
P.topk = function (k, o) { return topk(this, k, o); };
P.cumsum = function (d, o) { return cumsum(this, d, o); };
P.cumprod = function (d, o) { return cumprod(this, d, o); };
