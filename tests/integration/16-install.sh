#!/usr/bin/env bash
# 16-install: scripts/install (make install) lays out carpd, the BSD tools in their own
# directory with bsd-* links, the man pages, completions and systemd units under DESTDIR,
# and never installs anything named ifconfig, sysctl or netstat where the distribution's
# are. carpd -I starts with the carp group demoted by 128, lifted with -carpdemote 128.
source "$(dirname "$0")/lib.sh"
require_root
require_tool ip
require_carpd

root="$T/root"
(cd "$BC_REPO" && PREFIX=/usr DESTDIR="$root" BUILDDIR="$BSDBIN" ./scripts/install) >"$T/install.log" 2>&1 ||
    fail "install failed: $(cat "$T/install.log")"
for f in usr/sbin/carpd usr/lib/bsd-carp/bin/ifconfig usr/lib/bsd-carp/bin/sysctl usr/lib/bsd-carp/bin/netstat \
    usr/share/man/man8/carpd.8 usr/share/man/man4/carp.4 usr/share/man/man8/bsd-ifconfig.8 usr/share/man/man8/bsd-sysctl.8 \
    usr/share/man/man8/bsd-netstat.8 usr/lib/bsd-carp/man/man8/ifconfig.8 usr/lib/systemd/system/carpd.service \
    usr/lib/systemd/system/carp-interlock.service usr/share/doc/bsd-carp/examples/conntrackd-hook \
    usr/share/doc/bsd-carp/metrics.md usr/share/doc/bsd-carp/examples/carp-alerts.yml \
    usr/lib/bsd-carp/bin/netstart usr/share/man/man8/netstart.8 usr/share/bash-completion/completions/bsd-netstart; do
    [[ -e "$root/$f" ]] || fail "not installed: /$f"
done
for tool in ifconfig sysctl netstat; do
    assert_eq "../lib/bsd-carp/bin/$tool" "$(readlink "$root/usr/sbin/bsd-$tool")" "link bsd-$tool"
    [[ -x "$root/usr/sbin/bsd-$tool" ]] || fail "bsd-$tool does not resolve"
    [[ -e "$root/usr/sbin/$tool" || -e "$root/usr/bin/$tool" || -e "$root/sbin/$tool" ]] && fail "installed over the distribution's $tool"
    [[ -e "$root/usr/share/man/man8/$tool.8" ]] && fail "installed over the distribution's $tool.8"
done
# netstart has no namesake in the distribution: it is installed under its own name too.
assert_eq "../lib/bsd-carp/bin/netstart" "$(readlink "$root/usr/sbin/netstart")" "link netstart"
[[ -x "$root/usr/sbin/netstart" ]] || fail "netstart does not resolve"
[[ -d "$root/etc/carp/notify.d" ]] || fail "no /etc/carp/notify.d"
grep -qx "ExecStart=/usr/sbin/carpd -d -I" "$root/usr/lib/systemd/system/carpd.service" || fail "ExecStart in carpd.service"
grep -qx "ExecStopPost=/usr/sbin/carpd -C" "$root/usr/lib/systemd/system/carpd.service" || fail "ExecStopPost in carpd.service"
grep -qx "Restart=on-failure" "$root/usr/lib/systemd/system/carpd.service" || fail "Restart= in carpd.service"
grep -qx "CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW" "$root/usr/lib/systemd/system/carpd.service" || fail "capabilities"
grep -q "@" "$root/usr/lib/systemd/system/carpd.service" && fail "unsubstituted @...@ in carpd.service"
if command -v systemd-analyze >/dev/null 2>&1; then
    # Verify against the staged binaries.
    sed "s|/usr/sbin/|$root/usr/sbin/|g" "$root/usr/lib/systemd/system/carpd.service" | grep -v "^Documentation=" >"$T/carpd.service"
    out=$(systemd-analyze verify "$T/carpd.service" 2>&1) || fail "systemd-analyze verify: $out"
fi
ok "make install layout, links, man pages and units"

# OpenBSD's boot interlock.
topology a
mkdir -p "$T/empty-conf"
start_carpd a -I -f "$T/empty-conf"
assert_eq "carp: carp demote count 128" "$(bsd a ifconfig -g carp)" "demote count with carpd -I"
bsd_ok a ifconfig -g carp -carpdemote 128
assert_eq "carp: carp demote count 0" "$(bsd a ifconfig -g carp)" "demote count once lifted"
ok "carpd -I demotes the carp group by 128 until -carpdemote 128"
