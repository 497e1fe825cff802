# step "what" command...: runs a setup step under a blue heading, then says how long it took, in
# wall-clock and CPU seconds (the CPU time does not depend on what else the machine is doing).
step() {
  local what=$1
  shift
  printf '\033[1;34m==> %s\033[0m\n' "$what" >&2
  local TIMEFORMAT="    $what: %0R s (CPU: %0U s user, %0S s system)"
  time "$@"
}

# apt_install [apt-get install options…] package…: Debian packages, quietly, with sudo when not root.
apt_install() {
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}
