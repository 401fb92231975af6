import assert from "node:assert/strict";
import { gunzipSync } from "./inflate.ts";

async function gzipWithStream(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function sample(sizeBytes: number, seed: number): Uint8Array {
  const out = new Uint8Array(sizeBytes);
  let state = seed;
  const words = ["export ", "const ", "model ", "= {", "type: ", '"@fix/alpha"', "\n", "  "];
  let i = 0;
  while (i < sizeBytes) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    if (state % 7 === 0) {
      out[i++] = state >>> 24;
      continue;
    }
    for (const ch of words[state % words.length]) {
      if (i < sizeBytes) out[i++] = ch.charCodeAt(0);
    }
  }
  return out;
}

Deno.test("gunzipSync() round-trips CompressionStream output of text-like and random data", async () => {
  for (const [size, seed] of [[0, 1], [1, 2], [1000, 3], [70_000, 4], [300_000, 5]]) {
    const data = sample(size, seed);
    assert.deepEqual(gunzipSync(await gzipWithStream(data)), data);
  }
  const random = crypto.getRandomValues(new Uint8Array(50_000));
  assert.deepEqual(gunzipSync(await gzipWithStream(random)), random);
});

Deno.test("gunzipSync() rejects data that is not gzip and truncated members", async () => {
  assert.throws(
    () => gunzipSync(new TextEncoder().encode("plain text that is not gzip")),
    /Not gzip/,
  );
  const gz = await gzipWithStream(sample(5000, 9));
  assert.throws(() => gunzipSync(gz.subarray(0, gz.length - 20)));
});
