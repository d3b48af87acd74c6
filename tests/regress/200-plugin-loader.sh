#!/bin/sh
# The plugin loader: unsafe files and ABI mismatches are refused, a failing
# init is skipped, spendd keeps serving, plugin list shows every state.
. "$(dirname "$0")/lib.sh"

CC=${CC:-cc}
P=$T/plugins
mkdir -p "$P"
cat >"$T/p.c" <<'EOF'
#include <spend/plugin.h>
#ifdef ABI
SPEND_PLUGIN_EXPORT const unsigned spend_plugin_abi = ABI;
#else
SPEND_PLUGIN_DECLARE;
#endif
static int
run(struct spend_plugin *s, struct spend_import *j)
{
	(void)s;
	(void)j;
	return 0;
}
static const struct spend_importer imp = { SPEND_IMPORTER_V1, NAME, "test",
	NAME, run };
#ifndef NOINIT
SPEND_PLUGIN_EXPORT int
spend_plugin_init(const struct spend_host_api *h, struct spend_plugin *self)
{
#ifdef FAIL
	h->log(self, SPEND_LOG_WARN, "refusing to start: %s", "no config");
	return -1;
#endif
	self->version = "0.0.1";
	return h->register_importer(self, &imp);
}
#endif
EOF
build() { # name extra-flags...
	n=$1; shift
	$CC -shared -fPIC -fvisibility=hidden -I"$TOP/include" \
	    -DNAME="\"$n\"" "$@" -o "$P/$n.so" "$T/p.c"
}
if build good && build abi -DABI=99 && build fail -DFAIL &&
    build nosym -DNOINIT && build ww && build owned; then
	ok "test plugins build"
else
	not_ok "test plugins build"
fi
chmod 666 "$P/ww.so"
ln -s good.so "$P/link.so"
mkdir "$P/dir.so"
echo "not an ELF file" >"$P/junk.so"
echo "ignored" >"$P/readme.txt"
if [ "$(id -u)" = 0 ]; then
	chown 4242:4242 "$P/owned.so"
else
	rm -f "$P/owned.so"	# cannot give a file away without root
fi

start_spendd -o "plugins.dir=$P" || exit 1

state() { # name -> "state|reason|version"
	rpc plugin.list '{}' | jget -j'|' "result.plugins[name=$1].0.state" \
	    "result.plugins[name=$1].0.reason?" "result.plugins[name=$1].0.version"
}
like "good plugin loads" "$(state good)" "loaded||0.0.1"
like "ABI mismatch refused before init" "$(state abi)" "refused|built for plugin ABI 99"
like "failing init is skipped" "$(state fail)" "failed|spend_plugin_init returned -1"
like "no entry symbol refused" "$(state nosym)" "refused|no spend_plugin_init symbol"
like "world-writable file refused" "$(state ww)" "refused|world-writable (mode 0666)"
like "symlink refused" "$(state link)" "refused|a symbolic link"
like "directory refused" "$(state dir)" "refused|not a regular file"
like "non-ELF file refused" "$(state junk)" "refused|dlopen"
if [ "$(id -u)" = 0 ]; then
	like "file of another owner refused" "$(state owned)" \
	    "refused|owned by uid 4242, not by root or spendd's uid 0"
fi
is "only .so files are looked at" \
    "$(rpc plugin.list '{}' | jget 'result.plugins[name=readme].#')" 0

log=$(cat "$T/spendd.log")
like "refusal logged with the file" "$log" "plugin $P/ww.so: refused: world-writable"
like "ABI refusal logged" "$log" "rebuild it against this spendd's <spend/plugin.h>"
like "plugin log lines carry its name" "$log" "plugin fail: refusing to start: no config"
like "init failure logged" "$log" "plugin fail: init failed"

check "spendd keeps serving" ctl user add bob
check "plugin list command" ctl plugin list
like "plugin list shows states" "$(cat "$T/out")" "good "
like "plugin list shows reasons" "$(cat "$T/out")" "(world-writable (mode 0666))"
: >"$T/empty.good"
check "the loaded importer works" ctl --user bob import "$T/empty.good"
like "import of an empty file" "$(cat "$T/out")" "0 rows, 0 added"
check_fails "a failed plugin provides nothing" \
    ctl --user bob import "$T/empty.good" --format fail
like "and the error lists what there is" "$(cat "$T/err")" \
    'no importer "fail" (have: good)'
stop_spendd

# [plugins] load: only the listed names, in order; a missing one is listed
start_spendd -o "plugins.dir=$P" -o "plugins.load=good missing" || exit 1
r=$(rpc plugin.list '{}')
is "load list loads only its names" "$(echo "$r" | jget -j, 'result.plugins.*.name')" \
    "good,missing"
is "... the missing one refused" "$(echo "$r" | jget -j, 'result.plugins.*.state')" \
    "loaded,refused"
stop_spendd

# a world-writable plugin directory loads nothing
chmod 777 "$P"
start_spendd -o "plugins.dir=$P" || exit 1
is "world-writable directory loads nothing" \
    "$(rpc plugin.list '{}' | jget result.plugins.#)" 0
like "and says why" "$(cat "$T/spendd.log")" "is world-writable (mode 0777): none loaded"
check "and spendd still serves" ctl user list
chmod 755 "$P"

done_testing
