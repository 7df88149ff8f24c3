import * as qt from '@qtorch/qtensor';
import * as fb from '@qtorch/kernels-fbgemm';
import { LSTM, Module } from '@qtorch/nn';
import { quantizeDynamic } from '@qtorch/quantization';
fb.setNumThreads(2);
qt.manualSeed(0);
class H extends Module { constructor(l){super(); this.lstm=l;} forward(x){ return this.lstm.call(x);} }
const f = new H(new LSTM(512,512,{numLayers:2})); f.eval();
const x = qt.randn([32,8,512]);
const q = qt.withEngine('fbgemm', () => quantizeDynamic(f));
const run = () => qt.withEngine('fbgemm', () => q.call(x));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
for (let i=0;i<5;i++) run();
const res = { spread: [], nospread: [] };
for (let i = 0; i < +(process.env.N || 40); i++) {
  for (const mode of i % 2 ? ['spread', 'nospread'] : ['nospread', 'spread']) {
    if (mode === 'nospread') process.env.QTORCH_POOL_NO_SPREAD = '1'; else delete process.env.QTORCH_POOL_NO_SPREAD;
    await sleep(+(process.env.S || 50));
    const t = performance.now(); run(); run(); res[mode].push((performance.now() - t) / 2);
  }
}
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1].toFixed(2);
console.log(`after ${process.env.S || 50} ms idle, 2 forwards: spread ${med(res.spread)} | nospread ${med(res.nospread)} ms`);
