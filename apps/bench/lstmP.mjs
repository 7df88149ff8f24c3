import * as qt from '@qtorch/qtensor';
import * as fb from '@qtorch/kernels-fbgemm';
import { LSTM, Module } from '@qtorch/nn';
import { quantizeDynamic } from '@qtorch/quantization';
fb.setNumThreads(1);
qt.manualSeed(0);
class H extends Module { constructor(l){super(); this.lstm=l;} forward(x){ return this.lstm.call(x);} }
const f = new H(new LSTM(512,512,{numLayers:2})); f.eval();
const x = qt.randn([32,8,512]);
const q = qt.withEngine('fbgemm', () => quantizeDynamic(f));
const run = () => qt.withEngine('fbgemm', () => q.call(x));
for (let i=0;i<300;i++) run();
