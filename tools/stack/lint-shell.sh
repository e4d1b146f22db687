#!/usr/bin/env bash
# Runs ShellCheck over every shell script of the workspace (CI installs shellcheck from Debian).
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v shellcheck >/dev/null || { echo "lint: shellcheck is not installed; apt-get install shellcheck" >&2; exit 1; }
mapfile -t files < <(git ls-files '*.sh' '.ci/run'; git ls-files --others --exclude-standard '*.sh')
shellcheck -x -P tools/stack "${files[@]}"
