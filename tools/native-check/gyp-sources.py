#!/usr/bin/env python3
"""Lists the kernel libraries of packages/kernels-common/kernels.gyp for one target_arch, so the
driver builds from the same source lists and per-target flags as the addons (other branches add
kernel files: nothing here is hard-coded). gyp files are Python literals; 'conditions' are
evaluated with the given variables and merged the way gyp merges them (lists appended).

Usage: gyp-sources.py <kernels.gyp> <target_arch: x64|arm64> [OS=linux]
Output: one line per target: <name>\\t<cflags, space separated>\\t<sources, space separated>
(cflags = target_defaults' + the target's own cflags/cflags_cc; sources relative to the gyp dir).
"""
import ast
import sys


def merge(into, extra):
    for key, value in extra.items():
        if isinstance(value, list):
            into.setdefault(key, [])
            into[key] = into[key] + value
        elif isinstance(value, dict):
            into.setdefault(key, {})
            merge(into[key], value)
        else:
            into[key] = value


def resolve(node, variables):
    """node without 'conditions', with every true (or else) branch merged in, recursively."""
    out = {k: v for k, v in node.items() if k != 'conditions'}
    for cond in node.get('conditions', []):
        branch = cond[1] if eval(cond[0], {}, dict(variables)) else (cond[2] if len(cond) > 2 else None)
        if branch:
            merge(out, resolve(branch, variables))
    return out


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1]) as f:
        gyp = ast.literal_eval(f.read())
    variables = {'target_arch': argv[2], 'OS': argv[3] if len(argv) > 3 else 'linux'}
    root = resolve(gyp, variables)
    defaults = root.get('target_defaults', {})
    base_flags = defaults.get('cflags', []) + [f for f in defaults.get('cflags_cc', []) if f not in defaults.get('cflags', [])]
    for target in root.get('targets', []):
        t = resolve(target, variables)
        if t.get('type') != 'static_library':
            continue
        flags = base_flags + t.get('cflags', []) + t.get('cflags_cc', [])
        print('%s\t%s\t%s' % (t['target_name'], ' '.join(flags), ' '.join(t.get('sources', []))))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
