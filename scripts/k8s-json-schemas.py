#!/usr/bin/env python3
"""Turns Kubernetes' own OpenAPI v2 document (api/openapi-spec/swagger.json of the k8s.io/kubernetes
module) into the per-kind JSON schemas kubeconform reads, named {kind}-{group}-{version}.json.

Strict like kubeconform's "-strict" schemas: an object with declared properties refuses others, so
a misspelt field (`readinessprobe:`) is an error, not silently ignored.

    k8s-json-schemas.py swagger.json out-dir
"""
import json
import sys
from pathlib import Path

# Types Kubernetes accepts in two JSON shapes, which swagger 2 can only call "string".
TWO_SHAPES = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
    "io.k8s.apimachinery.pkg.api.resource.Quantity": {"oneOf": [{"type": "string"}, {"type": "number"}]},
}


def strict(schema):
    if isinstance(schema, dict):
        if "properties" in schema and "additionalProperties" not in schema:
            schema["additionalProperties"] = False
        for value in schema.values():
            strict(value)
    elif isinstance(schema, list):
        for value in schema:
            strict(value)
    return schema


def main(swagger_path, out_dir):
    definitions = json.loads(Path(swagger_path).read_text())["definitions"]
    for name, shape in TWO_SHAPES.items():
        definitions[name] = shape
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "_definitions.json").write_text(json.dumps({"definitions": strict(definitions)}))
    written = 0
    for name, schema in definitions.items():
        for gvk in schema.get("x-kubernetes-group-version-kind", []):
            group = gvk["group"].split(".")[0]
            suffix = f"-{group}-{gvk['version']}" if group else f"-{gvk['version']}"
            target = out / f"{gvk['kind'].lower()}{suffix}.json"
            target.write_text(json.dumps({"$ref": f"_definitions.json#/definitions/{name}"}))
            written += 1
    print(f"k8s-json-schemas: {written} kinds written to {out}", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
