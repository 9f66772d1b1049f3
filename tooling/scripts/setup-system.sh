#!/usr/bin/env bash
# Installs the real peers the tests run against (Debian packages): the
# distribution registry, skopeo, umoci, htpasswd (and ab), containerd (with
# ctr), tmux (a real terminal for the CLI's progress display), GNU time
# (peak RSS in the server bench), openssl (certificates made by an
# independent tool), and zsh and fish (shell completion tried in them).
# Does nothing when they are all present; says what to install when it
# cannot install them itself.
set -euo pipefail

declare -A wanted=(
  [docker-registry]=docker-registry
  [skopeo]=skopeo
  [umoci]=umoci
  [htpasswd]=apache2-utils
  [containerd]=containerd
  [ctr]=containerd
  [tmux]=tmux
  [/usr/bin/time]=time
  [openssl]=openssl
  [zsh]=zsh
  [fish]=fish
)
missing=()
for command in "${!wanted[@]}"; do
  package="${wanted[$command]}"
  command -v "$command" >/dev/null 2>&1 && continue
  [[ " ${missing[*]} " == *" $package "* ]] || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "The tests need these Debian packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "Installing ${missing[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
