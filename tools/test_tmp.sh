#!/usr/bin/env bash
# Prints where `make test` puts the tests' files: a folder on /dev/shm (RAM) when that is a
# file system this user may write and execute in (tests/test_gui_report.py runs a stand-in
# `lp` from its tmp_path; Docker mounts /dev/shm noexec) with >= 3 GB free (a run writes
# ~0.5 GB) — else nothing, and pytest's default (the system's temp folder) is used.
# A folder of its own for each run: two runs at once (two clones, CI beside a developer)
# must not share one, or the first to pass removes the other's files mid-run.
set -u
d="${WEICHA_TEST_TMP_BASE:-/dev/shm}"  # (the base: for tests/test_tools_test_tmp.py)
[[ -d $d && -w $d ]] || exit 0
free_kb="$(df -Pk "$d" 2>/dev/null | awk 'NR == 2 {print $4}')"
[[ "$free_kb" =~ ^[0-9]+$ ]] && (( free_kb >= ${WEICHA_TEST_TMP_MIN_KB:-3000000} )) || exit 0
dir="$(mktemp -d "$d/weicha-tests-$(id -u).XXXXXX" 2>/dev/null)" || exit 0
probe="$dir/.exec-probe"
printf '#!/bin/sh\nexit 0\n' > "$probe" && chmod +x "$probe" && "$probe" 2>/dev/null || { rm -rf "$dir"; exit 0; }
rm -f "$probe"
echo "$dir"
