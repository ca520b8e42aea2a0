#!/usr/bin/env bash
# Runs the whole test suite (unit tests, and the integration tests on SQLite
# and PostgreSQL, browser journeys included). Installs and starts what the
# suite needs when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
[ -x /usr/lib/chromium/chromium ] || need_apt+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
dpkg -s libssl-dev >/dev/null 2>&1 || need_apt+=(libssl-dev)
# The HTML check (tests/it/html.rs) runs the Nu HTML checker on a JRE.
command -v java >/dev/null 2>&1 || need_apt+=(default-jre-headless)
# Node.js may come with npm's files but no `npm` on the PATH; Debian's own
# npm package then cannot be installed beside that Node.js.
npm_cli=/usr/lib/node_modules/npm/bin/npm-cli.js
if ! command -v npm >/dev/null 2>&1; then
  if command -v node >/dev/null 2>&1 && [ -f "$npm_cli" ]; then
    npm() { node "$npm_cli" "$@"; }
  else
    need_apt+=(npm)
  fi
fi
# The IMAP poller is tested against Dovecot (tests/it/imap.rs), which the
# tests run with a throwaway configuration of their own.
[ -x /usr/sbin/dovecot ] || need_apt+=(dovecot-imapd)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# The Nu HTML checker's jar, from npm, outside the git tree (target/ is
# ignored), unless AGORA_VNU_JAR names one. Its install script would fetch
# a Java of its own: skipped.
if [ -z "${AGORA_VNU_JAR:-}" ]; then
  AGORA_VNU_JAR="$PWD/target/vnu/node_modules/vnu-jar/build/dist/vnu.jar"
  if [ ! -f "$AGORA_VNU_JAR" ]; then
    echo "installing: vnu-jar (npm)"
    mkdir -p target/vnu
    npm install --prefix target/vnu --ignore-scripts --no-audit --no-fund --silent vnu-jar@26.9.27
  fi
fi
export AGORA_VNU_JAR

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi

export AGORA_TEST_DATABASE_ADMIN_URL="${AGORA_TEST_DATABASE_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
cargo test --locked "$@"
