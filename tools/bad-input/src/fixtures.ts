/**
 * PyTorch 1.13's answers for special float values and empty tensors
 * (fixtures/special_values.json, written by scripts/torch_special_values.py).
 */
import { readFileSync } from 'node:fs';

/** A float as the fixture stores it: a number, or 'nan' / 'inf' / '-inf' / '-0'. */
export type EncodedFloat = number | 'nan' | 'inf' | '-inf' | '-0';

/** What PyTorch raised instead of returning. */
export interface TorchError {
  error: string;
}

/** Observer qparams PyTorch computed. */
export interface ObserverResult {
  scale: EncodedFloat[];
  zero_point: number[];
}

/** The fixture file's shape (the parts the suite reads). */
export interface SpecialValues {
  torch_version: string;
  input: EncodedFloat[];
  quantize_per_tensor: Record<'quint8' | 'qint8' | 'qint32', { scale: number; zero_point: number; int_repr: number[] }>;
  quantize_per_channel: Record<'quint8' | 'qint8', { scales: number[]; zero_points: number[]; axis: number; int_repr: number[][] }>;
  fake_quantize_per_tensor_affine: { scale: number; zero_point: number; quant_min: number; quant_max: number; output: EncodedFloat[] };
  fake_quantize_per_channel_affine: {
    scales: number[]; zero_points: number[]; axis: number; quant_min: number; quant_max: number; output: EncodedFloat[];
  };
  observers: Record<string, Record<string, ObserverResult | TorchError>>;
  observer_inputs: Record<string, EncodedFloat[]>;
  quantize_per_tensor_dynamic: Record<string, { scale: EncodedFloat; zero_point: number; int_repr: number[] } | TorchError>;
  empty: Record<string, number[]>;
}

/** Decodes one fixture float. */
export function decodeFloat(v: EncodedFloat): number {
  switch (v) {
    case 'nan': return NaN;
    case 'inf': return Infinity;
    case '-inf': return -Infinity;
    case '-0': return -0;
    default: return v;
  }
}

/** Decodes a list of fixture floats. */
export const decodeFloats = (vs: readonly EncodedFloat[]): number[] => vs.map(decodeFloat);

/** Whether a fixture entry records a PyTorch error. */
export const isTorchError = (v: unknown): v is TorchError => typeof v === 'object' && v !== null && 'error' in v;

let cached: SpecialValues | undefined;

/** The parsed fixture (read once). */
export function specialValues(): SpecialValues {
  cached ??= JSON.parse(readFileSync(new URL('../fixtures/special_values.json', import.meta.url), 'utf8')) as SpecialValues;
  return cached;
}
