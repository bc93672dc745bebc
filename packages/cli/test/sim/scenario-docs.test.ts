/**
 * docs/sim.md's section "Scenarios: files, TypeScript and the report": its JSON and YAML examples
 * are valid scenarios and the same one, and the validation message it quotes is the one given.
 * (Its TypeScript example is run by packages/headroom/test/docs/quickstarts.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { validateScenario, ScenarioError } from 'headroom/sim';

const doc = readFileSync(resolve(import.meta.dirname, '../../../../docs/sim.md'), 'utf8');
const section = doc.slice(doc.indexOf('\n## Scenarios: files, TypeScript and the report\n'), doc.indexOf('\n## The engine\n'));

function block(lang: string): string {
  const m = new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```$', 'm').exec(section);
  assert.ok(m !== null, `no ${lang} block in the section`);
  return m[1]!;
}

test('the JSON and the YAML example are valid and describe the same scenario', () => {
  const json = validateScenario(JSON.parse(block('json')), 'hedge-or-not.json');
  const yaml = validateScenario(parseYaml(block('yaml')), 'hedge-or-not.yaml');
  assert.deepEqual(yaml, json);
  assert.deepEqual(
    json.variants?.map((v) => v.name),
    ['p2c', 'p2c + hedge'],
  );
});

test('the quoted validation errors are the ones given', () => {
  const error = (yaml: string): ScenarioError => {
    try {
      validateScenario(parseYaml(yaml), 'hedge-or-not.yaml');
    } catch (e) {
      assert.ok(e instanceof ScenarioError);
      assert.equal(e.code, 'HR_SIM_INVALID_SCENARIO');
      return e;
    }
    assert.fail('expected a ScenarioError');
  };
  const sigma = error(block('yaml').replace('sigma: 0.3', 'sigma: -1'));
  assert.equal(sigma.path, 'model.servers.0.service.fast.sigma');
  assert.ok(section.includes(`headroom: ${sigma.message}\n`), sigma.message);
  const unknown = error(block('yaml').replace('workers: 4', 'wrkers: 4'));
  assert.ok(section.replace(/\s+/g, ' ').includes(unknown.message.replace(/^Scenario hedge-or-not\.yaml: /, '')), unknown.message);
});
