/** Paths a binding.gyp needs to compile against the shared kernels. */
declare const paths: {
  /** Absolute include directory. */
  readonly include: string;
  /** Package root. */
  readonly root: string;
  /** Path (relative to the current directory) of the shared N-API glue (`src/napi_addon.cc`). */
  readonly napiSource: string;
  /** Every N-API glue source file (relative to the current directory). */
  readonly napiSources: readonly string[];
  /** Path of `kernels.gyp` relative to the current directory. */
  readonly targets: string;
};
export = paths;
