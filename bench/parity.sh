#!/usr/bin/env bash
# Regenerates fixtures/parity/*.cargo-audit.json: the (kind, advisory, package, version) set that
# `cargo audit` reports for each parity workspace with the shared advisory database snapshot.
# tests/parity.rs checks that `cargo spdf check` reports exactly the same set.
# Needs cargo-audit (`cargo install cargo-audit --locked`).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
db=${DB:-$here/../shared/advisory-db}
for ws in old-crates; do
  (cd "$here/fixtures/workspaces/$ws" && cargo audit --db "$db" --no-fetch --json || true) |
    python3 -c '
import json, sys
d = json.load(sys.stdin)
rows = {("vulnerability", v["advisory"]["id"], v["package"]["name"], v["package"]["version"]) for v in d["vulnerabilities"]["list"]}
for kind, ws in d["warnings"].items():
    for w in ws:
        if w.get("advisory"):
            rows.add((kind, w["advisory"]["id"], w["package"]["name"], w["package"]["version"]))
json.dump(sorted(rows), sys.stdout, indent=1)
print()
' > "$here/fixtures/parity/$ws.cargo-audit.json"
  echo "fixtures/parity/$ws.cargo-audit.json: $(grep -c RUSTSEC "$here/fixtures/parity/$ws.cargo-audit.json") findings"
done
