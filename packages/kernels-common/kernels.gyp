# Kernel static libraries shared by both addons (gyp resolves this file from the addon's build).
# qtorch_kernels: baseline ISA (no -m flags: must run on any x86-64); it links the per-ISA
# libraries on x86-64, each compiled with its own flags only (never -march=native, never a
# global -mavx*: see TOOLCHAIN.md section 4).
{
  'target_defaults': {
    'include_dirs': ['include'],
    # -fwrapv: int32 accumulators wrap like the hardware's (and fbgemm's) instead of being UB
    # for absurd K (> 33025 full-range products). -ffp-contract=off: the output pipelines must
    # round every float32 product and sum separately, as the TypeScript reference does; an FMA
    # contracted where -mfma is on would change results.
    'cflags': ['-fPIC', '-fwrapv', '-ffp-contract=off'],
    'cflags_cc': ['-fPIC', '-fwrapv', '-ffp-contract=off'],
    'xcode_settings': { 'OTHER_CFLAGS': ['-fPIC', '-ffp-contract=off'] },
  },
  'targets': [
    {
      'target_name': 'qtorch_kernels',
      'type': 'static_library',
      'sources': [
        'src/cpu.cc',
        'src/qgemm_pack.cc',
        'src/qgemm.cc',
        'src/requant.cc',
        'src/elementwise.cc',
        'src/conv.cc',
        'src/conv_winograd.cc',
        'src/parallel.cc',
        'src/kernels_scalar.cc',
        'src/sgemm.cc',
        'src/im2col_f32.cc',
        'src/activations.cc',
        'src/pool.cc',
        'src/rnn.cc',
        'src/qparams.cc',
      ],
      'direct_dependent_settings': { 'include_dirs': ['include'] },
      'conditions': [
        ['target_arch=="x64"', {
          'dependencies': ['qtorch_kernels_avx2', 'qtorch_kernels_avx512', 'qtorch_kernels_avx512vnni'],
        }],
        # AArch64: NEON is architectural (baseline there); the dot-product kernel has its own flags.
        ['target_arch=="arm64"', {
          'sources': ['src/kernels_neon.cc'],
          'dependencies': ['qtorch_kernels_neondot', 'qtorch_kernels_neoni8mm'],
        }],
      ],
    },
  ],
  'conditions': [
    ['target_arch=="x64"', {
      'targets': [
        {
          'target_name': 'qtorch_kernels_avx2',
          'type': 'static_library',
          'sources': ['src/kernels_avx2.cc', 'src/kernels_avx2_sgemm.cc', 'src/kernels_avx2_elementwise.cc', 'src/kernels_avx2_rnn.cc', 'src/kernels_avx2_conv.cc', 'src/kernels_avx2_winograd.cc'],
          'cflags': ['-mavx2', '-mfma'],
          'xcode_settings': { 'OTHER_CFLAGS': ['-mavx2', '-mfma'] },
          'msvs_settings': { 'VCCLCompilerTool': { 'EnableEnhancedInstructionSet': '5' } },
        },
        {
          'target_name': 'qtorch_kernels_avx512',
          'type': 'static_library',
          'sources': ['src/kernels_avx512.cc'],
          # -Wno-maybe-uninitialized: GCC 12 false positive inside _mm512_reduce_add_* (pitfall 12)
          'cflags': ['-mavx512f', '-mavx512bw', '-mavx512vl', '-mavx512dq', '-Wno-maybe-uninitialized'],
          'xcode_settings': { 'OTHER_CFLAGS': ['-mavx512f', '-mavx512bw', '-mavx512vl', '-mavx512dq'] },
          'msvs_settings': { 'VCCLCompilerTool': { 'AdditionalOptions': ['/arch:AVX512'] } },
        },
        {
          'target_name': 'qtorch_kernels_avx512vnni',
          'type': 'static_library',
          'sources': ['src/kernels_avx512vnni.cc'],
          'cflags': ['-mavx512f', '-mavx512bw', '-mavx512vl', '-mavx512dq', '-mavx512vnni', '-Wno-maybe-uninitialized'],
          'xcode_settings': { 'OTHER_CFLAGS': ['-mavx512f', '-mavx512bw', '-mavx512vl', '-mavx512dq', '-mavx512vnni'] },
          'msvs_settings': { 'VCCLCompilerTool': { 'AdditionalOptions': ['/arch:AVX512'] } },
        },
      ],
    }],
    ['target_arch=="arm64"', {
      'targets': [
        {
          'target_name': 'qtorch_kernels_neondot',
          'type': 'static_library',
          'sources': ['src/kernels_neon_dot.cc'],
          'cflags': ['-march=armv8.2-a+dotprod'],
          'xcode_settings': { 'OTHER_CFLAGS': ['-march=armv8.2-a+dotprod'] },
        },
        {
          'target_name': 'qtorch_kernels_neoni8mm',
          'type': 'static_library',
          'sources': ['src/kernels_neon_i8mm.cc'],
          'cflags': ['-march=armv8.2-a+dotprod+i8mm'],
          'xcode_settings': { 'OTHER_CFLAGS': ['-march=armv8.2-a+dotprod+i8mm'] },
        },
      ],
    }],
  ],
}
