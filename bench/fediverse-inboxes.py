#!/usr/bin/env python3
"""Inboxes for bench/fediverse-fanout, and the signed requests it replays.

    fediverse-inboxes.py serve PORT KEY_URL EXPECTED
        Serves POST /inbox/{n} on 127.0.0.1:PORT. Every delivery's HTTP
        Signature (draft-cavage-12, as Mastodon checks it: the signed
        headers rebuilt, the body's SHA-256 Digest, RSA-SHA256 against the
        key published at KEY_URL) is verified with Python's `cryptography`,
        independently of convene. Prints one line when EXPECTED deliveries
        have arrived, all verified: the seconds from the first to the last
        and how many failed verification.

    fediverse-inboxes.py keys DIR
        Writes a key pair (DIR/private.pem, DIR/public.pem) for the remote
        actor whose signed activities the inbox benchmark replays.

    fediverse-inboxes.py sign DIR URL ACTOR OBJECT
        Prints a Like of OBJECT by ACTOR, signed for a POST to URL with the
        key in DIR, as a wrk Lua script that sends it over and over.
"""

import base64
import hashlib
import json
import sys
import threading
import time
import urllib.request
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def parse_signature(value):
    fields = {}
    for part in value.split(","):
        key, _, val = part.strip().partition("=")
        fields[key] = val.strip('"')
    return fields


def serve(port, key_url, expected):
    request = urllib.request.Request(key_url, headers={"Accept": "application/activity+json"})
    doc = json.load(urllib.request.urlopen(request))
    key = serialization.load_pem_public_key(doc["publicKey"]["publicKeyPem"].encode())
    key_id = doc["publicKey"]["id"]
    state = {"ok": 0, "bad": 0, "first": None, "last": None}
    lock = threading.Lock()
    done = threading.Event()

    class Inbox(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            ok = self.verify(body)
            with lock:
                now = time.monotonic()
                state["first"] = state["first"] or now
                state["last"] = now
                state["ok" if ok else "bad"] += 1
                if state["ok"] + state["bad"] >= expected:
                    done.set()
            self.send_response(202 if ok else 401)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def verify(self, body):
            sig = parse_signature(self.headers.get("Signature", ""))
            if sig.get("keyId") != key_id:
                return False
            digest = "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()
            if self.headers.get("Digest") != digest:
                return False
            lines = []
            for name in sig.get("headers", "").split():
                if name == "(request-target)":
                    lines.append(f"(request-target): post {self.path}")
                else:
                    lines.append(f"{name}: {self.headers.get(name, '')}")
            try:
                key.verify(
                    base64.b64decode(sig.get("signature", "")),
                    "\n".join(lines).encode(),
                    padding.PKCS1v15(),
                    hashes.SHA256(),
                )
            except (InvalidSignature, ValueError):
                return False
            return {"(request-target)", "host", "date", "digest"} <= set(sig.get("headers", "").split())

    server = ThreadingHTTPServer(("127.0.0.1", port), Inbox)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("ready", flush=True)
    done.wait()
    server.shutdown()
    print(f"{state['ok']} verified, {state['bad']} refused, "
          f"{state['last'] - state['first']:.3f} s from first to last", flush=True)


def keys(directory):
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with open(f"{directory}/private.pem", "wb") as f:
        f.write(private.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    with open(f"{directory}/public.pem", "wb") as f:
        f.write(private.public_key().public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo))


def sign(directory, url, actor, obj):
    with open(f"{directory}/private.pem", "rb") as f:
        private = serialization.load_pem_private_key(f.read(), password=None)
    body = json.dumps({"@context": "https://www.w3.org/ns/activitystreams",
                       "id": f"{actor}#likes/bench", "type": "Like",
                       "actor": actor, "object": obj}).encode()
    target = urlparse(url)
    headers = {
        "host": target.netloc,
        "date": formatdate(usegmt=True),
        "digest": "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode(),
        "content-type": "application/activity+json",
    }
    signing = "\n".join([f"(request-target): post {target.path}"] +
                        [f"{k}: {v}" for k, v in headers.items()])
    signature = base64.b64encode(private.sign(signing.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()
    headers["signature"] = (f'keyId="{actor}#main-key",algorithm="rsa-sha256",'
                            f'headers="(request-target) {" ".join(headers)}",signature="{signature}"')
    lua = ['wrk.method = "POST"', f"wrk.body = {json.dumps(body.decode())}"]
    lua += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items() if k != "host"]
    print("\n".join(lua))


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "serve":
        serve(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]))
    elif command == "keys":
        keys(sys.argv[2])
    elif command == "sign":
        sign(*sys.argv[2:6])
    else:
        sys.exit(__doc__)
