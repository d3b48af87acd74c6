#!/bin/sh
# contrib/spendctl.bash-completion: commands, subcommands, options and
# values (categories, users, currencies) from a running spendd.
. "$(dirname "$0")/lib.sh"

command -v bash >/dev/null || { ok "# SKIP no bash"; done_testing; }
start_spendd || { not_ok "spendd starts"; done_testing; }
ctl user add alice >/dev/null
ctl user add bob >/dev/null
ctl --user alice category add "pet-food" >/dev/null

# comp WORDS...: what TAB offers for the last word, sorted, on one line
comp() {
	SPENDCTL=$SPENDCTL SOCK=$SOCK bash -c '
		. "$0"
		COMP_WORDS=("$SPENDCTL" --socket "$SOCK" "$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMPREPLY=()
		_spendctl
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
		"$TOP/contrib/spendctl.bash-completion" "$@"
}

like "commands" "$(comp "")" "category device expense"
like "commands include status and help" "$(comp "")" "help"
is "a prefix" "$(comp exp)" "expense export "
is "subcommands" "$(comp expense "")" "add edit list rm show "
is "category subcommands" "$(comp category "")" \
	"add archive delete list rename show unarchive "
is "options of expense add" "$(comp expense add 1 food --c)" "--currency "
like "options of expense list" "$(comp expense list --)" "--month"
like "... and the global ones" "$(comp expense list --)" "--json"
is "category names for expense add" "$(comp --user alice expense add 1 p)" "pet-food "
is "category names for --category" "$(comp --user alice expense list --category t)" \
	"transport travel "
is "--category=VALUE" "$(comp --user alice expense list --category = f)" "food "
is "category names for category rename" "$(comp --user alice category rename pe)" "pet-food "
is "--move-to names categories" "$(comp --user alice category delete food --move-to o)" "other "
is "currencies" "$(comp --user alice expense add 1 food --currency JP)" "JPY "
is "sort keys" "$(comp --user alice expense list --sort "")" "amount created date payee "
is "option values are skipped when finding the command" \
	"$(comp --user alice expense list --month 2026-01 --sort a)" "amount "
is "user names" "$(comp user show "")" "alice bob "
is "--user names" "$(comp --user "")" "alice bob "
like "help completes commands" "$(comp help "")" "expense"
like "backup is a command" "$(comp "")" "backup"
is "options of backup" "$(comp backup --f)" "--force "
mkdir -p "$T/bk" && touch "$T/bk/spend-1.db"
is "backup completes a FILE" "$(comp backup "$T/bk/sp")" "$T/bk/spend-1.db "
like "report is a command" "$(comp "")" "report"
is "report names and commands" "$(comp --user alice report "")" "breakdown budget forecast month payees summary trend week year "
is "options of a report command" "$(comp report trend --c)" "--cumulative "
is "options of report" "$(comp report summary --p)" "--param "
done_testing
