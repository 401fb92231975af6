import assert from "node:assert/strict";
import { denoNetworkEnv, SYSTEM_CA_BUNDLES } from "./deno_network_env.ts";

const NONE = () => false;

Deno.test("denoNetworkEnv() keeps DENO_CERT and the proxy and registry settings that are set", () => {
  assert.deepEqual(
    denoNetworkEnv({
      DENO_CERT: "/ca.pem",
      SSL_CERT_FILE: "/other.pem",
      HTTPS_PROXY: "http://proxy:3128",
      no_proxy: "localhost",
      NPM_CONFIG_REGISTRY: "https://npm.example/",
      DENO_AUTH_TOKENS: "t@host",
      DENO_TLS_CA_STORE: "system",
      HOME: "/root",
      SECRET: "x",
      HTTP_PROXY: "",
    }, NONE),
    {
      DENO_CERT: "/ca.pem",
      HTTPS_PROXY: "http://proxy:3128",
      no_proxy: "localhost",
      NPM_CONFIG_REGISTRY: "https://npm.example/",
      DENO_AUTH_TOKENS: "t@host",
      DENO_TLS_CA_STORE: "system",
    },
  );
});

Deno.test("denoNetworkEnv() falls back to SSL_CERT_FILE, then the first system CA bundle", () => {
  assert.deepEqual(denoNetworkEnv({ SSL_CERT_FILE: "/ssl.pem" }, NONE), { DENO_CERT: "/ssl.pem" });
  const second = SYSTEM_CA_BUNDLES[1];
  assert.deepEqual(
    denoNetworkEnv({ DENO_CERT: "" }, (path) => path === second || path === SYSTEM_CA_BUNDLES[2]),
    { DENO_CERT: second },
  );
  assert.deepEqual(denoNetworkEnv({}, NONE), {});
});
