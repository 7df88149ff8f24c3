/**
 * Serialization: safetensors files (tensors, quantized tensors with their qparams) and
 * loading PyTorch `torch.save` checkpoints.
 */
export {
  saveSafetensors, loadSafetensors, QPARAMS_METADATA_PREFIX, MAX_SAFETENSORS_HEADER,
  type SaveSafetensorsOptions, type SafetensorsContents,
} from './safetensors.js';
export { loadTorchFile, type TorchValue } from './torch_load.js';
export { saveFile, loadFile, loadTorch } from './file.js';
export { writeFileAtomic } from './file.js';
