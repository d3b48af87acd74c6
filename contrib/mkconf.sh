#!/bin/sh
# The installed spendd.conf, made from the sample (contrib/spendd.conf.sample,
# where every key shows its default): every key commented out, so the
# defaults compiled into spendd apply and can change with it, paths under
# PREFIX. With --socket, that one key is set (the systemd unit's
# RuntimeDirectory). Tested by tests/regress/008-install.sh.
# Usage: contrib/mkconf.sh [--prefix DIR] [--socket PATH] [SAMPLE] >spendd.conf
set -eu

prefix=/usr/local
socket=""
while [ $# -gt 0 ]; do
	case $1 in
	--prefix) prefix=$2; shift 2 ;;
	--prefix=*) prefix=${1#*=}; shift ;;
	--socket) socket=$2; shift 2 ;;
	--socket=*) socket=${1#*=}; shift ;;
	-*) echo "mkconf.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
sample=${1:-$(dirname "$0")/spendd.conf.sample}
[ -r "$sample" ] || { echo "mkconf.sh: cannot read $sample" >&2; exit 1; }

awk -v prefix="$prefix" -v socket="$socket" '
NR == 1 {
	print "# spendd.conf: see spendd.conf(5); spendd -n -c FILE checks it."
	print "# Every key spendd knows is below, commented out, with its default:"
	print "# take the \"# \" away in front of a key to change it."
	if (socket != "") {
		print "# One key is set: the control socket, in the directory the"
		print "# systemd unit makes (RuntimeDirectory=spend: 0750, group spend)."
	}
	next
}
{ gsub(/\/usr\/local/, prefix) }
# a key line: commented out
/^[a-z_0-9]+[ \t]*=/ { print "# " $0; next }
# the socket, set when asked
socket != "" && /^#[ \t]*socket[ \t]*=/ { print "socket = " socket; next }
{ print }
' "$sample"
