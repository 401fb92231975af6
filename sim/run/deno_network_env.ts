/**
 * The part of the simulator's own environment a target keeps although the
 * simulator clears the rest (`run/target.ts`): what Deno needs to reach the
 * package registry. A swamp checkout run from source resolves npm packages
 * at start-up and `deno bundle` may fetch; behind a TLS-inspecting proxy,
 * Deno stalls on every fetch without the CA bundle the machine trusts, which
 * it reads from `DENO_CERT` only. So `DENO_CERT` is the simulator's own, else
 * `SSL_CERT_FILE`, else the first system CA bundle that exists; proxies, the
 * npm registry URL, Deno's auth tokens and CA store choice pass through as
 * set. A scenario's `target.env` still overrides any of them.
 *
 * @module
 */

/** Variables passed through unchanged when the simulator has them. */
export const DENO_NETWORK_VARS = [
  "DENO_TLS_CA_STORE",
  "DENO_AUTH_TOKENS",
  "NPM_CONFIG_REGISTRY",
  "HTTPS_PROXY",
  "HTTP_PROXY",
  "NO_PROXY",
  "https_proxy",
  "http_proxy",
  "no_proxy",
] as const;

/** System CA bundles, in the order they are tried (Debian, Fedora, Alpine/macOS). */
export const SYSTEM_CA_BUNDLES = [
  "/etc/ssl/certs/ca-certificates.crt",
  "/etc/pki/tls/certs/ca-bundle.crt",
  "/etc/ssl/cert.pem",
] as const;

/**
 * The network environment a target keeps, from the simulator's environment
 * `host` (`exists` tells whether a file exists). Pure given `exists`.
 */
export function denoNetworkEnv(
  host: Readonly<Record<string, string | undefined>>,
  exists: (path: string) => boolean,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of DENO_NETWORK_VARS) {
    const value = host[name];
    if (value !== undefined && value !== "") env[name] = value;
  }
  const given = [host.DENO_CERT, host.SSL_CERT_FILE].find((v) => v !== undefined && v !== "");
  const cert = given ?? SYSTEM_CA_BUNDLES.find(exists);
  if (cert !== undefined) env.DENO_CERT = cert;
  return env;
}

/** {@link denoNetworkEnv} of this process's environment and file system. */
export function hostDenoNetworkEnv(): Record<string, string> {
  return denoNetworkEnv(Deno.env.toObject(), (path) => {
    try {
      return Deno.statSync(path).isFile;
    } catch {
      return false;
    }
  });
}
