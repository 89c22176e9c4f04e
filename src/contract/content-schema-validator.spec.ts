import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { exactDigitsOf, parseJsonExact } from '../json/index.js';
import { ContentSchemaValidator } from './content-schema-validator.js';

// From the repository's root, where test.sh runs the specs, from src/ and from dist/ alike.
const catalogue = JSON.parse(readFileSync('docs/kytos-event-catalogue.json', 'utf8')) as {
  events: Record<string, { example: Record<string, unknown> }>;
};
const validator = new ContentSchemaValidator();

/**
 * The array, behind a proxy that counts the items read and throws past `budget` of them: a check
 * that walks the array more than that fails at once instead of running for minutes.
 */
function readCounted<T>(items: T[], budget: number): { items: T[]; reads: () => number } {
  let reads = 0;
  const counted = new Proxy(items, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key) && ++reads > budget) {
        throw new Error(`${reads} items read, over the budget of ${budget}`);
      }
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return { items: counted, reads: () => reads };
}

/** A 64-bit cookie per flow, each above 2^53 and so carried as digits. */
function cookieOf(index: number): string {
  return (12_321_848_580_485_677_057n + BigInt(index)).toString();
}

/** of_core's flow statistics in the catalogue's shape, `count` flows, parsed as the service does. */
async function flowStats(
  count: number,
): Promise<{ switch: unknown; replies_flows: Record<string, unknown>[] }> {
  const { example } = catalogue.events['kytos/of_core.flow_stats.received'];
  const [flow] = example.replies_flows as Record<string, unknown>[];
  const flows = Array.from({ length: count }, (_, index) =>
    JSON.stringify({ ...flow, id: `flow-${index}`, cookie: 0 }).replace(
      '"cookie":0',
      `"cookie":${cookieOf(index)}`,
    ),
  );
  const text = `{"switch":${JSON.stringify(example.switch)},"replies_flows":[${flows.join(',')}]}`;
  const parsed = await parseJsonExact(text);
  assert.ok(parsed.exactNumbers);
  return parsed.value as { switch: unknown; replies_flows: Record<string, unknown>[] };
}

describe('the content check, whatever a sender posts', () => {
  const emptyInterfaceMissing = {
    schema: 'LivenessEvent',
    instancePath: '/interfaces/0',
    schemaPath: 'LivenessEvent#/properties/interfaces/items/required',
    message: "must have required property 'id'",
  };

  it('stops at the first of 330,000 empty interfaces: one item read, one failure named', () => {
    const { items, reads } = readCounted(
      Array.from({ length: 330_000 }, () => ({})),
      10,
    );
    const heapBefore = process.memoryUsage().heapUsed;
    const mismatch = validator.mismatchOf('kytos/of_lldp.liveness.enabled', { interfaces: items });
    const grownMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    assert.deepEqual(mismatch, emptyInterfaceMissing);
    assert.equal(reads(), 1);
    assert.ok(grownMiB < 8, `heap grew ${grownMiB.toFixed(1)} MiB`);
  });

  it('costs the same for the 5.6 million empty interfaces a 16 MiB body holds', () => {
    // One object in every slot: to the check, what JSON.parse would give, without millions on the heap.
    const empty = {};
    const { items, reads } = readCounted(
      new Array<object>(Math.floor((16 * 2 ** 20) / '{},'.length)).fill(empty),
      10,
    );
    const heapBefore = process.memoryUsage().heapUsed;
    const mismatch = validator.mismatchOf('kytos/of_lldp.liveness.disabled', { interfaces: items });
    const grownMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    assert.deepEqual(mismatch, emptyInterfaceMissing);
    assert.equal(reads(), 1);
    assert.ok(grownMiB < 8, `heap grew ${grownMiB.toFixed(1)} MiB`);
  });

  for (const count of [20_000, 40_000]) {
    it(`reads each of ${count.toLocaleString('en')} flows with 64-bit cookies once, and copies none`, async () => {
      const content = await flowStats(count);
      const { items, reads } = readCounted(content.replies_flows, 2 * count);
      const flows = content.replies_flows;
      assert.equal(
        validator.mismatchOf('kytos/of_core.flow_stats.received', {
          ...content,
          replies_flows: items,
        }),
        undefined,
      );
      assert.equal(reads(), count);
      // Checked in place: every cookie still carries its digits, nothing was rounded.
      assert.deepEqual(
        flows.map((flow) => exactDigitsOf(flow.cookie)),
        flows.map((_, index) => cookieOf(index)),
      );
    });
  }

  it('refuses the last of 20,000 flows for its priority, past every carried cookie', async () => {
    const content = await flowStats(20_000);
    content.replies_flows[19_999].priority = '50000';
    const { items, reads } = readCounted(content.replies_flows, 40_000);
    assert.deepEqual(
      validator.mismatchOf('kytos/of_core.flow_stats.received', {
        ...content,
        replies_flows: items,
      }),
      {
        schema: 'FlowStatsEvent',
        instancePath: '/replies_flows/19999/priority',
        schemaPath: 'FlowStatsEvent#/properties/replies_flows/items/properties/priority/type',
        message: 'must be integer',
      },
    );
    assert.equal(reads(), 20_000);
  });

  it('refuses a carried number where the schema wants a string', async () => {
    const content = await flowStats(2);
    const [carried] = (await parseJsonExact('[12345678901234567890]')).value as unknown[];
    content.replies_flows[1].id = carried;
    assert.deepEqual(validator.mismatchOf('kytos/of_core.flow_stats.received', content), {
      schema: 'FlowStatsEvent',
      instancePath: '/replies_flows/1/id',
      schemaPath: 'FlowStatsEvent#/properties/replies_flows/items/properties/id/type',
      message: 'must be string',
    });
  });

  it("checks a carried cookie's bound, naming the schema's keyword as the contract has it", async () => {
    const content = await flowStats(2);
    const [, second] = (await parseJsonExact('[0,-18446744073709551615]')).value as unknown[];
    content.replies_flows[1].cookie = second;
    assert.deepEqual(validator.mismatchOf('kytos/of_core.flow_stats.received', content), {
      schema: 'FlowStatsEvent',
      instancePath: '/replies_flows/1/cookie',
      schemaPath: 'FlowStatsEvent#/properties/replies_flows/items/properties/cookie/minimum',
      message: 'must be >= 0',
    });

    content.replies_flows[1].cookie = cookieOf(1);
    assert.deepEqual(validator.mismatchOf('kytos/of_core.flow_stats.received', content), {
      schema: 'FlowStatsEvent',
      instancePath: '/replies_flows/1/cookie',
      schemaPath: 'FlowStatsEvent#/properties/replies_flows/items/properties/cookie/type',
      message: 'must be integer',
    });
  });
});
