# Sourced by the outside checks (scripts/a11y.sh, scripts/check-pdf-a11y.sh) to install what a
# clean machine lacks: Debian packages through apt, as root or through sudo, the package list
# fetched once per script run. Defines functions only; runs nothing itself.

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then
    as_root apt-get update -qq
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
