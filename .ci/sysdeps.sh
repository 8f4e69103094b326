#!/usr/bin/env bash
# System packages the app and its tests need: Qt's libraries (offscreen and on
# X11 through xcb); PortAudio for alarm sound; for the screen tests and
# screenshots a virtual X server with a small window manager and a taskbar
# (Xvfb, icewm), xdotool, xprop, ImageMagick's import and pdftoppm (poppler-utils,
# whose pdffonts the PDF tests use); the PDF report's fonts; Node and
# npm for the independent HL7 client in the device tests. Install what is
# missing when we may (root with apt-get); otherwise say exactly what is
# missing. Without PortAudio the app runs and says that sound is unavailable,
# so that one is only a warning.
set -euo pipefail
declare -A lib=( [libEGL.so.1]=libegl1 [libGL.so.1]=libgl1 [libfontconfig.so.1]=libfontconfig1
                 [libxkbcommon.so.0]=libxkbcommon0 [libdbus-1.so.3]=libdbus-1-3
                 [libportaudio.so.2]=libportaudio2
                 [libxcb-cursor.so.0]=libxcb-cursor0 [libxcb-icccm.so.4]=libxcb-icccm4
                 [libxcb-image.so.0]=libxcb-image0 [libxcb-keysyms.so.1]=libxcb-keysyms1
                 [libxcb-randr.so.0]=libxcb-randr0 [libxcb-render-util.so.0]=libxcb-render-util0
                 [libxcb-shape.so.0]=libxcb-shape0 [libxcb-xkb.so.1]=libxcb-xkb1
                 [libxcb-xfixes.so.0]=libxcb-xfixes0 [libxcb-sync.so.1]=libxcb-sync1
                 [libxcb-shm.so.0]=libxcb-shm0 [libxcb-util.so.1]=libxcb-util1
                 [libxcb-render.so.0]=libxcb-render0 [libX11-xcb.so.1]=libx11-xcb1
                 [libxkbcommon-x11.so.0]=libxkbcommon-x11-0 )
declare -A cmd=( [Xvfb]=xvfb [icewm]=icewm [xdotool]=xdotool [xprop]=x11-utils
                 [import]=imagemagick [pdftoppm]=poppler-utils [fc-list]=fontconfig
                 [node]=nodejs [npm]=npm )
optional=" libportaudio2 "
missing=()
# Read the library cache once: `ldconfig -p | grep -q` under pipefail fails when
# grep stops early and ldconfig gets SIGPIPE.
cache="$(ldconfig -p 2>/dev/null || true)"
for l in "${!lib[@]}"; do
  grep -qF "$l" <<<"$cache" || missing+=("${lib[$l]}")
done
# node-hl7-client 3.x needs Node >= 20.15 (the machine image has Node 20; Debian 12's
# own nodejs is 18, which the device test reports).
for c in "${!cmd[@]}"; do
  command -v "$c" >/dev/null || missing+=("${cmd[$c]}")
done
# A window needs at least one font to draw text with.
if command -v fc-list >/dev/null && [ -z "$(fc-list 2>/dev/null | head -1)" ]; then
  missing+=(fonts-dejavu-core)
fi
# The PDF report embeds TrueType fonts: DejaVu Sans for text, Droid Sans Fallback for
# CJK and Symbola for symbols and emoji (Noto CJK is CFF, which reportlab cannot embed).
declare -A font=( [/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf]=fonts-dejavu-core
                  [/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf]=fonts-droid-fallback
                  [/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf]=fonts-symbola )
for f in "${!font[@]}"; do
  [ -e "$f" ] || [[ " ${missing[*]} " == *" ${font[$f]} "* ]] || missing+=("${font[$f]}")
done
# Clinic mode's tests start a real PostgreSQL server (initdb and pg_ctl as a non-root user).
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null \
  || missing+=(postgresql)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing system packages: ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  exit 0
fi
required=()
for p in "${missing[@]}"; do
  if [[ "$optional" == *" $p "* ]]; then
    echo "Alarm sound needs the system package $p (install it with your package manager)" >&2
  else
    required+=("$p")
  fi
done
if [ ${#required[@]} -gt 0 ]; then
  echo "These system packages are needed (Qt, the HL7 and clinic tests): ${required[*]} (install them with your package manager)" >&2
  exit 1
fi
