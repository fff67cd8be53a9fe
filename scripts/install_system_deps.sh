#!/usr/bin/env bash
# What the tests need beyond Python packages: Debian packages (scripts/debian-packages.txt) and npm packages
# (scripts/npm-packages.txt, installed into .npm/ inside the course). Installs only what is missing, and only
# where it can (root with apt-get; npm on PATH); otherwise it says what is missing and the tests that need it
# skip with a message that names it.
set -u
cd "$(dirname "$0")/.."
want() { grep -v '^\s*#' "$1" | awk 'NF {print $1}'; }

missing=()
for pkg in $(want scripts/debian-packages.txt); do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
      || echo "WARNING: apt-get could not install ${missing[*]}; the tests that need them will skip"
  else
    echo "NOTE: not root or no apt-get: missing Debian packages ${missing[*]}; the tests that need them will skip"
  fi
fi

npm_pkgs=$(want scripts/npm-packages.txt)
if [ -n "$npm_pkgs" ]; then
  if command -v npm >/dev/null; then
    for spec in $npm_pkgs; do
      name=${spec%@*}
      [ -e ".npm/node_modules/$name/package.json" ] && continue
      echo "Installing npm package $spec into .npm/"
      npm install --silent --no-audit --no-fund --prefix .npm "$spec" >/dev/null \
        || echo "WARNING: npm could not install $spec; the tests that need it will skip"
    done
  else
    echo "NOTE: npm is missing: $npm_pkgs not installed; the tests that need them will skip"
  fi
fi
exit 0
