import { it } from 'vitest';
import { main } from '../src/main.js';
it('runs', async () => {
  await main((process.env.DEMO_ARGS ?? '--quick').split(' ').concat(['--out', '/tmp/demo-out']));
}, 600000);
