#!/usr/bin/env bash
# Prints where `make test` puts the tests' files: a folder on /dev/shm (RAM) when that is a
# file system this user may write and execute in (tests/test_gui_report.py runs a stand-in
# `lp` from its tmp_path; Docker mounts /dev/shm noexec) with >= 3 GB free (a run writes
# ~0.5 GB) — else nothing, and pytest's default (the system's temp folder) is used.
set -u
d=/dev/shm
[[ -d $d && -w $d ]] || exit 0
free_kb="$(df -Pk "$d" 2>/dev/null | awk 'NR == 2 {print $4}')"
[[ "$free_kb" =~ ^[0-9]+$ ]] && (( free_kb >= 3000000 )) || exit 0
dir="$d/weicha-tests-$(id -u)"
mkdir -p "$dir" 2>/dev/null || exit 0
probe="$dir/.exec-probe"
printf '#!/bin/sh\nexit 0\n' > "$probe" && chmod +x "$probe" && "$probe" 2>/dev/null || { rm -f "$probe"; exit 0; }
rm -f "$probe"
echo "$dir"
