#!/usr/bin/env python3
"""Checks what issue #34 asks of the manifests the chart renders, beyond their validity: each
mode's own workload and parts, probes and scrapes on the management port, a NetworkPolicy that
lets the webhook's port be reached only from webhookFrom and the management port only from
managementFrom, a spool pod's grace period longer than its shutdown, itself longer than the
spool's forwarding at shutdown, and a drain Job that runs the drain command on its claim.

    chart-expectations.py rendered-dir presets-dir

rendered-dir holds what each preset of presets-dir rendered, in a file of the preset's name, and
defaults.yaml what the chart's defaults (values.yaml beside the presets' folder) rendered.
"""

import sys
from pathlib import Path

import yaml

DRAIN_COMMAND = ["node", "dist/src/drain-spool.js"]

problems = []


def expect(condition, preset, message):
    if not condition:
        problems.append(f"{preset}: {message}")


def by_kind(documents):
    kinds = {}
    for document in documents:
        kinds.setdefault(document["kind"], []).append(document)
    return kinds


def env_of(container):
    return {item["name"]: item.get("value") for item in container.get("env", [])}


def check_server_pod(preset, pod, mode):
    container = pod["spec"]["containers"][0]
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    env = env_of(container)
    expect(set(ports) == {"http", "management"}, preset, f"container ports {sorted(ports)}")
    expect(
        env.get("MANAGEMENT_PORT") == str(ports.get("management")),
        preset,
        "MANAGEMENT_PORT is not the container port `management`",
    )
    expect(env.get("PORT") == str(ports.get("http")), preset, "PORT is not the container port `http`")
    expect(env.get("DELIVERY_MODE") == mode, preset, f"DELIVERY_MODE {env.get('DELIVERY_MODE')}")
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        port = container.get(probe, {}).get("httpGet", {}).get("port")
        expect(port == "management", preset, f"{probe} on port {port!r}, not `management`")
    grace = pod["spec"]["terminationGracePeriodSeconds"]
    shutdown_ms = int(env["SHUTDOWN_TIMEOUT_MS"])
    expect(
        grace * 1000 > shutdown_ms,
        preset,
        f"grace period {grace} s is not longer than SHUTDOWN_TIMEOUT_MS {shutdown_ms}",
    )
    if mode == "spool":
        forward_ms = int(env["SPOOL_SHUTDOWN_FORWARD_MS"])
        expect(
            forward_ms < shutdown_ms,
            preset,
            f"SPOOL_SHUTDOWN_FORWARD_MS {forward_ms} is not less than SHUTDOWN_TIMEOUT_MS {shutdown_ms}",
        )
        mounts = {mount["name"]: mount["mountPath"] for mount in container["volumeMounts"]}
        expect(mounts.get("spool") == env.get("SPOOL_DIR"), preset, "the spool volume is not at SPOOL_DIR")


def check_network_policy(preset, policy, values):
    rules = {
        tuple(port["port"] for port in rule["ports"]): rule["from"] for rule in policy["spec"]["ingress"]
    }
    expect(set(rules) <= {("http",), ("management",)}, preset, f"ingress on ports {sorted(rules)}")
    expect(
        rules.get(("http",)) == values["webhookFrom"],
        preset,
        "the webhook's port is open to others than webhookFrom",
    )
    expect(
        rules.get(("management",)) == values["managementFrom"],
        preset,
        "the management port is open to others than managementFrom",
    )


def check(preset, documents, values):
    kinds = by_kind(documents)
    mode = values.get("mode", "kafka")
    workload = "Deployment" if mode == "kafka" else "StatefulSet"
    other = "StatefulSet" if mode == "kafka" else "Deployment"
    expect(len(kinds.get(workload, [])) == 1, preset, f"renders no {workload}")
    expect(other not in kinds, preset, f"renders a {other} in {mode} mode")
    for workload_document in kinds.get(workload, []):
        check_server_pod(preset, workload_document["spec"]["template"], mode)
    if mode == "spool":
        expect("HorizontalPodAutoscaler" not in kinds, preset, "spool mode has an autoscaler")
        statefulset = kinds["StatefulSet"][0]["spec"]
        expect(
            [claim["metadata"]["name"] for claim in statefulset.get("volumeClaimTemplates", [])] == ["spool"],
            preset,
            "no volume per pod",
        )
        expect(
            statefulset.get("persistentVolumeClaimRetentionPolicy", {}).get("whenScaled") == "Retain",
            preset,
            "a scale-down would delete a volume that may hold events",
        )
        headless = [s for s in kinds["Service"] if s["spec"].get("clusterIP") == "None"]
        expect(
            len(headless) == 1 and headless[0]["metadata"]["name"] == statefulset["serviceName"],
            preset,
            "no headless Service governs the StatefulSet",
        )
    for monitor in kinds.get("ServiceMonitor", []):
        ports = [endpoint.get("port") for endpoint in monitor["spec"]["endpoints"]]
        expect(ports == ["management"], preset, f"the ServiceMonitor scrapes {ports}, not `management`")
    policy_values = values.get("networkPolicy", {})
    if policy_values.get("enabled", True):
        policies = kinds.get("NetworkPolicy", [])
        expect(len(policies) == 1, preset, "renders no NetworkPolicy")
        for policy in policies:
            check_network_policy(preset, policy, policy_values)
    claims = values.get("drainJob", {}).get("claims", [])
    jobs = kinds.get("Job", [])
    expect(len(jobs) == len(claims), preset, f"{len(jobs)} drain Jobs for {len(claims)} claims")
    for job in jobs:
        pod = job["spec"]["template"]["spec"]
        container = pod["containers"][0]
        env = env_of(container)
        volumes = {volume["name"]: volume for volume in pod["volumes"]}
        claim = volumes.get("spool", {}).get("persistentVolumeClaim", {}).get("claimName")
        expect(claim in claims, preset, f"a drain Job mounts {claim!r}")
        expect(
            container.get("command") == DRAIN_COMMAND,
            preset,
            f"the drain Job runs {container.get('command')}",
        )
        expect(env.get("DELIVERY_MODE") == "spool", preset, "the drain Job is not in spool mode")
        expect(
            int(env["SPOOL_DRAIN_TIMEOUT_MS"]) < pod["activeDeadlineSeconds"] * 1000,
            preset,
            "the drain Job's pod is ended before the command's own deadline",
        )
    return {kind: len(items) for kind, items in kinds.items()}


def main(rendered_dir, presets_dir):
    with_values = [(Path(rendered_dir) / "defaults.yaml", {})] + [
        (Path(rendered_dir) / preset.name, yaml.safe_load(preset.read_text()) or {})
        for preset in sorted(Path(presets_dir).glob("*.yaml"))
    ]
    defaults = yaml.safe_load((Path(presets_dir).parent / "kafka-events" / "values.yaml").read_text())
    for path, preset_values in with_values:
        values = merge(defaults, preset_values)
        documents = [d for d in yaml.safe_load_all(path.read_text()) if d]
        counts = check(path.stem, documents, values)
        print(f"chart-expectations: {path.stem}: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
    if problems:
        sys.exit(
            "chart-expectations: " + "\n  ".join(["the rendered chart misses what #34 asks:"] + problems)
        )


def merge(base, override):
    """Helm's way: maps merge key by key, anything else is replaced."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = merge(base.get(key), value)
        return merged
    return override


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
