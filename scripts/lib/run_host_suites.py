#!/usr/bin/env python3
"""Runs every host test executable meson knows in the given suites (Catch2 binaries) and
prints one line per executable plus a final `HOST-SUMMARY: N passed, M failed`, where the
counts are Catch2 test cases. An executable that crashes or whose report cannot be read
counts as one extra failure.

usage: run_host_suites.py BUILD_DIR SUITE [SUITE...]"""
import json
import os
import re
import subprocess
import sys


def main():
    build, suites = sys.argv[1], set(sys.argv[2:])
    tests = json.loads(subprocess.run(["meson", "introspect", build, "--tests"], check=True,
                                      capture_output=True, text=True).stdout)
    total_passed = total_failed = 0
    for test in tests:
        if not suites.intersection(test.get("suite", [])) and not any(
                s.split(":")[-1] in suites for s in test.get("suite", [])):
            continue
        cmd = test["cmd"] + ["-r", "xml"]
        env = dict(os.environ)
        env.update(test.get("env", {}))
        timeout = max(test.get("timeout", 30), 600)
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, cwd=test.get("workdir") or build,
                                  env=env, timeout=timeout)
            out = proc.stdout
        except subprocess.TimeoutExpired:
            print(f"  {test['name']}: timed out after {timeout}s")
            total_failed += 1
            continue
        match = re.search(r'<OverallResultsCases successes="(\d+)" failures="(\d+)"', out)
        if not match:
            print(f"  {test['name']}: no report (exit {proc.returncode})")
            sys.stdout.write(proc.stderr[-2000:])
            total_failed += 1
            continue
        passed, failed = int(match.group(1)), int(match.group(2))
        if proc.returncode != 0 and failed == 0:
            failed = 1
        warnings = re.findall(r"<Warning>\s*(.*?)\s*</Warning>", out, re.S)
        print(f"  {test['name']}: {passed} passed, {failed} failed")
        for w in warnings[:5]:
            print(f"    note: {w.strip()[:200]}")
        if failed:
            for m in re.finditer(r'<TestCase name="([^"]*)".*?<OverallResult success="false"', out, re.S):
                print(f"    FAILED: {m.group(1)}")
        total_passed += passed
        total_failed += failed
    print(f"HOST-SUMMARY: {total_passed} passed, {total_failed} failed")
    return 0 if total_failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
