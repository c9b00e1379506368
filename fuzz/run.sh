#!/usr/bin/env bash
# Runs every fuzz target for a bounded time with cargo-fuzz (libFuzzer, AddressSanitizer).
#
#   fuzz/run.sh                          # every target, 60 s each
#   SECONDS_PER_TARGET=600 fuzz/run.sh   # the long runs (10 minutes each)
#   fuzz/run.sh lockfile attrs           # some targets
#   JOBS=2 fuzz/run.sh                   # targets run side by side (default: 1)
#
# It needs cargo-fuzz (`cargo install --locked cargo-fuzz`). cargo-fuzz passes nightly-only
# compiler flags; on a stable toolchain the script sets RUSTC_BOOTSTRAP=1 for its build, which
# touches only the fuzz build (fuzz/target), never cargo-spdf's own.
#
# Each target starts from a corpus seeded with the repository's own inputs of that kind
# (fixtures, the built-in profiles, the sources) and a sample of ../shared's advisory database
# and KEV catalog; the corpus grows in target/fuzz-corpus/TARGET and is kept between runs. A
# crash, a timeout (an input taking more than 10 s) or an out-of-memory is written to
# fuzz/artifacts/TARGET/ and the script exits 1: reproduce it with
# `cargo fuzz run TARGET fuzz/artifacts/TARGET/FILE`, then add it as a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
shared=${SHARED:-$root/../shared}
seconds=${SECONDS_PER_TARGET:-60}
jobs=${JOBS:-1}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(policy lockfile attrs advisory kev)

if ! rustc --version | grep -q nightly; then
    export RUSTC_BOOTSTRAP=1
fi
command -v cargo-fuzz >/dev/null || { echo "fuzz/run.sh: cargo-fuzz is not installed (cargo install --locked cargo-fuzz)" >&2; exit 2; }

corpus_root=$root/target/fuzz-corpus
seed() {
    local target=$1 dir=$corpus_root/$1
    mkdir -p "$dir"
    case $target in
        policy) find fixtures src/policy/profiles -name '*.toml' ! -name Cargo.toml ! -name Cargo.lock -size -64k ;;
        lockfile) find fixtures bench/workspaces -name Cargo.lock -size -64k ;;
        attrs) find src fixtures -name '*.rs' -size -64k ;;
        advisory) find "$shared/advisory-db/crates" -name '*.md' 2>/dev/null | sort | awk 'NR % 8 == 0' ;;
        kev) find fixtures -name '*.json' -path '*kev*' -size -64k ;;
    esac | while read -r f; do cp "$f" "$dir/$(sha256sum "$f" | cut -c1-16)"; done
    if [ "$target" = kev ] && [ -f "$shared/kev/known_exploited_vulnerabilities.json" ]; then
        # A three-entry excerpt of the real catalog, in its own shape.
        python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["vulnerabilities"]=c["vulnerabilities"][:3]; c["count"]=3; print(json.dumps(c, indent=2))' \
            "$shared/kev/known_exploited_vulnerabilities.json" > "$dir/shared-excerpt"
    fi
}

cargo fuzz build --fuzz-dir fuzz
log_dir=$root/target/fuzz-logs
mkdir -p "$log_dir"
run() {
    local target=$1
    seed "$target"
    mkdir -p "fuzz/artifacts/$target"
    local start=$SECONDS
    if cargo fuzz run --fuzz-dir fuzz "$target" "$corpus_root/$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 \
        -artifact_prefix="fuzz/artifacts/$target/" >"$log_dir/$target.log" 2>&1; then
        local execs
        execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log_dir/$target.log" | grep -o '[0-9]*$' || echo '?')
        echo "$target: clean for $((SECONDS - start)) s, $execs inputs, corpus $(ls "$corpus_root/$target" | wc -l) files"
    else
        echo "$target: FAILED after $((SECONDS - start)) s; see $log_dir/$target.log and fuzz/artifacts/$target/"
        return 1
    fi
}

status=0
pids=()
for target in "${targets[@]}"; do
    run "$target" &
    pids+=($!)
    if [ ${#pids[@]} -ge "$jobs" ]; then
        wait "${pids[0]}" || status=1
        pids=("${pids[@]:1}")
    fi
done
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit $status
