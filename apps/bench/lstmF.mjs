import * as qt from '@qtorch/qtensor';
import * as fb from '@qtorch/kernels-fbgemm';
import { LSTM, Module } from '@qtorch/nn';
import { quantizeDynamic } from '@qtorch/quantization';
import { resourceUsage } from 'node:process';
fb.setNumThreads(1);
qt.manualSeed(0);
class H extends Module { constructor(l){super(); this.lstm=l;} forward(x){ return this.lstm.call(x);} }
const f = new H(new LSTM(512,512,{numLayers:2})); f.eval();
const x = qt.randn([32,8,512]);
const q = qt.withEngine('fbgemm', () => quantizeDynamic(f));
const run = () => qt.withEngine('fbgemm', () => q.call(x));
for (let i=0;i<20;i++) run();
const r0 = resourceUsage().minorPageFault; const t = process.hrtime.bigint();
for (let i=0;i<100;i++) run();
const dt = Number(process.hrtime.bigint()-t)/1e6/100;
console.log('minor faults per forward', (resourceUsage().minorPageFault - r0)/100, 'ms per forward', dt.toFixed(2));
