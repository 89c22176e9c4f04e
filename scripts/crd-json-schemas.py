#!/usr/bin/env python3
"""Turns CustomResourceDefinitions (YAML files) into the per-kind JSON schemas kubeconform reads,
named {kind}-{group}-{version}.json like scripts/k8s-json-schemas.py's, from each served
version's openAPIV3Schema.

Strict like those: an object with declared properties refuses others, unless the CRD keeps
unknown fields there (x-kubernetes-preserve-unknown-fields).

    crd-json-schemas.py out-dir crd.yaml...
"""
import json
import sys
from pathlib import Path

import yaml


def strict(schema):
    if isinstance(schema, dict):
        if (
            "properties" in schema
            and "additionalProperties" not in schema
            and not schema.get("x-kubernetes-preserve-unknown-fields")
        ):
            schema["additionalProperties"] = False
        for value in schema.values():
            strict(value)
    elif isinstance(schema, list):
        for value in schema:
            strict(value)
    return schema


def main(out_dir, crd_paths):
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    for path in crd_paths:
        for crd in yaml.safe_load_all(Path(path).read_text()):
            if not crd or crd.get("kind") != "CustomResourceDefinition":
                continue
            spec = crd["spec"]
            group = spec["group"].split(".")[0]
            kind = spec["names"]["kind"].lower()
            for version in spec["versions"]:
                if not version.get("served"):
                    continue
                schema = strict(version["schema"]["openAPIV3Schema"])
                target = out / f"{kind}-{group}-{version['name']}.json"
                target.write_text(json.dumps(schema))
                written += 1
    if written == 0:
        sys.exit("crd-json-schemas: no served version found")
    print(f"crd-json-schemas: {written} kinds written to {out}", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
