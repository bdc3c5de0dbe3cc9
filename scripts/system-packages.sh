#!/bin/sh
# Install the system packages the test suite needs, when they are missing:
#   chromium (+ a font)       the rendered reports are tested in headless Chromium
#   postgresql                tests/pgserver.py starts a throwaway PostgreSQL server
#   default-jre-headless      the Spark engine's tests run Spark in local mode on Java
#
# `make test` runs this first. As root it calls apt-get; otherwise sudo; when neither can
# install, it says what to install and how to skip those tests, and fails.
#
#   sh scripts/system-packages.sh              install what is missing
#   sh scripts/system-packages.sh --dry-run    say what it would run, change nothing
#   sh scripts/system-packages.sh --java-home  print the JAVA_HOME of the java on PATH
#
# PG_INITDB_GLOB overrides where PostgreSQL's initdb is looked for (tests use it).
set -eu

PG_INITDB_GLOB="${PG_INITDB_GLOB:-/usr/lib/postgresql/*/bin/initdb}"
DRY_RUN="${DRY_RUN:-0}"

java_home() {
    java=$(command -v java 2>/dev/null) || return 1
    dirname "$(dirname "$(readlink -f "$java")")"
}

case "${1:-}" in
    --java-home) java_home || exit 1; exit 0 ;;
    --dry-run) DRY_RUN=1 ;;
    "") ;;
    *) echo "usage: $0 [--dry-run | --java-home]" >&2; exit 2 ;;
esac

need=""
command -v chromium >/dev/null 2>&1 || need="$need chromium fonts-dejavu-core"
# shellcheck disable=SC2086 # the glob is meant to expand
if ! ls $PG_INITDB_GLOB >/dev/null 2>&1; then need="$need postgresql"; fi
command -v java >/dev/null 2>&1 || need="$need default-jre-headless"

if [ -z "$need" ]; then
    echo "system packages: Chromium, PostgreSQL and Java are installed"
    exit 0
fi

skip="or skip their tests: ATTRIBUTION_SKIP_BROWSER=1 ATTRIBUTION_SKIP_POSTGRES=1 make test"
if ! command -v apt-get >/dev/null 2>&1; then
    echo "system packages: the tests need:$need" >&2
    echo "  this machine has no apt-get: install them with its package manager," >&2
    echo "  $skip" >&2
    exit 1
fi

if [ "$(id -u)" = 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
else
    echo "system packages: the tests need:$need" >&2
    echo "  installing them needs root, and this user is not root and has no sudo." >&2
    echo "  Ask an administrator to run: apt-get install -y$need" >&2
    echo "  $skip" >&2
    exit 1
fi

run() {
    echo "+ $*"
    if [ "$DRY_RUN" != 1 ]; then "$@"; fi
}

echo "system packages: installing$need"
run $sudo apt-get update -qq
# shellcheck disable=SC2086 # one word per package
run $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need
