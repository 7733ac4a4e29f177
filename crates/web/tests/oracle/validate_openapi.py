"""Validates an OpenAPI document with openapi-spec-validator.

Usage: validate_openapi.py FILE

Prints each problem on its own line (with where it is in the document) and
exits 1 if there is any; exits 0, printing the version validated, if none.
"""

import json
import sys

from openapi_spec_validator import OpenAPIV31SpecValidator


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as f:
        doc = json.load(f)
    if not str(doc.get("openapi", "")).startswith("3.1"):
        print(f"not an OpenAPI 3.1 document: openapi = {doc.get('openapi')!r}")
        return 1
    errors = list(OpenAPIV31SpecValidator(doc).iter_errors())
    for e in errors:
        where = "/".join(str(p) for p in e.absolute_path)
        print(f"{where}: {e.message.splitlines()[0]}")
    if errors:
        return 1
    print(f"valid OpenAPI {doc['openapi']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
