// The shipped example experiment stays valid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readExperiment } from '../../src/chaos/read-experiment.js';

const dir = fileURLToPath(new URL('../../../../examples/redis-outage/', import.meta.url));

test('examples/redis-outage: the experiment validates and the proxy config is a proxy list', () => {
  const e = readExperiment(`${dir}experiment.yaml`);
  assert.equal(e.method[0]!.provider.type, 'toxiproxy');
  assert.ok((e.rollbacks ?? []).length > 0);
  const proxies = JSON.parse(readFileSync(`${dir}proxies.json`, 'utf8')) as { name: string; upstream: string }[];
  assert.deepEqual(
    proxies.map((p) => p.upstream),
    ['127.0.0.1:6379'],
  );
});
