#!/usr/bin/env bash
# Times `cargo spdf check` (advisories gate) side by side with the tools a team would otherwise
# run on the same lockfile and advisory database: `cargo audit` and `cargo deny check advisories`.
# Reports wall time (hyperfine, warm cache) and peak memory (GNU time). Rerun any time:
#
#   bench/run.sh                 # all bench workspaces
#   DB=/path/to/advisory-db bench/run.sh
#
# Needs: a release build of cargo-spdf (built here), hyperfine, and optionally cargo-audit and
# cargo-deny on PATH; a tool that is missing is skipped and said so.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
db=$(cd "${DB:-$here/../shared/advisory-db}" && pwd)
cargo build --release --locked --quiet --manifest-path "$here/Cargo.toml"
spdf="$here/target/release/cargo-spdf"
out=${OUT:-$here/target/bench}
mkdir -p "$out"

have() { command -v "$1" >/dev/null 2>&1; }
have hyperfine || { echo "hyperfine is needed (apt-get install hyperfine)"; exit 2; }

# cargo-deny reads its database from a git checkout in a directory named after the database URL;
# give it the same snapshot, committed once into such a checkout, through a config file.
deny_cfg="$out/deny.toml"
deny_db="$out/deny-db/advisory-db-3157b0e258782691"
if [ ! -d "$deny_db/.git" ]; then
  rm -rf "$deny_db" && mkdir -p "$deny_db" && cp -r "$db"/. "$deny_db"/
  git -C "$deny_db" init -q && git -C "$deny_db" add -A &&
    git -C "$deny_db" -c user.name=bench -c user.email=bench@localhost commit -qm snapshot
fi
printf '[advisories]\ndb-path = "%s"\ndb-urls = ["https://github.com/rustsec/advisory-db"]\n' "$out/deny-db" > "$deny_cfg"

peak_kb() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }

printf '%-12s %-10s %-26s %10s %10s\n' workspace packages tool "mean ms" "peak MiB"
for ws in clean old-crates big self; do
  if [ "$ws" = self ]; then dir=$here; else dir=$here/fixtures/workspaces/$ws; fi
  n=$(grep -c '^\[\[package\]\]' "$dir/Cargo.lock")
  # --offline: cargo audit --no-fetch and cargo deny --offline skip the yanked lookup too.
  cmds=("$spdf check --gate advisories --offline --db $db -q")
  names=("cargo-spdf check")
  if have cargo-audit; then cmds+=("cargo audit --db $db --no-fetch -q"); names+=("cargo audit"); fi
  if have cargo-deny; then cmds+=("cargo deny --offline --config $deny_cfg check advisories"); names+=("cargo deny check advisories"); fi
  (cd "$dir" && hyperfine -N -i --warmup 3 --runs 20 --export-json "$out/$ws.json" "${cmds[@]}" >/dev/null 2>&1)
  for i in "${!cmds[@]}"; do
    mean=$(python3 -c "import json,sys; r=json.load(open('$out/$ws.json'))['results'][$i]; print(f\"{r['mean']*1000:.1f}\")")
    # shellcheck disable=SC2086
    mem=$(cd "$dir" && peak_kb ${cmds[$i]} || true)
    printf '%-12s %-10s %-26s %10s %10s\n' "$ws" "$n" "${names[$i]}" "$mean" "$(python3 -c "print(f'{int(\"${mem:-0}\")/1024:.1f}')")"
  done
done
