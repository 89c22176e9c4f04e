"""The Python side of test/support/chaos-report.ts' reportBound: one request budget held under
attack (#33), appended to CHAOS_REPORT as the same JSON line when a chaos run asked for one."""

import json
import os


def report_bound(attack, bound, measured):
    file = os.environ.get("CHAOS_REPORT")
    if file:
        with open(file, "a", encoding="utf-8") as report:
            report.write(json.dumps({"bound": {"attack": attack, "bound": bound, "measured": measured}}) + "\n")
