#!/usr/bin/env bash
# Times `cargo spdf monitor` over a folder of N archived evidence bundles (default 200), the
# nightly postmarket job: one real bundle of this repository made with `cargo spdf evidence`
# against the advisory database snapshot, copied as N released versions (each with its own
# product version in the SBOM and its own SHA256SUMS), then monitored with `--bundles` against
# the same snapshot and the KEV catalog. Every bundle is verified (every file digested) and
# evaluated; the database is read once.
#
#   bench/monitor.sh             # 200 bundles
#   N=1000 bench/monitor.sh
#
# Needs: jq, and a release build of cargo-spdf (built here). The monitoring runs offline: the
# yanked lookups, which a connected run makes once per crate for all bundles, are left out.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
db=$(cd "${DB:-$here/../shared/advisory-db}" && pwd)
kev=${KEV:-$here/../shared/kev/known_exploited_vulnerabilities.json}
n=${N:-200}
runs=${RUNS:-3}
command -v jq >/dev/null || { echo "jq is needed (apt-get install jq)"; exit 2; }
cargo build --release --locked --quiet --manifest-path "$here/Cargo.toml"
spdf="$here/target/release/cargo-spdf"
out=${OUT:-$here/target/bench/monitor}
rm -rf "$out" && mkdir -p "$out/archive"

# The check of this repository at the release stage may fail (a dirty work tree, say): the
# bundle is written all the same, which is all the benchmark needs. `cargo metadata` may fetch
# crates from crates.io for platforms this machine has not built for.
"$spdf" evidence --manifest-path "$here/Cargo.toml" --db "$db" --kev "$kev" \
  --out "$out/template" -q 2>/dev/null || true
test -f "$out/template/SHA256SUMS" || { echo "no bundle was written"; exit 2; }
components=$(jq '.components | length' "$out/template/sbom.cdx.json")

for i in $(seq 1 "$n"); do
  version="1.$((i / 100)).$((i % 100))"
  dir="$out/archive/$version"
  cp -r "$out/template" "$dir"
  rm -f "$dir/SHA256SUMS.sig"
  jq --arg v "$version" '.metadata.component.version = $v' "$out/template/sbom.cdx.json" > "$dir/sbom.cdx.json"
  (cd "$dir" && sums=$(for f in *; do [ "$f" = SHA256SUMS ] || sha256sum "$f"; done) && printf '%s\n' "$sums" > SHA256SUMS)
done

echo "$n bundles of $components components each, database $(basename "$db"), $(nproc) CPUs"
for run in $(seq 1 "$runs"); do
  start=$(date +%s.%N)
  set +e
  "$spdf" monitor --offline --bundles "$out/archive" --db "$db" --kev "$kev" --format json \
    --output "$out/report.json"
  code=$?
  set -e
  end=$(date +%s.%N)
  printf 'run %d: %.2f s (exit %d)\n' "$run" "$(echo "$end - $start" | bc)" "$code"
done
jq -r '"monitored \(.summary.products): \(.summary.fail) fail, \(.summary.review) review, \(.summary.ok) ok, \(.summary.refused) refused"' "$out/report.json"
