#!/usr/bin/env bash
# Qt needs a few system libraries even offscreen; alarm sound needs PortAudio.
# Install them when missing and we may (root with apt-get); otherwise say
# exactly what is missing. Without PortAudio the app runs and says that sound
# is unavailable, so it is only a warning.
set -euo pipefail
declare -A pkg=( [libEGL.so.1]=libegl1 [libGL.so.1]=libgl1 [libfontconfig.so.1]=libfontconfig1
                 [libxkbcommon.so.0]=libxkbcommon0 [libdbus-1.so.3]=libdbus-1-3
                 [libportaudio.so.2]=libportaudio2 )
optional=" libportaudio2 "
missing=()
for lib in "${!pkg[@]}"; do
  ldconfig -p 2>/dev/null | grep -q "$lib" || missing+=("${pkg[$lib]}")
done
# The HL7 device tests drive the listener with an independent npm client
# (node-hl7-client 3.x needs Node >= 20.15; Debian 12's own nodejs is 18).
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
# Clinic mode's tests start a real PostgreSQL server (initdb and pg_ctl as a non-root user).
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null \
  || missing+=(postgresql)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing system libraries: ${missing[*]}"
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
