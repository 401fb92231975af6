import assert from "node:assert/strict";
import { buildArchive, sha256Hex } from "./archive.ts";
import type { FixtureSpec } from "../scenario/fixture.ts";
import { type Registry, splitRef, startRegistry } from "./registry.ts";

const SPEC: FixtureSpec = {
  extensions: [
    {
      name: "@fix/alpha",
      description: "Alpha fixture",
      versions: [{ version: "2026.01.01.1" }, { version: "2026.01.02.1" }],
    },
    {
      name: "@fix/beta",
      versions: [{ version: "2026.03.01.1", publishChecksum: false }],
    },
    {
      name: "@fix/gamma/sub",
      versions: [{ version: "2026.04.01.2" }],
    },
  ],
};

const ALPHA = encodeURIComponent("@fix/alpha");

async function withRegistry(body: (registry: Registry) => Promise<void>): Promise<void> {
  const registry = await startRegistry(SPEC);
  try {
    await body(registry);
  } finally {
    await registry.close();
  }
}

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url);
  assert.equal(response.headers.get("content-type"), "application/json");
  return { status: response.status, body: await response.json() };
}

async function getStatus(url: string, init?: RequestInit): Promise<number> {
  const response = await fetch(url, init);
  await response.body?.cancel();
  return response.status;
}

Deno.test("startRegistry() listens on an ephemeral loopback port", async () => {
  await withRegistry(async (registry) => {
    assert.match(registry.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(registry.port > 0);
    assert.equal(registry.url, `http://127.0.0.1:${registry.port}`);
    assert.equal(await getStatus(`${registry.url}/api/v1/extensions/${ALPHA}`), 200);
  });
});

Deno.test("startRegistry() refuses an invalid fixture", async () => {
  await assert.rejects(
    async () => await startRegistry({ extensions: [{ name: "bad", versions: [] }] }),
    /Invalid fixture: extensions\[0\]\.name/,
  );
});

Deno.test("GET /api/v1/extensions/{name} answers for encoded and unencoded names", async () => {
  await withRegistry(async (registry) => {
    const expected = {
      name: "@fix/alpha",
      description: "Alpha fixture",
      latestVersion: "2026.01.02.1",
    };
    const encoded = await getJson(`${registry.url}/api/v1/extensions/${ALPHA}`);
    assert.deepEqual(encoded, { status: 200, body: expected });
    const plain = await getJson(`${registry.url}/api/v1/extensions/@fix/alpha`);
    assert.deepEqual(plain, { status: 200, body: expected });
    const nested = await getJson(`${registry.url}/api/v1/extensions/@fix/gamma/sub`);
    assert.deepEqual(nested.body, {
      name: "@fix/gamma/sub",
      description: "Fixture extension @fix/gamma/sub",
      latestVersion: "2026.04.01.2",
    });
  });
});

Deno.test("GET /api/v1/extensions/{name} is 404 with an error for unknown names", async () => {
  await withRegistry(async (registry) => {
    const unknown = await getJson(`${registry.url}/api/v1/extensions/%40fix%2Fnope`);
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body, { error: 'Extension "@fix/nope" not found' });
    const malformed = await getJson(`${registry.url}/api/v1/extensions/%E0%A4%A`);
    assert.equal(malformed.status, 404);
  });
});

Deno.test("GET /api/v1/extensions/{name}/latest answers the newest version", async () => {
  await withRegistry(async (registry) => {
    const expected = {
      latestVersion: "2026.01.02.1",
      latestVersionDetail: { version: "2026.01.02.1", publishedAt: "2026-01-02T00:00:01.000Z" },
    };
    for (const name of [ALPHA, "@fix/alpha"]) {
      const latest = await getJson(`${registry.url}/api/v1/extensions/${name}/latest?channel=beta`);
      assert.deepEqual(latest, { status: 200, body: expected }, name);
    }
    assert.equal(await getStatus(`${registry.url}/api/v1/extensions/%40fix%2Fnope/latest`), 404);
  });
});

Deno.test("GET /api/v1/extensions/{name}/versions lists versions newest first", async () => {
  await withRegistry(async (registry) => {
    const versions = await getJson(`${registry.url}/api/v1/extensions/${ALPHA}/versions`);
    assert.deepEqual(versions, {
      status: 200,
      body: {
        name: "@fix/alpha",
        versions: [
          { version: "2026.01.02.1", publishedAt: "2026-01-02T00:00:01.000Z" },
          { version: "2026.01.01.1", publishedAt: "2026-01-01T00:00:01.000Z" },
        ],
      },
    });
    assert.equal(await getStatus(`${registry.url}/api/v1/extensions/%40fix%2Fnope/versions`), 404);
  });
});

Deno.test("GET .../{name}@{version}/download redirects to the archive", async () => {
  await withRegistry(async (registry) => {
    const refs = [`${ALPHA}@2026.01.01.1`, "@fix/alpha@2026.01.01.1"];
    for (const ref of refs) {
      const response = await fetch(
        `${registry.url}/api/v1/extensions/${ref}/download?channel=stable`,
        { redirect: "manual" },
      );
      await response.body?.cancel();
      assert.equal(response.status, 302, ref);
      assert.equal(
        response.headers.get("location"),
        `${registry.url}/archives/%40fix%2Falpha/2026.01.01.1.tar.gz`,
      );
    }
  });
});

Deno.test("GET .../download is 404 for an unknown extension or version", async () => {
  await withRegistry(async (registry) => {
    const api = `${registry.url}/api/v1/extensions`;
    const manual: RequestInit = { redirect: "manual" };
    assert.equal(await getStatus(`${api}/${ALPHA}@2026.09.09.1/download`, manual), 404);
    assert.equal(await getStatus(`${api}/%40fix%2Fnope@2026.01.01.1/download`, manual), 404);
    assert.equal(await getStatus(`${api}/${ALPHA}/download`, manual), 404);
  });
});

Deno.test("download bytes hash to the checksum endpoint's answer", async () => {
  await withRegistry(async (registry) => {
    const api = `${registry.url}/api/v1/extensions`;
    const download = await fetch(`${api}/${ALPHA}@2026.01.02.1/download`);
    assert.equal(download.status, 200);
    assert.equal(download.headers.get("content-type"), "application/gzip");
    const bytes = new Uint8Array(await download.arrayBuffer());
    const checksum = await getJson(`${api}/${ALPHA}@2026.01.02.1/checksum`);
    assert.deepEqual(checksum, { status: 200, body: { checksum: await sha256Hex(bytes) } });
    const direct = await buildArchive(SPEC.extensions[0], SPEC.extensions[0].versions[1]);
    assert.deepEqual(bytes, direct.bytes);
    const older = await getJson(`${api}/@fix/alpha@2026.01.01.1/checksum`);
    assert.notDeepEqual(older.body, checksum.body);
  });
});

Deno.test("GET .../checksum is 404 when the version publishes none or is unknown", async () => {
  await withRegistry(async (registry) => {
    const api = `${registry.url}/api/v1/extensions`;
    const beta = encodeURIComponent("@fix/beta");
    const unpublished = await getJson(`${api}/${beta}@2026.03.01.1/checksum`);
    assert.equal(unpublished.status, 404);
    assert.deepEqual(unpublished.body, {
      error: 'No checksum published for "@fix/beta@2026.03.01.1"',
    });
    assert.equal(await getStatus(`${api}/${ALPHA}@2026.09.09.1/checksum`), 404);
    const download = await fetch(`${api}/${beta}@2026.03.01.1/download`);
    assert.equal(download.status, 200);
    assert.ok((await download.arrayBuffer()).byteLength > 0);
  });
});

Deno.test("GET /archives/... serves nested names and 404s unknown archives", async () => {
  await withRegistry(async (registry) => {
    const nested = encodeURIComponent("@fix/gamma/sub");
    const redirect = await fetch(
      `${registry.url}/api/v1/extensions/${nested}@2026.04.01.2/download`,
      { redirect: "manual" },
    );
    await redirect.body?.cancel();
    const location = redirect.headers.get("location");
    assert.equal(location, `${registry.url}/archives/${nested}/2026.04.01.2.tar.gz`);
    assert.equal(await getStatus(location), 200);
    assert.equal(
      await getStatus(`${registry.url}/archives/@fix/gamma/sub/2026.04.01.2.tar.gz`),
      200,
    );
    assert.equal(await getStatus(`${registry.url}/archives/${ALPHA}/2026.09.09.1.tar.gz`), 404);
    assert.equal(await getStatus(`${registry.url}/archives/x.tar.gz`), 404);
  });
});

Deno.test("startRegistry() answers 404 to other paths and methods", async () => {
  await withRegistry(async (registry) => {
    assert.equal(await getStatus(`${registry.url}/`), 404);
    assert.equal(await getStatus(`${registry.url}/api/v2/extensions/${ALPHA}`), 404);
    assert.equal(await getStatus(`${registry.url}/api/v1/extensions/${ALPHA}/other`), 404);
    assert.equal(
      await getStatus(`${registry.url}/api/v1/extensions/${ALPHA}`, { method: "POST" }),
      404,
    );
  });
});

Deno.test("startRegistry() records every request with its status", async () => {
  await withRegistry(async (registry) => {
    await getStatus(`${registry.url}/api/v1/extensions/${ALPHA}/latest?channel=beta`);
    await getStatus(`${registry.url}/api/v1/extensions/${ALPHA}@2026.01.01.1/download`, {
      redirect: "manual",
    });
    await getStatus(`${registry.url}/nope`, { method: "DELETE" });
    assert.deepEqual(
      registry.requests.map(({ method, path, status }) => ({ method, path, status })),
      [
        { method: "GET", path: `/api/v1/extensions/${ALPHA}/latest?channel=beta`, status: 200 },
        { method: "GET", path: `/api/v1/extensions/${ALPHA}@2026.01.01.1/download`, status: 302 },
        { method: "DELETE", path: "/nope", status: 404 },
      ],
    );
    const times = registry.requests.map((request) => request.atMs);
    assert.ok(times.every((atMs, index) => atMs >= 0 && atMs >= (times[index - 1] ?? 0)));
  });
});

Deno.test("startRegistry() serves concurrent downloads of one archive identically", async () => {
  await withRegistry(async (registry) => {
    const url = `${registry.url}/api/v1/extensions/${ALPHA}@2026.01.01.1/download`;
    const checksums = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const response = await fetch(url);
        return await sha256Hex(new Uint8Array(await response.arrayBuffer()));
      }),
    );
    assert.equal(new Set(checksums).size, 1);
  });
});

Deno.test("Registry.close() frees the port", async () => {
  const registry = await startRegistry(SPEC);
  assert.equal(await getStatus(`${registry.url}/api/v1/extensions/${ALPHA}`), 200);
  await registry.close();
  await registry.close();
  await assert.rejects(async () => await fetch(`${registry.url}/api/v1/extensions/${ALPHA}`));
  const listener = Deno.listen({ hostname: "127.0.0.1", port: registry.port });
  listener.close();
});

Deno.test("splitRef() splits at the last @ after the scope", () => {
  assert.deepEqual(splitRef("@fix/alpha@2026.01.01.1"), {
    name: "@fix/alpha",
    version: "2026.01.01.1",
  });
  assert.equal(splitRef("@fix/alpha"), undefined);
});
