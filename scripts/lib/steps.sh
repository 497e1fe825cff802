# step "what" command...: runs a setup step under a blue heading and says how long it took.
step() {
  local what=$1 started=$SECONDS
  shift
  printf '\033[1;34m==> %s\033[0m\n' "$what" >&2
  "$@"
  printf '\033[1;34m    %s: %d s\033[0m\n' "$what" $((SECONDS - started)) >&2
}
