// Signs a request as a server built on @fedify/fedify signs it, and sends
// it. The test that runs this lays a `node_modules` beside it, so the
// imports below find the installed packages.
//
//   node fedify-sign.mjs keypairs N
//       prints N keys that fedify's generateCryptoKeyPair made, as a list
//       of {"publicKeyPem": SPKI PEM, "privateKeyJwk": JWK}.
//   node fedify-sign.mjs send < job.json
//       job: {url, body, keyId, privateKeyJwk, date, sendBody?, cover?}
//       POSTs `body` to `url` with the Date `date`, signed by fedify's
//       signRequest (draft-cavage, RSA-SHA256) with the key, then sends
//       `sendBody` instead of `body` when given. With `cover` (a list of
//       header names) the signature covers only those: fedify always signs
//       every header it sends, so that case is signed here with WebCrypto
//       and the same key. With `rfc9421: true` the request carries an
//       RFC 9421 HTTP Message Signature instead, as fedify 1.6 and later
//       send first; fedify 1.5 (the last release for Node 20) cannot make
//       one, so it too is made here with WebCrypto, over `components`
//       (default: @method @target-uri content-digest) and `created`
//       (seconds; default: the Date). Prints {"status", "body",
//       "signature"}.

import {
  exportJwk,
  exportSpki,
  generateCryptoKeyPair,
  importJwk,
  signRequest,
} from "@fedify/fedify";
import { Buffer } from "node:buffer";

async function stdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

function print(value) {
  process.stdout.write(JSON.stringify(value) + "\n");
}

/** A draft-cavage signature over just `names`, made with WebCrypto. */
async function signCovering(request, body, key, keyId, names) {
  const url = new URL(request.url);
  const headers = new Headers(request.headers);
  headers.set("host", url.host);
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(body),
  );
  headers.set("digest", `SHA-256=${Buffer.from(digest).toString("base64")}`);
  const lines = names.map((name) =>
    name === "(request-target)"
      ? `(request-target): post ${url.pathname}`
      : `${name}: ${headers.get(name)}`
  );
  const signature = await crypto.subtle.sign(
    "RSASSA-PKCS1-v1_5",
    key,
    new TextEncoder().encode(lines.join("\n")),
  );
  headers.set(
    "signature",
    `keyId="${keyId}",algorithm="rsa-sha256",headers="${names.join(" ")}",` +
      `signature="${Buffer.from(signature).toString("base64")}"`,
  );
  return new Request(request.url, { method: "POST", headers, body });
}

/**
 * An RFC 9421 signature over `components` (by default method, target URI
 * and Content-Digest), created at the request's Date unless `created`
 * (seconds) is given. Without "content-digest" among the components no
 * Content-Digest header is sent.
 */
async function signRfc9421(request, body, key, keyId, components, created) {
  const headers = new Headers(request.headers);
  const covered = components ?? ["@method", "@target-uri", "content-digest"];
  if (covered.includes("content-digest")) {
    const digest = await crypto.subtle.digest(
      "SHA-256",
      new TextEncoder().encode(body),
    );
    headers.set(
      "content-digest",
      `sha-256=:${Buffer.from(digest).toString("base64")}:`,
    );
  }
  const url = new URL(request.url);
  const value = (name) =>
    name === "@method"
      ? "POST"
      : name === "@target-uri"
      ? request.url
      : name === "@authority"
      ? url.host
      : name === "@path"
      ? url.pathname
      : headers.get(name);
  const when = created ?? Math.floor(Date.parse(headers.get("date")) / 1000);
  const params = `(${covered.map((c) => `"${c}"`).join(" ")});` +
    `created=${when};keyid="${keyId}";alg="rsa-v1_5-sha256"`;
  const base = [
    ...covered.map((name) => `"${name}": ${value(name)}`),
    `"@signature-params": ${params}`,
  ].join("\n");
  const signature = await crypto.subtle.sign(
    "RSASSA-PKCS1-v1_5",
    key,
    new TextEncoder().encode(base),
  );
  headers.set("signature-input", `sig1=${params}`);
  headers.set(
    "signature",
    `sig1=:${Buffer.from(signature).toString("base64")}:`,
  );
  return new Request(request.url, { method: "POST", headers, body });
}

const command = process.argv[2];
if (command === "keypairs") {
  const keys = [];
  for (let i = 0; i < Number(process.argv[3]); i++) {
    const { publicKey, privateKey } = await generateCryptoKeyPair(
      "RSASSA-PKCS1-v1_5",
    );
    keys.push({
      publicKeyPem: await exportSpki(publicKey),
      privateKeyJwk: await exportJwk(privateKey),
    });
  }
  print(keys);
} else if (command === "send") {
  const job = JSON.parse(await stdin());
  const key = await importJwk(job.privateKeyJwk, "private");
  const unsigned = new Request(job.url, {
    method: "POST",
    headers: { "content-type": "application/activity+json", date: job.date },
    body: job.body,
  });
  const signed = job.rfc9421
    ? await signRfc9421(
      unsigned,
      job.body,
      key,
      job.keyId,
      job.components,
      job.created,
    )
    : job.cover
    ? await signCovering(unsigned, job.body, key, job.keyId, job.cover)
    : await signRequest(unsigned, key, new URL(job.keyId));
  const response = await fetch(job.url, {
    method: "POST",
    headers: signed.headers,
    body: job.sendBody ?? job.body,
  });
  print({
    status: response.status,
    body: await response.text(),
    signature: signed.headers.get("signature"),
  });
} else {
  process.stderr.write("usage: node fedify-sign.mjs keypairs N|send\n");
  process.exit(2);
}
