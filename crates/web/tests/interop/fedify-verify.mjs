// Verifies a request that convene sent with @fedify/fedify's own
// verifyRequest. The test that runs this lays a `node_modules` beside it.
//
//   node fedify-verify.mjs < job.json
//       job: {method, url, headers: [[name, value]...], body, now, origin}
//       `now` (RFC 3339) is the verifier's clock. The signer's key is
//       fetched by fedify through a document loader that reads only from
//       `origin` (the served convene); contexts come from fedify's own
//       preloaded copies, so nothing else is fetched.
//       Prints {"verified": true, "keyId", "owner"} or {"verified": false}.
//       Why fedify refused is written to stderr.

import { fetchDocumentLoader, verifyRequest } from "@fedify/fedify";
import { Temporal } from "@js-temporal/polyfill";
import { configure } from "@logtape/logtape";
import { Buffer } from "node:buffer";

async function stdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

await configure({
  sinks: {
    stderr(record) {
      const text = record.message
        .map((part) => (typeof part === "string" ? part : JSON.stringify(part)))
        .join("");
      process.stderr.write(`${record.category.join(".")}: ${text}\n`);
    },
  },
  loggers: [
    { category: ["fedify", "sig"], lowestLevel: "debug", sinks: ["stderr"] },
    { category: ["logtape", "meta"], lowestLevel: "warning", sinks: [] },
  ],
});

const job = JSON.parse(await stdin());

async function documentLoader(url) {
  const address = new URL(url);
  if (address.origin !== job.origin) {
    throw new Error(`${url} is not on ${job.origin}; nothing else is fetched`);
  }
  address.hash = "";
  const response = await fetch(address, {
    headers: { accept: "application/activity+json" },
  });
  if (!response.ok) throw new Error(`${address} answered ${response.status}`);
  return {
    contextUrl: null,
    document: await response.json(),
    documentUrl: address.href,
  };
}

const known = new Set([
  "https://www.w3.org/ns/activitystreams",
  "https://w3id.org/security/v1",
]);
async function contextLoader(url) {
  if (!known.has(url)) throw new Error(`unexpected context ${url}`);
  return await fetchDocumentLoader(url);
}

const request = new Request(job.url, {
  method: job.method,
  headers: job.headers,
  body: job.body,
});
const key = await verifyRequest(request, {
  documentLoader,
  contextLoader,
  currentTime: Temporal.Instant.from(job.now),
});
process.stdout.write(
  JSON.stringify(
    key == null
      ? { verified: false }
      : { verified: true, keyId: key.id?.href, owner: key.ownerId?.href },
  ) + "\n",
);
