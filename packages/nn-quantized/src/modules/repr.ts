/** PyTorch's `_hide_packed_params_repr`: a module repr without its packed-params child. */
import { type Module, moduleName } from '@qtorch/nn';

const indentTail = (s: string): string => s.split('\n').map((l, i) => (i === 0 ? l : `  ${l}`)).join('\n');

/** `Name(extraRepr)` plus the children other than `hidden`, laid out as Module.toString does. */
export function reprHiding(m: Module, hidden: string): string {
  const children = m.namedChildren().filter(([n]) => n !== hidden);
  const extra = m.extraRepr();
  if (children.length === 0) return `${moduleName(m)}(${extra})`;
  const lines = [...(extra ? extra.split('\n') : []), ...children.map(([n, c]) => `(${n}): ${indentTail(c.toString())}`)];
  return `${moduleName(m)}(\n${lines.map((l) => `  ${l}`).join('\n')}\n)`;
}
