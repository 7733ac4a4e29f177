"""Expands a JSON-LD document with pyld, an independent JSON-LD processor.

    python3 jsonld-expand.py CONTEXTS_DIR < document.json > expanded.json

The ActivityStreams and security contexts are read from local copies in
CONTEXTS_DIR; any other remote document is refused, so nothing is fetched.
"""

import json
import os
import sys

from pyld import jsonld

LOCAL = {
    "https://www.w3.org/ns/activitystreams": "activitystreams.jsonld",
    "https://w3id.org/security/v1": "security-v1.jsonld",
}


def main():
    contexts = sys.argv[1]

    def loader(url, options=None):
        name = LOCAL.get(url.split("#")[0].rstrip("/"))
        if name is None:
            raise jsonld.JsonLdError(
                "no local copy of " + url, "jsonld.LoadDocumentError"
            )
        with open(os.path.join(contexts, name), encoding="utf-8") as f:
            document = json.load(f)
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": document,
        }

    document = json.load(sys.stdin)
    expanded = jsonld.expand(document, {"documentLoader": loader})
    json.dump(expanded, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
