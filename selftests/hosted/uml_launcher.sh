#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# uldf-uml, the hosted guest's launcher, used as a user would: its --help,
# a bad command line, a function that does not exist, a function bound to
# no driver (the launcher binds it to uldf and gives it back), the guest
# command's exit status and signal passed through, a shell fed through a
# terminal, and the caller's terminal as it was before, still writable
# (UML given the terminal itself hangs it up when it exits).
. "$(dirname "$0")/uml_lib.sh"

LAUNCHER=$top/tools/uldf-uml/uldf-uml

uml_require
[ -x "$LAUNCHER" ] || skip "uldf-uml not built; run 'make'"
command -v python3 >/dev/null || skip "no python3 to give the launcher a terminal"

# launch ARGS...: the launcher's output in $OUT, its exit status in $rc.
launch() {
	rc=0
	timeout -s KILL "$UML_TIMEOUT" "$LAUNCHER" "$@" >"$OUT" 2>&1 </dev/null || rc=$?
}

launch --help
[ $rc = 0 ] && grep -q '^usage: uldf-uml' "$OUT" || fail "--help: status $rc"
grep -q -- '--device BDF' "$OUT" || fail "--help does not name --device"
note "--help prints the usage, status 0"

launch -d 00:99.0 -- true
[ $rc = 2 ] || fail "a bad BDF: status $rc, not 2"
grep -q "00:99.0.*not a PCI address" "$OUT" || fail "a bad BDF: no message naming it: $(cat "$OUT")"
note "a bad BDF: '$(cat "$OUT")', status 2"

launch -d 0000:00:1e.7 -- true
[ $rc = 125 ] || fail "a missing function: status $rc, not 125"
grep -q "0000:00:1e.7: no such PCI function" "$OUT" || fail "a missing function: $(cat "$OUT")"
note "a function that does not exist: '$(cat "$OUT")', status 125"

launch --mem lots -- true
[ $rc = 2 ] && grep -q -- "--mem 'lots'" "$OUT" || fail "a bad --mem: status $rc: $(cat "$OUT")"

# The function starts bound to no driver: the launcher binds it to uldf
# for the guest and gives it back.
uml_bind
echo "$BDF" >/sys/bus/pci/drivers/uldf/unbind
echo >"/sys/bus/pci/devices/$BDF/driver_override"
[ -e "/sys/bus/pci/devices/$BDF/driver" ] && fail "$BDF is still bound"
launch -d "$BDF" -- sh -c 'lspci -n -s 01:00.0; ls /dev/nvme0n1; exit 7'
cat "$OUT" | sed 's/^/#   /'
[ $rc = 7 ] || fail "the guest command's exit status 7 came back as $rc"
got=$(lspci -n -s "$BDF" | cut -d' ' -f2-)
grep -q "^01:00.0 $got" "$OUT" || fail "the guest did not see $BDF ($got)"
grep -q '^/dev/nvme0n1$' "$OUT" || fail "the guest's nvme driver brought up no namespace"
grep -q 'Power down' "$OUT" && fail "the guest's power-off message reached the output"
[ -e "/sys/bus/pci/devices/$BDF/driver" ] &&
	fail "$BDF is left bound to $(basename "$(readlink "/sys/bus/pci/devices/$BDF/driver")")"
note "an unbound function: bound for the guest, its nvme driver bound, status 7 passed through, unbound again"

launch -d "$BDF,nomsi,nomsix" -- sh -c 'i=0; while [ ! -b /dev/nvme0n1 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done; head -c 1048576 /dev/nvme0n1 | wc -c; grep nvme /proc/interrupts'
sed 's/^/#   /' "$OUT"
[ $rc = 0 ] || fail "--device $BDF,nomsi,nomsix: status $rc"
grep -q '^1048576$' "$OUT" || fail "the guest read no MiB of the namespace with MSI and MSI-X hidden"
grep -q 'uldf-pv-INTx.*nvme' "$OUT" || fail "with MSI and MSI-X hidden the guest's nvme driver is not on INTx"
grep -q 'PCI-MSI.*nvme' "$OUT" && fail "MSI or MSI-X used while hidden"
note "--device $BDF,nomsi,nomsix: the guest's nvme driver ran on INTx"

launch -d "$BDF,nomsi,msi" -- true
[ $rc = 2 ] && grep -q "unknown option 'msi'" "$OUT" || fail "a bad device option: status $rc: $(cat "$OUT")"

launch -- sh -c 'kill -TERM $$'
[ $rc = $((128 + 15)) ] || fail "a command killed by SIGTERM: status $rc, not 143"
launch -- /nonexistent/command
[ $rc = 127 ] || fail "a missing command: status $rc, not 127"
note "a command killed by SIGTERM gives 143, a missing one 127"

# Through a terminal: a shell in the guest reads its commands from it, and
# the terminal is as it was afterwards.  A pseudo-terminal (Python's pty)
# runs the inner script, which records the terminal's settings and writes
# to it after the guest is gone; the line is typed once the guest says it
# is ready (a console's input before the guest opens it is lost).
uml_bind
inner=$(mktemp /tmp/uml-tty.XXXXXX)
cat >"$inner" <<INNER
stty -g >$inner.before
"$LAUNCHER" -d "$BDF" -- sh -c 'echo guest-ready; read -r line; eval "\$line"'
echo "status \$?" >$inner.status
stty -g >$inner.after
echo still-writable || echo "write failed" >$inner.status
INNER
rc=0
timeout -s KILL "$UML_TIMEOUT" python3 - "$inner" >"$OUT" 2>&1 <<'TTY' || rc=$?
import os, pty, select, sys

pid, fd = pty.fork()
if pid == 0:
    os.execvp("bash", ["bash", sys.argv[1]])
out, typed = b"", False
while True:
    if not select.select([fd], [], [], 1)[0]:
        continue
    try:
        data = os.read(fd, 4096)
    except OSError:    # EIO: the inner script and all it ran are gone
        break
    if not data:
        break
    out += data
    if not typed and b"guest-ready" in out:
        os.write(fd, b"echo in-guest-$((6 * 7)); exit 5\n")
        typed = True
os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
TTY
sed -i 's/\r$//' "$OUT"
sed 's/^/#   /' "$OUT"
grep -q 'still-writable' "$OUT" || fail "the terminal could not be written after the guest exited"
[ "$(cat "$inner.status")" = "status 5" ] ||
	fail "through a terminal: '$(cat "$inner.status")', not 'status 5'"
grep -q 'in-guest-42$' "$OUT" || fail "the guest's shell did not run the line typed into the terminal"
cmp -s "$inner.before" "$inner.after" || fail "the terminal's settings changed: $(cat "$inner.before") -> $(cat "$inner.after")"
note "through a terminal: a typed line ran in the guest (status 5), settings unchanged, writable after"
rm -f "$inner" "$inner".*
exit 0
