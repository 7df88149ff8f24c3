# The qnnpack addon: N-API glue at the baseline ISA; the kernels (baseline + per-ISA static
# libraries) come from @qtorch/kernels-common's kernels.gyp, shared with the other addon.
{
  'targets': [
    {
      'target_name': 'qtorch_qnnpack',
      'sources': [
        'src/native/addon.cc',
        "<!@(node -p \"require('@qtorch/kernels-common').napiSources.join(' ')\")",
      ],
      'dependencies': [
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except",
        "<!(node -p \"require('@qtorch/kernels-common').targets\"):qtorch_kernels",
      ],
      'defines': ['NAPI_VERSION=8'],
      'cflags': ['-fPIC'],
    },
  ],
}
