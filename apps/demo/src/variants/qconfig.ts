/** Attaching a qconfig to a model, PyTorch's `model.qconfig = ...`. */
import type { Module } from '@qtorch/nn';
import type { QConfig } from '@qtorch/quantization';

/**
 * Sets `model.qconfig`. Module declares no `qconfig` field (it is an ordinary attribute, as
 * in PyTorch), so the float model classes need no quantization-specific members.
 */
export function setQconfig<M extends Module>(model: M, qconfig: QConfig): M {
  (model as Module & { qconfig?: QConfig | null }).qconfig = qconfig;
  return model;
}
