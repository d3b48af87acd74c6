#!/bin/sh
# import and export through the plugin host with spendctl: all or nothing
# (a bad row 57 leaves the store unchanged and is named with its field),
# re-import adds nothing, dry runs write nothing, categories, relative
# paths, export files with filters, no clobbering.
. "$(dirname "$0")/lib.sh"

CC=${CC:-cc}
P=$T/plugins
mkdir -p "$P"
# the example importer ("simple": DATE AMOUNT CATEGORY [NOTE]) and a
# tiny exporter, built against the source tree's header
cat >"$T/tiny.c" <<'EOF'
#include <stdio.h>
#include <string.h>
#include <spend/plugin.h>
SPEND_PLUGIN_DECLARE;
static const struct spend_host_api *H;
static int
put(struct spend_export *job, const char *s)
{
	return H->export_write(job, s, strlen(s));
}
static int
total(void *arg, const struct spend_total *t)
{
	char line[128], amount[40];

	H->money_format(t->sum_minor, t->currency, amount, sizeof(amount));
	snprintf(line, sizeof(line), "total %s %s %s\n", t->key, amount,
	    t->currency);
	return put(arg, line);
}
static int
run(struct spend_plugin *self, struct spend_export *job)
{
	struct spend_record r;
	char line[512];
	int k;

	(void)self;
	while ((k = H->export_next(job, &r)) == 1) {
		snprintf(line, sizeof(line), "%s %s %s %s\n", r.date, r.amount,
		    r.currency, r.category);
		if (put(job, line) < 0)
			return -1;
	}
	return k < 0 ? -1 : H->export_totals(job, SPEND_GROUP_MONTH, total,
	    job);
}
static const struct spend_exporter tiny = { SPEND_EXPORTER_V1, "tiny",
	"date amount currency category", "text/plain", "txt", run };
SPEND_PLUGIN_EXPORT int
spend_plugin_init(const struct spend_host_api *h, struct spend_plugin *self)
{
	H = h;
	return h->register_exporter(self, &tiny);
}
EOF
if $CC -shared -fPIC -fvisibility=hidden -I"$TOP/include" -o "$P/tiny.so" \
    "$T/tiny.c" && $CC -shared -fPIC -fvisibility=hidden -I"$TOP/include" \
    -o "$P/example.so" "$TOP/contrib/example-plugin/example.c"; then
	ok "test plugins build"
else
	not_ok "test plugins build"
fi

start_spendd -o "plugins.dir=$P" || exit 1
check "user" ctl user add alice --currency EUR
count() {
	rpc expense.list '{"user":"alice","limit":1}' | jget result.count
}

# 60 rows, row 57 with a bad amount
i=1
while [ $i -le 60 ]; do
	if [ $i -eq 57 ]; then a="12,5x"; else a="$i.25"; fi
	printf '2024-05-%02d %s food row-%d\n' $(( (i - 1) % 28 + 1 )) "$a" $i
	i=$((i + 1))
done >"$T/may.simple"

check_fails "a file with a bad row 57 is refused" \
    ctl --user alice import "$T/may.simple"
like "the error names line 57" "$(cat "$T/err")" "line 57"
like "and the field" "$(cat "$T/err")" "amount"
like "and says nothing was imported" "$(cat "$T/err")" "nothing imported"
is "the store is unchanged" "$(count)" 0
is "the RPC error carries the field" \
    "$(rpc import.run "{\"user\":\"alice\",\"path\":\"$T/may.simple\"}" | jget error.data.field)" \
    amount

check_fails "dry run of the bad file shows it (and fails)" \
    ctl --user alice import "$T/may.simple" --dry-run
like "dry run lists the bad line" "$(cat "$T/out")" "error: line 57: amount"
like "dry run counts the rest" "$(cat "$T/out")" "60 rows, 59 new"
like "dry run previews rows" "$(cat "$T/out")" "row-1"
like "dry run says nothing was written" "$(cat "$T/out")" "nothing written"
is "dry run wrote nothing" "$(count)" 0

sed -i 's/12,5x/57.25/' "$T/may.simple"
check "dry run of the fixed file" ctl --user alice import "$T/may.simple" \
    --dry-run
is "still nothing written" "$(count)" 0
# relative path: spendctl sends it absolute, spendd opens it
check "import by a relative path" sh -c "cd '$T' && '$SPENDCTL' \
    --socket '$SOCK' --user alice import may.simple"
like "60 added" "$(cat "$T/out")" "60 rows, 60 added"
is "60 expenses" "$(count)" 60
check "import again" ctl --user alice import "$T/may.simple"
like "adds nothing" "$(cat "$T/out")" "0 added, 60 skipped (60 duplicate)"
is "still 60" "$(count)" 60
is "sum to the cent" "$(rpc expense.list '{"user":"alice","limit":1}' | jget result.sum.EUR)" \
    "1845.00"

# identical rows in one file both count; a duplicate in a new file not
printf '2024-06-01 4.20 food coffee\n2024-06-01 4.20 food coffee\n' \
    >"$T/two.simple"
check "two identical rows" ctl --user alice import "$T/two.simple"
like "both added" "$(cat "$T/out")" "2 added"
printf '2024-06-01 4.20 food coffee\n2024-06-01 4.20 food coffee\n2024-06-01 4.20 food coffee\n' \
    >"$T/three.simple"
check "the same and one more" ctl --user alice import "$T/three.simple"
like "adds exactly one" "$(cat "$T/out")" "1 added, 2 skipped"

# categories
printf '2024-06-02 1 Pets cat food\n2024-06-03 2 Garden seeds\n' >"$T/cats.simple"
check_fails "unknown categories are refused" \
    ctl --user alice import "$T/cats.simple"
like "with line and field" "$(cat "$T/err")" "line 1"
like "naming the category" "$(cat "$T/err")" '"Pets" does not exist'
check "or put in a default" ctl --user alice import "$T/cats.simple" \
    --category other --dry-run
like "default counted" "$(cat "$T/out")" "2 rows in the default category"
check "or created" ctl --user alice import "$T/cats.simple" \
    --create-categories
like "created listed" "$(cat "$T/out")" "categories created: Pets, Garden"
check "they exist" ctl --user alice category show Pets

# format: auto by extension, explicit, unknown
cp "$T/cats.simple" "$T/cats.txt"
check_fails "unknown extension" ctl --user alice import "$T/cats.txt"
like "says to pass a format" "$(cat "$T/err")" "pass format (have: simple)"
check "explicit format" ctl --user alice import "$T/cats.txt" --format simple
like "nothing new" "$(cat "$T/out")" "2 skipped"
check_fails "missing file" ctl --user alice import "$T/nope.simple"
like "names it" "$(cat "$T/err")" "nope.simple"

# export
cd "$T" || exit 1
check "export by a relative path" ctl --user alice export --format tiny \
    --month 2024-06 -o june.txt
like "rows counted" "$(cat "$T/out")" "exported 5 rows"
is "the file" "$(cat "$T/june.txt")" "2024-06-01 4.20 EUR food
2024-06-01 4.20 EUR food
2024-06-01 4.20 EUR food
2024-06-02 1.00 EUR Pets
2024-06-03 2.00 EUR Garden
total 2024-06 15.60 EUR"
check_fails "an existing file is not replaced" ctl --user alice export \
    --format tiny -o june.txt
like "says so" "$(cat "$T/err")" "exists"
check "unless --force" ctl --user alice export --format tiny -o june.txt \
    --force --category Pets
is "replaced, filtered" "$(cat "$T/june.txt")" "2024-06-02 1.00 EUR Pets
total 2024-06 1.00 EUR"
check_fails "unknown export format" ctl --user alice export --format nope \
    -o x.txt
like "lists what there is" "$(cat "$T/err")" "no exporter \"nope\" (have: tiny)"
check_fails "bad filter" ctl --user alice export --format tiny \
    --month 2024-13 -o x.txt
is "no file left behind" "$(ls "$T" | grep -c '^x.txt')" 0
check_fails "an export into a missing directory" ctl --user alice export \
    --format tiny -o "$T/no/such/dir.txt"
cd "$TOP" || exit 1

check "spendd is alive" alive
done_testing
