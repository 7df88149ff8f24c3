// Paths for binding.gyp files, the way node-addon-api exposes its own:
//   'include_dirs': ["<!(node -p \"require('@qtorch/kernels-common').include\")"]
//   'dependencies': ["<!(node -p \"require('@qtorch/kernels-common').targets\"):qtorch_kernels"]
'use strict';
const path = require('path');

module.exports = {
  /** Absolute path of the include directory (`#include "qtorch/qgemm.h"`). */
  include: path.join(__dirname, 'include'),
  /** Package root (for `src/napi_addon.cc`, compiled by each addon with node-addon-api). */
  root: __dirname,
  /** The N-API glue source each addon compiles into its own target (relative to the cwd: gyp
   * mangles absolute source paths). */
  napiSource: path.relative('.', path.join(__dirname, 'src', 'napi_addon.cc')),
  /** Every N-API glue source (for `<!@(...)` in a sources list), relative to the cwd likewise. */
  napiSources: ['napi_addon.cc', 'napi_ops.cc', 'napi_sgemm.cc', 'napi_elementwise.cc', 'napi_rnn.cc'].map((f) => path.relative('.', path.join(__dirname, 'src', f))),
  /** gyp file with the kernel static libraries, relative to the cwd as node-addon-api does. */
  targets: path.relative('.', path.join(__dirname, 'kernels.gyp')),
};
