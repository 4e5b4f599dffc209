#!/usr/bin/env bash
# Proves a D365 Connect .deb without installing it: its control fields; the
# files a desktop needs (the binary, a valid desktop entry, an icon for
# every size in icons/); every library the binary loads resolved and
# provided by its declared dependencies; and the unpacked app starting to
# its first wizard frame under Xvfb, with a screenshot. Prints a summary and
# exits non-zero at the first failure. Run from tests/scripts/package.sh.
# Usage: tests/scripts/check-deb.sh PACKAGE.deb [SCREENSHOT.png]
set -euo pipefail
cd "$(dirname "$0")/../.."
deb=$1
shot=${2:-target/package-first-frame.png}
bin_name=d365-connect

work=$(mktemp -d)
pids=()
cleanup() {
  # The app first: it is a client of the X server.
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { printf '  ok  %s\n' "$*"; }

echo "== control fields (dpkg-deb -I)"
dpkg-deb -I "$deb" >/dev/null || fail "$deb is not a Debian package"
field() { dpkg-deb -f "$deb" "$1"; }
for name in Package Version Architecture Maintainer Installed-Size Depends Description; do
  [ -n "$(field "$name")" ] || fail "the control file has no $name"
done
[ "$(field Package)" = "$bin_name" ] || fail "Package is $(field Package), not $bin_name"
[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] || fail "Architecture is $(field Architecture)"
ok "$(field Package) $(field Version) $(field Architecture), maintainer $(field Maintainer)"

echo "== files (dpkg-deb -x)"
root="$work/root"
dpkg-deb -x "$deb" "$root"
bin="$root/usr/bin/$bin_name"
[ -x "$bin" ] || fail "no executable usr/bin/$bin_name"
ok "usr/bin/$bin_name"

desktop="$root/usr/share/applications/D365 Connect.desktop"
[ -f "$desktop" ] || fail "no desktop entry at usr/share/applications/D365 Connect.desktop"
# desktop-file-validate prints hints too; only an error fails it.
desktop-file-validate "$desktop" || fail "desktop-file-validate refused the desktop entry"
entry() { sed -n "s/^$1=//p" "$desktop"; }
[ "$(entry Exec)" = "$bin_name" ] || fail "Exec is '$(entry Exec)': the launcher would not find usr/bin/$bin_name"
[ "$(entry Icon)" = "$bin_name" ] || fail "Icon is '$(entry Icon)', not the hicolor name $bin_name"
[ "$(entry Name)" = "D365 Connect" ] || fail "Name is '$(entry Name)'"
[ -n "$(entry Categories)" ] || fail "the desktop entry has no Categories"
ok "desktop entry: Name=$(entry Name) Exec=$(entry Exec) Icon=$(entry Icon) Categories=$(entry Categories)"

# Every PNG in icons/ is installed byte for byte under hicolor; and every
# installed icon's pixels are its folder's size times its scale (`128x128@2`
# holds 256 pixels), which is how the icon theme looks them up.
hicolor="$root/usr/share/icons/hicolor"
sizes=()
for icon in "$hicolor"/*/apps/"$bin_name".png; do
  folder=$(basename "$(dirname "$(dirname "$icon")")")
  size=${folder%%x*}
  scale=1
  [[ $folder == *@2 ]] && scale=2
  pixels=$(identify -format '%wx%h' "$icon")
  [ "$pixels" = "$((size * scale))x$((size * scale))" ] || fail "hicolor/$folder holds a $pixels icon"
  sizes+=("$folder")
done
for source in icons/*.png; do
  found=false
  for icon in "$hicolor"/*/apps/"$bin_name".png; do
    cmp -s "$source" "$icon" && found=true
  done
  $found || fail "$source is not installed under usr/share/icons/hicolor"
done
ok "icons: ${sizes[*]} (every PNG in icons/)"
files=$(find "$root" -type f | wc -l)

echo "== libraries (ldd, dpkg-shlibdeps, dpkg -S, apt-cache depends)"
depends=$(field Depends)
# What the binary needs, as Debian computes it from the libraries' symbols
# files: each must be declared exactly, version and all.
mkdir -p "$work/shlibs/debian"
printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$bin_name" "$bin_name" >"$work/shlibs/debian/control"
shlibs=$(cd "$work/shlibs" && dpkg-shlibdeps -O "$bin" 2>"$work/shlibs.err") ||
  { cat "$work/shlibs.err" >&2; fail "dpkg-shlibdeps could not read the binary"; }
needed=$(sed -n 's/^shlibs:Depends=//p' <<<"$shlibs")
[ -n "$needed" ] || fail "dpkg-shlibdeps found nothing the binary needs"
IFS=',' read -ra needed_list <<<"$needed"
for dep in "${needed_list[@]}"; do
  dep=$(echo "$dep" | xargs)
  grep -qF "$dep" <<<"$depends" || fail "the binary needs '$dep', Depends does not declare it"
done
ok "Depends declares all ${#needed_list[@]} that dpkg-shlibdeps computes: $needed"

ldd "$bin" >"$work/ldd"
if grep -q "not found" "$work/ldd"; then
  grep "not found" "$work/ldd" >&2
  fail "the binary links libraries this machine does not have"
fi
# Every library the loader maps, the binary's own and theirs, belongs to a
# package in the closure of the declared Depends: installed with the .deb
# on any Debian 12. Owners are looked up under /lib and /usr/lib alike
# (merged /usr: dpkg knows each file under one of them).
mapfile -t libs < <(awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' "$work/ldd")
candidates=()
for lib in "${libs[@]}"; do
  candidates+=("$lib" "/usr${lib#/usr}" "${lib#/usr}")
done
dpkg -S "${candidates[@]}" 2>/dev/null >"$work/owners" || true
declared=$(tr ',|' '\n' <<<"$depends" | sed 's/(.*)//' | xargs -n1)
# Top-level lines of apt-cache depends --recurse are every package reached.
# shellcheck disable=SC2086 # one argument per declared package
closure=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
  --no-breaks --no-replaces --no-enhances $declared | grep -v '^ ' | tr -d '<>' | sort -u)
owners=()
for lib in "${libs[@]}"; do
  base=$(basename "$lib")
  # `pkg:arch: path` or `pkg1, pkg2: path`; the path's last part must match.
  owner=$(awk -F': ' -v b="/$base" 'substr($2, length($2) - length(b) + 1) == b {print $1; exit}' \
    "$work/owners" | cut -d, -f1 | cut -d: -f1)
  [ -n "$owner" ] || fail "no installed package owns $lib"
  grep -qx "$owner" <<<"$closure" || fail "$lib comes from $owner, which the declared Depends do not bring"
  owners+=("$owner")
done
owner_count=$(printf '%s\n' "${owners[@]}" | sort -u | wc -l)
ok "${#libs[@]} libraries resolve, from $owner_count packages, all within the closure of Depends"

echo "== start the unpacked app to its first wizard frame (Xvfb)"
# Xvfb picks a free display and writes its number, as tests/src/desktop.rs
# start_xvfb does.
Xvfb -displayfd 3 -screen 0 1280x900x24 -nolisten tcp 3>"$work/display" 2>/dev/null &
pids=("$!")
for _ in $(seq 100); do [ -s "$work/display" ] && break; sleep 0.1; done
[ -s "$work/display" ] || fail "Xvfb reported no display"
DISPLAY=":$(cat "$work/display")"
export DISPLAY
# A throwaway home, so the run reads and leaves nothing of the user's.
home="$work/home"
mkdir -p "$home"
# D365_STARTUP_PROBE makes the app print `ready` once the UI has painted its
# first frame: the same signal the startup benchmark times.
now_us() { echo "${EPOCHREALTIME//[.,]/}"; }
started=$(now_us)
HOME="$home" XDG_CONFIG_HOME="$home/config" XDG_CACHE_HOME="$home/cache" XDG_DATA_HOME="$home/data" \
  D365_STARTUP_PROBE=1 "$bin" >"$work/app.out" 2>"$work/app.err" &
pids=("$!" "${pids[@]}")
ready_ms=""
for _ in $(seq 1200); do
  if grep -qx ready "$work/app.out"; then
    ready_ms=$((($(now_us) - started) / 1000))
    break
  fi
  kill -0 "${pids[0]}" 2>/dev/null || { cat "$work/app.err" >&2; fail "the app ended before its first frame"; }
  sleep 0.05
done
[ -n "$ready_ms" ] || { cat "$work/app.err" >&2; fail "no first frame within 60 s"; }
ok "first frame after $ready_ms ms"
window=$(timeout 10 xdotool search --sync --onlyvisible --name '^D365 Connect$' | head -n1) ||
  fail "no visible window named 'D365 Connect'"
# The desktop entry's StartupWMClass must name the window's class, or docks
# show the running app apart from its launcher.
wm_class=$(xprop -id "$window" WM_CLASS 2>/dev/null || true)
grep -qF "\"$(entry StartupWMClass)\"" <<<"$wm_class" ||
  fail "StartupWMClass=$(entry StartupWMClass) is not in the window's $wm_class"
ok "window $window mapped, $wm_class"
mkdir -p "$(dirname "$shot")"
import -window root "$shot"
# A painted page has many colours; a blank or black window has one or two.
colours=$(identify -format '%k' "$shot")
[ "$colours" -gt 50 ] || fail "the screenshot has $colours colours: nothing painted"
ok "screenshot $shot ($colours colours)"

echo "== summary"
printf '  package      %s, %s KiB (.deb), %s KiB installed, %s files\n' \
  "$(basename "$deb")" "$(($(stat -c %s "$deb") / 1024))" "$(field Installed-Size)" "$files"
printf '  depends      %s\n' "$depends"
printf '  recommends   %s\n' "$(field Recommends)"
printf '  libraries    %s resolved, from %s packages within the Depends closure\n' "${#libs[@]}" "$owner_count"
printf '  first frame  %s ms (Xvfb, no GPU; screenshot %s)\n' "$ready_ms" "$shot"
