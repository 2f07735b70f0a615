#!/usr/bin/env bash
# The C suite: builds libperceo (perceo-ffi, release), checks that the committed header
# include/perceo.h matches the one the build generates, writes perceo.pc next to the
# libraries, then compiles tests/c/analyze.c with gcc -Wall -Wextra -Werror against the
# shared and the static library and runs each natively and under valgrind, on a throwaway
# git repository of examples/shop with a change to the cart store (as scripts/demo.sh).
# Needs Rust, git, gcc, pkg-config and valgrind (the last two are installed when missing).
# Last line: `c-tests: N passed, M failed` (one test per library kind).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/perceo/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
bench_runs="${PERCEO_C_BENCH_RUNS:-20}"

for tool in git gcc; do
  command -v "$tool" >/dev/null || { echo "c-test: $tool is required" >&2; exit 1; }
done
missing=()
command -v valgrind >/dev/null || missing+=(valgrind)
command -v pkg-config >/dev/null || missing+=(pkg-config)
if ((${#missing[@]})); then
  echo "== installing ${missing[*]}" >&2
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Build. `cargo rustc` builds the same artifacts as `cargo build --release -p perceo-ffi`
# (lib, cdylib, staticlib, and the header through build.rs) and also reports the system
# libraries the static library needs (cargo replays the note when nothing was rebuilt).
echo "== cargo build --release -p perceo-ffi" >&2
if ! cargo rustc --release --locked -p perceo-ffi --lib -- --print native-static-libs >"$work/build.log" 2>&1; then
  cat "$work/build.log" >&2
  echo "c-test: building perceo-ffi failed" >&2
  exit 1
fi
native_libs="$(sed -n 's/^note: native-static-libs: //p' "$work/build.log" | tail -n 1)"
[[ -n "$native_libs" ]] || { cat "$work/build.log" >&2; echo "c-test: rustc did not report native-static-libs" >&2; exit 1; }
libdir="$CARGO_TARGET_DIR/release"

# The committed header must be the generated one.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  if ! git ls-files --error-unmatch include/perceo.h >/dev/null 2>&1; then
    if [[ "${CI:-}" == true ]]; then
      echo "c-test: include/perceo.h is not committed; build perceo-ffi and commit it" >&2
      exit 1
    fi
    echo "c-test: warning: include/perceo.h is not committed yet" >&2
  elif ! git diff --exit-code --stat include/perceo.h >&2; then
    echo "c-test: include/perceo.h is stale: the build regenerated it from perceo-ffi; commit the new header" >&2
    exit 1
  fi
fi

# pkg-config file next to the libraries.
version="$(sed -n 's/^#define PERCEO_VERSION "\(.*\)"$/\1/p' include/perceo.h)"
cat >"$libdir/perceo.pc" <<EOF
prefix=$libdir
libdir=\${prefix}
includedir=$root/include

Name: perceo
Description: Flow-aware regression testing (C API of Perceo)
Version: $version
Libs: -L\${libdir} -lperceo
Libs.private: $native_libs
Cflags: -I\${includedir}
EOF
export PKG_CONFIG_PATH="$libdir${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
echo "== wrote $libdir/perceo.pc (static: $native_libs)" >&2

# The header compiles as C++ too.
printf '#include "perceo.h"\nint main() { return perceo_version() == nullptr; }\n' >"$work/cpp.cc"
if command -v g++ >/dev/null; then
  g++ -std=c++17 -Wall -Wextra -Werror -fsyntax-only $(pkg-config --cflags perceo) "$work/cpp.cc"
fi

# A throwaway repository of the example app: `main`, then `feature` changing the cart store.
app="$work/shop"
mkdir "$app"
cp -r examples/shop/. "$app/"
git -C "$app" init -q -b main
git -C "$app" add -A
git -C "$app" -c user.name=c-test -c user.email=c-test@example.com commit -q -m "base: the shop"
git -C "$app" checkout -q -b feature
printf '\nexport const MAX_QUANTITY = 10;\n' >>"$app/src/lib/cart/store.ts"
git -C "$app" -c user.name=c-test -c user.email=c-test@example.com commit -q -am "feature: cart limit"

cflags=(-std=c11 -Wall -Wextra -Werror -pedantic -O2 -g -pthread)
# shellcheck disable=SC2046 # pkg-config output is a list of flags
gcc "${cflags[@]}" $(pkg-config --cflags perceo) tests/c/analyze.c -o "$work/analyze-shared" \
  $(pkg-config --libs perceo) -Wl,-rpath,"$libdir"
# Static: the archive by name, then the system libraries it needs.
# shellcheck disable=SC2046
gcc "${cflags[@]}" $(pkg-config --cflags perceo) tests/c/analyze.c -o "$work/analyze-static" \
  $(pkg-config --static --libs perceo | sed 's/-lperceo\b/-l:libperceo.a/')
if ldd "$work/analyze-static" | grep -q libperceo; then
  echo "c-test: analyze-static links libperceo dynamically" >&2
  exit 1
fi

passed=0
failed=0
for kind in shared static; do
  bin="$work/analyze-$kind"
  ok=true
  echo "== C test ($kind library)" >&2
  if ! "$bin" "$app" "$bench_runs"; then
    echo "c-test: analyze ($kind) failed" >&2
    ok=false
  fi
  echo "== C test ($kind library) under valgrind" >&2
  # One benchmark call only: valgrind is slow. Leaks: only "definitely lost" fails (Rust's
  # thread-locals and the runtime's pools may show as reachable at exit).
  if valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=1 \
    --log-file="$work/valgrind-$kind.log" "$bin" "$app" 1; then
    grep -E "(definitely|indirectly|possibly) lost:|still reachable:|ERROR SUMMARY" "$work/valgrind-$kind.log" \
      | sed 's/^==[0-9]*== */  valgrind: /' >&2
  else
    cat "$work/valgrind-$kind.log" >&2
    echo "c-test: analyze ($kind) failed under valgrind" >&2
    ok=false
  fi
  if $ok; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done

echo "c-tests: $passed passed, $failed failed"
[[ "$failed" == 0 ]]
