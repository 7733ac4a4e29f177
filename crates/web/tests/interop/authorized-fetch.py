"""A fediverse server in "authorized fetch" mode, as Mastodon runs with
AUTHORIZED_FETCH=true: it serves the actor `ann` only to GETs carrying a
draft-cavage HTTP Signature that covers (request-target), host and date,
checked with Python's `cryptography` against the key fetched from the
signer's keyId document. Unsigned or badly signed GETs get 401.

    python3 authorized-fetch.py ANN_PUBLIC_KEY_PEM_FILE

Prints "ready PORT" once listening, then one JSON line per GET:
{"path", "signed", "verified", "keyId", "why"}.
"""

import base64
import json
import re
import sys
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

ANN_PEM = open(sys.argv[1]).read()


def check(handler):
    """(keyId, None) when the request's signature verifies, else (keyId, why)."""
    header = handler.headers.get("signature")
    if not header:
        return None, "unsigned"
    fields = dict(re.findall(r'(\w+)="([^"]*)"', header))
    key_id = fields.get("keyId")
    names = fields.get("headers", "date").split()
    for needed in ("(request-target)", "host", "date"):
        if needed not in names:
            return key_id, f"{needed} not signed"
    lines = []
    for name in names:
        if name == "(request-target)":
            lines.append(f"(request-target): get {handler.path}")
        else:
            value = handler.headers.get(name)
            if value is None:
                return key_id, f"{name} missing"
            lines.append(f"{name}: {value}")
    req = urllib.request.Request(
        key_id.split("#")[0], headers={"accept": "application/activity+json"}
    )
    with urllib.request.urlopen(req, timeout=10) as res:
        doc = json.load(res)
    if doc.get("publicKey", {}).get("id") != key_id:
        return key_id, "the keyId document does not publish that key"
    key = serialization.load_pem_public_key(doc["publicKey"]["publicKeyPem"].encode())
    try:
        key.verify(
            base64.b64decode(fields.get("signature", "")),
            "\n".join(lines).encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except InvalidSignature:
        return key_id, "the signature does not verify"
    return key_id, None


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        key_id, why = check(self)
        print(
            json.dumps(
                {
                    "path": self.path,
                    "signed": key_id is not None,
                    "verified": why is None,
                    "keyId": key_id,
                    "why": why,
                }
            ),
            flush=True,
        )
        if why is not None:
            self.send_response(401)
            self.end_headers()
            self.wfile.write(why.encode())
            return
        base = f"http://{self.headers.get('host')}"
        if self.path != "/users/ann":
            self.send_response(404)
            self.end_headers()
            return
        doc = {
            "@context": [
                "https://www.w3.org/ns/activitystreams",
                "https://w3id.org/security/v1",
            ],
            "id": f"{base}/users/ann",
            "type": "Person",
            "preferredUsername": "ann",
            "inbox": f"{base}/users/ann/inbox",
            "outbox": f"{base}/users/ann/outbox",
            "endpoints": {"sharedInbox": f"{base}/inbox"},
            "publicKey": {
                "id": f"{base}/users/ann#main-key",
                "owner": f"{base}/users/ann",
                "publicKeyPem": ANN_PEM,
            },
        }
        body = json.dumps(doc).encode()
        self.send_response(200)
        self.send_header("content-type", "application/activity+json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("content-length", "0"))
        self.rfile.read(length)
        self.send_response(202)
        self.end_headers()


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"ready {server.server_address[1]}", flush=True)
server.serve_forever()
