#!/usr/bin/env bash
# Builds the wasmtime C API static library once per lock file and prints the
# folder that holds it (lib/libboxagnts_wasmtime.a and include/).
#
# The cache lives outside any build tree, in
# ${BOXAGNTS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/boxagnts}/wasmtime,
# keyed by the SHA-256 of Cargo.toml, Cargo.lock, src/lib.rs, this script
# and `rustc -vV`, so a fresh build tree reuses it and a changed pin or
# toolchain builds anew. cargo's own target folder is kept there too, so a
# changed key recompiles only what changed.
set -euo pipefail

crate_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache_root=${BOXAGNTS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/boxagnts}/wasmtime
mkdir -p "$cache_root"

key=$( (cat "$crate_dir/Cargo.toml" "$crate_dir/Cargo.lock" \
         "$crate_dir/src/lib.rs" "$crate_dir/build-cached.sh"; rustc -vV) \
       | sha256sum | cut -c1-16)
out="$cache_root/$key"

if [[ -f "$out/complete" ]]; then
  echo "$out"
  exit 0
fi

# One build at a time per cache: a second configure waits for the first.
exec 9>"$cache_root/.lock"
flock 9
if [[ -f "$out/complete" ]]; then
  echo "$out"
  exit 0
fi

echo "building wasmtime C API (key $key); this takes a while once" >&2
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$cache_root/target}"
messages=$(mktemp)
trap 'rm -f "$messages"' EXIT
cargo build --release --locked --manifest-path "$crate_dir/Cargo.toml" \
  --message-format=json-render-diagnostics >"$messages"

# The C API crate's build script installs the headers into its out_dir.
include_dir=$(python3 - "$messages" <<'PY'
import json, sys
out = None
for line in open(sys.argv[1]):
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if (m.get("reason") == "build-script-executed"
            and "wasmtime-c-api-impl" in m.get("package_id", "")):
        out = m["out_dir"] + "/include"
if out is None:
    sys.exit("no build-script output for wasmtime-c-api-impl")
print(out)
PY
)

staging="$out.tmp.$$"
rm -rf "$staging"
mkdir -p "$staging/lib"
cp "$CARGO_TARGET_DIR/release/libboxagnts_wasmtime.a" "$staging/lib/"
cp -r "$include_dir" "$staging/include"
touch "$staging/complete"
rm -rf "$out"
mv "$staging" "$out"
echo "$out"
