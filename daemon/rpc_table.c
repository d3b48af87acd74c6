/*
 * The method table: every method's name, handler, role, flags, REST
 * route, parameters and help, in one place (rpc.h says what each field
 * means). The dispatcher (rpc.c), the REST facade, the metrics and
 * docs/API.md are made from it in spendd.
 *
 * spendctl builds its options and help from the same table, compiled a
 * second time with RPC_TABLE_SPEC defined: the handlers are then NULL,
 * so the client links none of the daemon (nor libcurl, SQLite, libevent,
 * libsodium) and starts in about a millisecond, not twenty.
 */
#include <stdlib.h>
#include <string.h>

#include "rpc.h"

#ifdef RPC_TABLE_SPEC
#define H(f) NULL
#else
#include "handlers.h"
#define H(f) f
#endif

#define U ROLE_USER
#define A ROLE_ADMIN
#define P ROLE_PUBLIC
#define W RPC_WRITE
#define X RPC_ACTS

/* ---- parameters, declared once (spendctl, REST, docs and the checks
 * are made from them) ---- */

#define END { NULL, 0, 0, 0, 0, NULL, NULL, NULL }
#define REQ PF_REQUIRED
#define POS PF_POSITIONAL
#define SEC PF_SECRET

static const struct rpc_param p_none[] = { END };

#define EXPENSE_FIELDS \
	{ "currency", PT_STRING, 0, 0, 8, "CODE", "ISO 4217 code; the user's " \
	  "base currency if absent", NULL }, \
	{ "date", PT_DATE, 0, 0, 0, NULL, "the day; today in the user's " \
	  "time zone if absent", NULL }, \
	{ "note", PT_STRING, 0, 0, 0, "TEXT", "free text (tabs and newlines " \
	  "allowed)", NULL }, \
	{ "payee", PT_STRING, 0, 0, 0, "TEXT", "who was paid", NULL }, \
	{ "tags", PT_LIST, 0, 0, 0, "TAG", "tags (lower case, no spaces or " \
	  "commas)", "tag" }

/* A split (expense.add, expense.edit): spendctl's --split CAT:AMOUNT[:NOTE]
 * makes the objects (cmd_expense.c). */
#define EXPENSE_PARTS \
	{ "parts", PT_ANY, 0, 0, 0, "CAT:AMOUNT[:NOTE]", "a split into 2 to " \
	  "32 parts [{amount, category, note}] (spendctl: CAT:AMOUNT[:NOTE]), " \
	  "of the amount's sign, summing exactly to it, each counted in its " \
	  "own category; [] joins them", "split" }

/* The list filters: expense.list and export.run. */
#define FILTERS \
	{ "month", PT_MONTH, 0, 0, 0, NULL, "one calendar month", NULL }, \
	{ "from", PT_DATE, 0, 0, 0, NULL, "first day (inclusive)", NULL }, \
	{ "to", PT_DATE, 0, 0, 0, NULL, "last day (inclusive)", NULL }, \
	{ "category", PT_REF, 0, 0, 0, "NAME", "one category (a split: any " \
	  "part in it)", NULL }, \
	{ "search", PT_STRING, 0, 0, 0, "TEXT", "text in the note, payee or " \
	  "a tag (any case, any accents, any script)", NULL }, \
	{ "min", PT_AMOUNT, 0, 0, 0, NULL, "at least this amount (face " \
	  "value, in its own currency)", NULL }, \
	{ "max", PT_AMOUNT, 0, 0, 0, NULL, "at most this amount", NULL }, \
	{ "currency", PT_STRING, 0, 0, 8, "CODE", "one currency", NULL }, \
	{ "tag", PT_STRING, 0, 0, 0, "TAG", "one tag", NULL }, \
	{ "sort", PT_STRING, 0, 0, 0, "KEY", "date, amount, created or payee", \
	  NULL }, \
	{ "order", PT_STRING, 0, 0, 0, "asc|desc", "the sort's direction", NULL }

/* recurring.add and recurring.update: when it falls, and the expense
 * each occurrence creates. */
#define RECURRING_FIELDS \
	{ "every", PT_STRING, 0, 0, 16, "day|week|month|year", "how often " \
	  "(required to add)", NULL }, \
	{ "interval", PT_INT, 0, 1, 1000, NULL, "every N days, weeks, months " \
	  "or years (1)", NULL }, \
	{ "on", PT_STRING, 0, 0, 64, "DAY|WEEKDAYS|last", "weekly: mon,thu...; " \
	  "monthly and yearly: a day 1..31 (the month's last if shorter) or " \
	  "last; default: the start's", NULL }, \
	{ "start", PT_DATE, 0, 0, 0, NULL, "the first day (today)", NULL }
#define EXPENSE_TEXT_FIELDS \
	{ "currency", PT_STRING, 0, 0, 8, "CODE", "ISO 4217 code; the user's " \
	  "base currency if absent", NULL }, \
	{ "note", PT_STRING, 0, 0, 0, "TEXT", "free text (tabs and newlines " \
	  "allowed)", NULL }, \
	{ "payee", PT_STRING, 0, 0, 0, "TEXT", "who is paid", NULL }, \
	{ "tags", PT_LIST, 0, 0, 0, "TAG", "tags (lower case, no spaces or " \
	  "commas)", "tag" }

#define CATEGORY_BY \
	{ "name", PT_STRING, POS, 0, 0, "NAME", "the category's name (or its id " \
	  "in digits)", NULL }, \
	{ "id", PT_INT, 0, 1, INT64_MAX, NULL, "the category's id (instead of " \
	  "name)", NULL }

static const struct rpc_param p_login[] = {
	{ "username", PT_STRING, REQ, 0, 0, "NAME", "the account", NULL },
	{ "password", PT_STRING, REQ | SEC, 0, 0, NULL, "its password", NULL },
	{ "refresh_in_body", PT_BOOL, 0, 0, 0, NULL, "return the refresh token "
	  "in the reply, not a cookie (apps)", NULL },
	{ "device", PT_STRING, 0, 0, 64, "NAME", "this device's name (\"Pixel "
	  "8\", \"laptop\")", NULL },
	END };
static const struct rpc_param p_refresh[] = {
	{ "refresh_token", PT_STRING, SEC, 0, 0, NULL, "the refresh token "
	  "(default: the cookie)", NULL },
	END };
static const struct rpc_param p_password_only[] = {
	{ "password", PT_STRING, REQ | SEC, 0, 0, NULL, "the current password",
	  NULL },
	END };
static const struct rpc_param p_password[] = {
	{ "password", PT_STRING, REQ | SEC, 0, 0, NULL, "the current password",
	  NULL },
	{ "new_password", PT_STRING, REQ | SEC, 0, 0, NULL, "8 to 1024 bytes",
	  NULL },
	{ "refresh_in_body", PT_BOOL, 0, 0, 0, NULL, "the new refresh token in "
	  "the reply, not a cookie", NULL },
	END };
static const struct rpc_param p_register[] = {
	{ "username", PT_STRING, REQ, 0, 0, "NAME", "1 to 64 of letters, digits, "
	  "'.', '_', '-'", NULL },
	{ "password", PT_STRING, REQ | SEC, 0, 0, NULL, "8 to 1024 bytes", NULL },
	{ "currency", PT_STRING, 0, 0, 8, "CODE", "base currency", NULL },
	{ "timezone", PT_STRING, 0, 0, 64, "ZONE", "like Europe/Paris", NULL },
	{ "device", PT_STRING, 0, 0, 64, "NAME", "this device's name", NULL },
	END };
static const struct rpc_param p_category_add[] = {
	{ "name", PT_STRING, REQ | POS, 0, 0, "NAME", "the new category's name",
	  NULL },
	END };
static const struct rpc_param p_category_by[] = { CATEGORY_BY,
	{ "version", PT_INT, 0, 1, INT64_MAX, NULL, "refuse if it changed since",
	  NULL },
	END };
static const struct rpc_param p_category_get[] = { CATEGORY_BY, END };
static const struct rpc_param p_category_delete[] = { CATEGORY_BY,
	{ "move_to", PT_REF, 0, 0, 0, "NAME", "move its expenses to this "
	  "category first", NULL },
	{ "version", PT_INT, 0, 1, INT64_MAX, NULL, "refuse if it changed since",
	  NULL },
	END };
static const struct rpc_param p_category_edit[] = { CATEGORY_BY,
	{ "new_name", PT_STRING, 0, 0, 0, "NAME", "rename it", NULL },
	{ "archived", PT_BOOL, 0, 0, 0, NULL, "archive or bring back", NULL },
	{ "version", PT_INT, 0, 1, INT64_MAX, NULL, "refuse if it changed since",
	  NULL },
	END };
static const struct rpc_param p_category_rename[] = { CATEGORY_BY,
	{ "new_name", PT_STRING, REQ | POS, 0, 0, "NEW", "the new name", NULL },
	{ "version", PT_INT, 0, 1, INT64_MAX, NULL, "refuse if it changed since",
	  NULL },
	END };
static const struct rpc_param p_category_list[] = {
	{ "archived", PT_BOOL, 0, 0, 0, NULL, "archived ones too", NULL },
	END };
static const struct rpc_param p_changes[] = {
	{ "since", PT_INT, 0, 0, INT64_MAX, "SEQ", "changes after this number",
	  NULL },
	{ "limit", PT_INT, 0, 1, 1000, NULL, "at most this many (100)", NULL },
	END };
static const struct rpc_param p_sync_pull[] = {
	{ "since", PT_INT, 0, 0, INT64_MAX, "SEQ", "the last change number "
	  "the device has (0: everything)", NULL },
	{ "cursor", PT_STRING, 0, 0, 71, "CURSOR", "next_cursor of the last "
	  "page, instead of since", NULL },
	{ "limit", PT_INT, 0, 1, 1000, NULL, "at most this many (100)", NULL },
	END };
static const struct rpc_param p_sync_push[] = {
	{ "mutations", PT_ANY, REQ, 0, 0, "JSON", "1 to 1000 edits of expenses "
	  "made offline, in order (see Sync)", NULL },
	END };
static const struct rpc_param p_backup[] = {
	{ "path", PT_STRING, POS, 0, 0, "FILE", "where (socket only; default: "
	  "a new file in [backup] dir)", NULL },
	{ "overwrite", PT_BOOL, 0, 0, 0, NULL, "replace an existing file",
	  "force" },
	END };
static const struct rpc_param p_expense_add[] = {
	{ "amount", PT_AMOUNT, REQ | POS, 0, 0, NULL, "at most the currency's "
	  "decimals; a refund is negative", NULL },
	{ "category", PT_REF, POS, 0, 0, "NAME", "a category (name or id); "
	  "absent: the parts', the rules' or uncategorised", NULL },
	EXPENSE_FIELDS,
	EXPENSE_PARTS,
	{ "items", PT_ANY, PF_ALONE, 0, 0, "JSON", "instead of the others: 1 "
	  "to 1000 objects of these params, added in one transaction, each "
	  "answered by index (see Bulk add; spendctl call expense.add)", NULL },
	END };
static const struct rpc_param p_expense_id[] = {
	{ "id", PT_INT, REQ | POS, 1, INT64_MAX, NULL, "the expense", NULL },
	END };
static const struct rpc_param p_expense_delete[] = {
	{ "id", PT_INT, REQ | POS, 1, INT64_MAX, NULL, "the expense", NULL },
	{ "version", PT_INT, 0, 1, INT64_MAX, NULL, "refuse if it changed since",
	  NULL },
	END };
static const struct rpc_param p_expense_edit[] = {
	{ "id", PT_INT, REQ | POS, 1, INT64_MAX, NULL, "the expense", NULL },
	{ "version", PT_INT, 0, 1, INT64_MAX, NULL, "refuse if it changed since",
	  NULL },
	{ "amount", PT_AMOUNT, 0, 0, 0, NULL, "a new amount", NULL },
	{ "category", PT_REF, 0, 0, 0, "NAME", "another category", NULL },
	EXPENSE_FIELDS,
	EXPENSE_PARTS,
	END };
static const struct rpc_param p_expense_list[] = { FILTERS,
	{ "limit", PT_INT, 0, 1, 500, NULL, "rows per page (50)", NULL },
	{ "cursor", PT_STRING, 0, 0, 0, "CURSOR", "the next page (next_cursor "
	  "of the last)", NULL },
	END };
static const struct rpc_param p_export[] = {
	{ "format", PT_STRING, REQ, 0, 0, "FORMAT", "an exporter: csv, json, "
	  "ledger, pdf...", NULL },
	{ "path", PT_STRING, POS, 0, 0, "FILE", "the file spendd writes "
	  "(socket only; over HTTP the reply is the file)", NULL },
	{ "overwrite", PT_BOOL, 0, 0, 0, NULL, "replace an existing file",
	  "force" },
	FILTERS,
	END };
static const struct rpc_param p_import[] = {
	{ "path", PT_STRING, POS, 0, 0, "FILE", "the file spendd reads (socket "
	  "only; over HTTP the body is the file)", NULL },
	{ "format", PT_STRING, 0, 0, 0, "FORMAT", "an importer (default: by "
	  "the name or the first bytes)", NULL },
	{ "filename", PT_STRING, 0, 0, 0, "NAME", "the upload's original name "
	  "(its extension tells the format)", NULL },
	{ "dry_run", PT_BOOL, 0, 0, 0, NULL, "check and show, write nothing",
	  NULL },
	{ "options", PT_OBJECT, 0, 0, 0, "KEY=VALUE", "importer options",
	  "option" },
	{ "map", PT_OBJECT, 0, 0, 0, "COLUMN=FIELD", "which column is which "
	  "field", NULL },
	{ "category", PT_STRING, 0, 0, 0, "NAME", "for rows without one",
	  NULL },
	{ "create_categories", PT_BOOL, 0, 0, 0, NULL, "create categories "
	  "that do not exist", NULL },
	{ "currency", PT_STRING, 0, 0, 8, "CODE", "for rows without one", NULL },
	END };
static const struct rpc_param p_rate_set[] = {
	{ "currency", PT_STRING, REQ | POS, 0, 8, "CODE", "the currency (not "
	  "EUR)", NULL },
	{ "rate", PT_AMOUNT, REQ | POS, 0, 0, "RATE", "units of it per one "
	  "EUR (at most 6 decimals)", NULL },
	{ "date", PT_DATE, 0, 0, 0, NULL, "the day it is for (today)", NULL },
	END };
static const struct rpc_param p_rate_list[] = {
	{ "currency", PT_STRING, 0, 0, 8, "CODE", "one currency", NULL },
	{ "from", PT_DATE, 0, 0, 0, NULL, "first day", NULL },
	{ "to", PT_DATE, 0, 0, 0, NULL, "last day", NULL },
	END };
static const struct rpc_param p_rate_import[] = {
	{ "path", PT_STRING, POS, 0, 0, "FILE", "eurofxref.csv or "
	  "eurofxref-hist.csv (socket only; over HTTP the body)", NULL },
	END };
static const struct rpc_param p_recurring_add[] = {
	{ "amount", PT_AMOUNT, REQ | POS, 0, 0, NULL, "each occurrence's "
	  "amount (a refund is negative)", NULL },
	{ "category", PT_REF, REQ | POS, 0, 0, "NAME", "a category (name or id)",
	  NULL },
	RECURRING_FIELDS,
	{ "end", PT_DATE, 0, 0, 0, NULL, "the last day it may fall on", NULL },
	{ "count", PT_INT, 0, 1, 100000, NULL, "how many occurrences in all "
	  "(instead of end)", NULL },
	EXPENSE_TEXT_FIELDS,
	END };
static const struct rpc_param p_recurring_id[] = {
	{ "id", PT_INT, REQ | POS, 1, INT64_MAX, NULL, "the recurring rule",
	  NULL },
	{ "version", PT_INT, 0, 1, INT64_MAX, NULL, "refuse if it changed since",
	  NULL },
	END };
static const struct rpc_param p_recurring_get[] = {
	{ "id", PT_INT, REQ | POS, 1, INT64_MAX, NULL, "the recurring rule",
	  NULL },
	END };
static const struct rpc_param p_recurring_delete[] = {
	{ "id", PT_INT, REQ | POS, 1, INT64_MAX, NULL, "the recurring rule",
	  NULL },
	{ "version", PT_INT, 0, 1, INT64_MAX, NULL, "refuse if it changed since",
	  NULL },
	{ "delete_created", PT_BOOL, 0, 0, 0, NULL, "delete the expenses it "
	  "created too (kept otherwise)", NULL },
	END };
static const struct rpc_param p_recurring_update[] = {
	{ "id", PT_INT, REQ | POS, 1, INT64_MAX, NULL, "the recurring rule",
	  NULL },
	{ "version", PT_INT, 0, 1, INT64_MAX, NULL, "refuse if it changed since",
	  NULL },
	{ "amount", PT_AMOUNT, 0, 0, 0, NULL, "a new amount", NULL },
	{ "category", PT_REF, 0, 0, 0, "NAME", "another category", NULL },
	RECURRING_FIELDS,
	{ "end", PT_STRING, 0, 0, 10, "DATE|none", "the last day it may fall "
	  "on; none removes it", NULL },
	{ "count", PT_INT, 0, 0, 100000, NULL, "occurrences in all (created "
	  "or skipped); 0 removes it", NULL },
	EXPENSE_TEXT_FIELDS,
	END };
static const struct rpc_param p_recurring_upcoming[] = {
	{ "days", PT_INT, 0, 1, 366, NULL, "how many days ahead (30)", NULL },
	END };
static const struct rpc_param p_recurring_configure[] = {
	{ "remind_days", PT_INT, REQ | POS, 0, 60, "DAYS", "remind of an "
	  "occurrence this many days ahead; 0: no reminders", NULL },
	END };
static const struct rpc_param p_report[] = {
	{ "name", PT_STRING, REQ | POS, 0, 0, "NAME", "a report plugin", NULL },
	END };
static const struct rpc_param p_session_rename[] = {
	{ "id", PT_STRING, REQ | POS, 0, 40, "ID", "the session (session.list)",
	  NULL },
	{ "name", PT_STRING, REQ | POS, 0, 64, "NAME", "the device's new name",
	  NULL },
	END };
static const struct rpc_param p_session_revoke[] = {
	{ "id", PT_STRING, REQ | POS, 0, 40, "SESSION", "a session id (from "
	  "session.list)", NULL },
	END };
static const struct rpc_param p_user_add[] = {
	{ "name", PT_STRING, REQ | POS, 0, 0, "NAME", "1 to 64 of letters, "
	  "digits, '.', '_', '-'", NULL },
	{ "password", PT_STRING, SEC, 0, 0, NULL, "none: the user works only "
	  "through the socket", NULL },
	{ "role", PT_STRING, 0, 0, 0, "ROLE", "admin or user", NULL },
	{ "currency", PT_STRING, 0, 0, 8, "CODE", "base currency", NULL },
	{ "timezone", PT_STRING, 0, 0, 64, "ZONE", "like Europe/Paris", NULL },
	END };
static const struct rpc_param p_user_name[] = {
	{ "name", PT_STRING, REQ | POS, 0, 0, "NAME", "the user", NULL },
	END };
static const struct rpc_param p_user_edit[] = {
	{ "name", PT_STRING, REQ | POS, 0, 0, "NAME", "the user", NULL },
	{ "role", PT_STRING, 0, 0, 0, "ROLE", "admin or user", NULL },
	{ "currency", PT_STRING, 0, 0, 8, "CODE", "base currency", NULL },
	{ "timezone", PT_STRING, 0, 0, 64, "ZONE", "like Europe/Paris", NULL },
	{ "version", PT_INT, 0, 1, INT64_MAX, NULL, "refuse if it changed since",
	  NULL },
	END };

static const struct rpc_param p_notify_set[] = {
	{ "channel", PT_STRING, REQ | POS, 0, 64, "CHANNEL", "a channel "
	  "(notify.settings lists them: log, webhook, email, exec...)", NULL },
	{ "target", PT_STRING, 0, 0, 2048, "ADDRESS", "your email address, "
	  "or webhook URL (an https URL the administrator allows)", NULL },
	{ "kinds", PT_LIST, 0, 0, 0, "KIND", "the kinds of event it takes: "
	  "alert, reminder, or * for all (new channels: all)", "kind" },
	{ "rotate_secret", PT_BOOL, 0, 0, 0, NULL, "make a new signing secret "
	  "(webhook); the reply shows it once", NULL },
	END };
static const struct rpc_param p_notify_channel[] = {
	{ "channel", PT_STRING, REQ | POS, 0, 64, "CHANNEL", "one of your "
	  "channels", NULL },
	END };
static const struct rpc_param p_notify_test[] = {
	{ "channel", PT_STRING, POS, 0, 64, "CHANNEL", "only this channel "
	  "(default: every channel of yours)", NULL },
	{ "message", PT_STRING, 0, 0, 500, "TEXT", "the test's text", NULL },
	END };
static const struct rpc_param p_notify_deliveries[] = {
	{ "limit", PT_INT, 0, 1, 500, NULL, "at most this many, newest first "
	  "(50)", NULL },
	END };
#define RULE_TEXT(key, what) \
	{ key "_contains", PT_STRING, 0, 0, 200, "TEXT", "the " what " " \
	  "contains TEXT (any case, any accents)", NULL }, \
	{ key "_equals", PT_STRING, 0, 0, 200, "TEXT", "the " what " is TEXT " \
	  "(any case, any accents)", NULL }, \
	{ key "_glob", PT_STRING, 0, 0, 200, "GLOB", "the " what " matches " \
	  "GLOB (*, ?, [...]; any case, any accents)", NULL }
static const struct rpc_param p_rule_add[] = {
	RULE_TEXT("payee", "payee"),
	RULE_TEXT("note", "note"),
	{ "amount_min", PT_AMOUNT, 0, 0, 0, NULL, "the amount is at least this "
	  "(face value, any currency)", NULL },
	{ "amount_max", PT_AMOUNT, 0, 0, 0, NULL, "the amount is at most this",
	  NULL },
	{ "currency", PT_STRING, 0, 0, 8, "CODE", "the expense is in this "
	  "currency", NULL },
	{ "source", PT_STRING, 0, 0, 31, "FORMAT", "the row comes from this "
	  "importer (csv, ofx, qif...)", NULL },
	{ "category", PT_REF, 0, 0, 0, "NAME", "action: set this category "
	  "(the first matching rule's)", NULL },
	{ "tags", PT_LIST, 0, 0, 0, "TAG", "action: add these tags (every "
	  "matching rule's)", "tag" },
	{ "rename", PT_STRING, 0, 0, 200, "PAYEE", "action: rename the payee",
	  NULL },
	{ "set_note", PT_STRING, 0, 0, 1000, "TEXT", "action: the note, where "
	  "the expense has none", NULL },
	{ "position", PT_INT, 0, 1, INT32_MAX, NULL, "where in the order "
	  "(default: after the last; equal positions run oldest first)", NULL },
	END };
static const struct rpc_param p_rule_id[] = {
	{ "id", PT_INT, REQ | POS, 1, INT64_MAX, NULL, "the rule", NULL },
	{ "version", PT_INT, 0, 1, INT64_MAX, NULL, "refuse if it changed since",
	  NULL },
	END };
static const struct rpc_param p_rule_test[] = {
	{ "payee", PT_STRING, POS, 0, 0, "PAYEE", "the payee to test", NULL },
	{ "note", PT_STRING, 0, 0, 0, "TEXT", "a note", NULL },
	{ "amount", PT_AMOUNT, 0, 0, 0, NULL, "an amount (0)", NULL },
	{ "currency", PT_STRING, 0, 0, 8, "CODE", "its currency (your base "
	  "currency)", NULL },
	{ "source", PT_STRING, 0, 0, 31, "FORMAT", "an importer's name", NULL },
	END };
static const struct rpc_param p_rule_apply[] = {
	{ "from", PT_DATE, 0, 0, 0, NULL, "first day (inclusive)", NULL },
	{ "to", PT_DATE, 0, 0, 0, NULL, "last day (inclusive)", NULL },
	{ "dry_run", PT_BOOL, 0, 0, 0, NULL, "show what would change, change "
	  "nothing", NULL },
	END };
static const struct rpc_param p_budget_set[] = {
	{ "category", PT_REF, REQ | POS, 0, 0, "CATEGORY", "a category (name "
	  "or id), or \"total\" for the overall budget", NULL },
	{ "amount", PT_AMOUNT, REQ | POS, 0, 0, NULL, "per month, in the "
	  "base currency", NULL },
	{ "month", PT_MONTH, 0, 0, 0, NULL, "only this month's amount (the "
	  "default's otherwise)", NULL },
	{ "since", PT_MONTH, 0, 0, 0, NULL, "the default applies from this "
	  "month on (a new budget: this month)", NULL },
	{ "rollover", PT_BOOL, 0, 0, 0, NULL, "what is left (or overspent) "
	  "carries into the next month", NULL },
	{ "alerts", PT_STRING, 0, 0, 60, "PCTS", "alert thresholds in percent "
	  "(80,100)", "alert" },
	END };
static const struct rpc_param p_budget_by[] = {
	{ "category", PT_REF, REQ | POS, 0, 0, "CATEGORY", "a category (name "
	  "or id), or \"total\"", NULL },
	END };
static const struct rpc_param p_budget_delete[] = {
	{ "category", PT_REF, REQ | POS, 0, 0, "CATEGORY", "a category (name "
	  "or id), or \"total\"", NULL },
	{ "month", PT_MONTH, 0, 0, 0, NULL, "only this month's own amount",
	  NULL },
	END };
static const struct rpc_param p_month_only[] = {
	{ "month", PT_MONTH, 0, 0, 0, NULL, "the month (this one by default)",
	  NULL },
	END };

#undef END
#undef REQ
#undef POS
#undef SEC

/* Sorted by name (a unit test checks). Everything about a method is here:
 * help, docs, REST routes and statuses, body limits and checks are made
 * from it. */
static const struct rpc_method methods[] = {
	{ "alert.list", H(h_alert_list), U, X | RPC_ASYNC, "GET /api/v1/alerts",
	  p_month_only, "Budget alerts sent: each threshold once per category "
	  "and month (all months without month)", 0 },
	{ "auth.delete_account", H(h_auth_delete_account), U, RPC_ASYNC,
	  "DELETE /api/v1/me", p_password_only,
	  "Delete your own account and all its data (needs the password)", 0 },
	{ "auth.login", H(h_auth_login), P, RPC_ASYNC, "POST /api/v1/auth/login",
	  p_login,
	  "Log in: an access token, and a refresh token (cookie or body)", 0 },
	{ "auth.logout", H(h_auth_logout), P, RPC_RETRY, "POST /api/v1/auth/logout",
	  p_refresh, "End this session (the refresh cookie's or token's)", 0 },
	{ "auth.logout_all", H(h_auth_logout_all), U, W | X,
	  "POST /api/v1/auth/logout-all", p_none,
	  "End every session of the user, on every device", 0 },
	{ "auth.me", H(h_auth_me), U, X, "GET /api/v1/me", p_none,
	  "The logged-in user and their session", 0 },
	{ "auth.password", H(h_auth_password), U, RPC_ASYNC,
	  "POST /api/v1/auth/password", p_password,
	  "Change your password: ends every session, logs this one in again",
	  0 },
	{ "auth.refresh", H(h_auth_refresh), P, RPC_RETRY, "POST /api/v1/auth/refresh",
	  p_refresh, "Trade a refresh token (cookie or param) for new tokens",
	  0 },
	{ "auth.register", H(h_auth_register), P, RPC_ASYNC,
	  "POST /api/v1/auth/register", p_register,
	  "Create an account (the first one is admin; then if registration=open)",
	  201 },
	{ "auth.rotate_key", H(h_auth_rotate_key), A, 0,
	  "POST /api/v1/auth/rotate-key", p_none,
	  "New token signing key; tokens signed with the old ones stay valid",
	  0 },
	{ "budget.delete", H(h_budget_delete), U, W | X,
	  "DELETE /api/v1/budgets/{category}", p_budget_delete,
	  "Remove a budget, or only its amount of one month", 0 },
	{ "budget.get", H(h_budget_get), U, X, "GET /api/v1/budgets/{category}",
	  p_budget_by, "Show one budget with its months' amounts", 0 },
	{ "budget.list", H(h_budget_list), U, X, "GET /api/v1/budgets", p_none,
	  "The budgets: amounts, months of their own, rollover, alerts", 0 },
	{ "budget.set", H(h_budget_set), U, W | X,
	  "PUT /api/v1/budgets/{category}", p_budget_set,
	  "Set a category's (or the overall) monthly budget, or one month's",
	  0 },
	{ "budget.status", H(h_budget_status), U, X | RPC_ASYNC,
	  "GET /api/v1/budgets/status", p_month_only,
	  "Each budget's month: spent, limit, remaining, percent, projection, "
	  "state", 0 },
	{ "category.add", H(h_category_add), U, W | X, "POST /api/v1/categories",
	  p_category_add, "Add a category", 201 },
	{ "category.archive", H(h_category_archive), U, W | X,
	  "POST /api/v1/categories/{id}/archive", p_category_by,
	  "Archive a category: kept for old expenses, hidden for new ones", 0 },
	{ "category.delete", H(h_category_delete), U, W | X | RPC_ASYNC | RPC_NOTX,
	  "DELETE /api/v1/categories/{id}", p_category_delete,
	  "Delete a category; refused while used unless move_to names another",
	  0 },
	{ "category.edit", H(h_category_edit), U, W | X,
	  "PUT,PATCH /api/v1/categories/{id}", p_category_edit,
	  "Change a category's name or archived state", 0 },
	{ "category.get", H(h_category_get), U, X | RPC_ASYNC,
	  "GET /api/v1/categories/{id}", p_category_get,
	  "Show one category", 0 },
	{ "category.list", H(h_category_list), U, X | RPC_ASYNC,
	  "GET /api/v1/categories", p_category_list,
	  "List categories (archived too with archived=true)", 0 },
	{ "category.rename", H(h_category_rename), U, W | X, NULL,
	  p_category_rename, "Rename a category", 0 },
	{ "category.unarchive", H(h_category_unarchive), U, W | X,
	  "POST /api/v1/categories/{id}/unarchive", p_category_by,
	  "Bring an archived category back", 0 },
	{ "change.list", H(h_change_list), U, X, "GET /api/v1/changelog",
	  p_changes, "The user's change log after since, in order: seq, "
	  "entity, id, op, version", 0 },
	{ "currency.list", H(h_currency_list), P, 0, "GET /api/v1/currencies",
	  p_none, "ISO 4217 currencies with their decimals", 0 },
	{ "daemon.backup", H(h_daemon_backup), A, RPC_ASYNC, "POST /api/v1/backups",
	  p_backup, "Copy the database while spendd runs (consistent, online)",
	  0 },
	{ "daemon.status", H(h_daemon_status), A, 0, "GET /api/v1/status", p_none,
	  "Server status: uptime, store, requests, jobs per kind, backups", 0 },
	{ "daemon.version", H(h_daemon_version), P, 0, "GET /api/v1/version",
	  p_none, "Version and protocol of spendd", 0 },
	{ "expense.add", H(h_expense_add), U, W | X, "POST /api/v1/expenses",
	  p_expense_add, "Record an expense", 201 },
	{ "expense.delete", H(h_expense_delete), U, W | X,
	  "DELETE /api/v1/expenses/{id}", p_expense_delete,
	  "Delete an expense", 0 },
	{ "expense.edit", H(h_expense_edit), U, W | X,
	  "PUT,PATCH /api/v1/expenses/{id}", p_expense_edit,
	  "Change fields of an expense", 0 },
	{ "expense.get", H(h_expense_get), U, X, "GET /api/v1/expenses/{id}",
	  p_expense_id, "Show one expense", 0 },
	{ "expense.list", H(h_expense_list), U, X | RPC_ASYNC,
	  "GET /api/v1/expenses", p_expense_list,
	  "List expenses with filters, count and sum per currency", 0 },
	{ "export.run", H(h_export_run), U, X | RPC_ASYNC | RPC_DOWNLOAD,
	  "GET /api/v1/exports/{format}", p_export,
	  "Export the list filters' expenses with an exporter: to a file, or "
	  "over HTTP the reply", 0 },
	{ "import.run", H(h_import_run), U,
	  W | X | RPC_ASYNC | RPC_NOTX | RPC_UPLOAD, "POST /api/v1/imports",
	  p_import, "Import a file (over HTTP the body) with an importer: all or "
	  "nothing, duplicates skipped", 0 },
	{ "notify.deliveries", H(h_notify_deliveries), U, X,
	  "GET /api/v1/notify/deliveries", p_notify_deliveries,
	  "Your notifications' deliveries: channel, state, attempts, last "
	  "error", 0 },
	{ "notify.remove", H(h_notify_remove), U, X,
	  "DELETE /api/v1/notify/settings/{channel}", p_notify_channel,
	  "Stop notifying you on a channel", 0 },
	{ "notify.set", H(h_notify_set), U, X,
	  "PUT,PATCH /api/v1/notify/settings/{channel}", p_notify_set,
	  "Choose a channel's target and the kinds of event it takes (a new "
	  "signing secret is shown once)", 0 },
	{ "notify.settings", H(h_notify_settings), U, X,
	  "GET /api/v1/notify/settings", p_none,
	  "Your notification channels, and those you may choose", 0 },
	{ "notify.test", H(h_notify_test), U, X, "POST /api/v1/notify/test",
	  p_notify_test, "Send a test notification to your channels (through "
	  "the outbox, like an alert)", 202 },
	{ "plugin.list", H(h_plugin_list), U, 0, "GET /api/v1/plugins", p_none,
	  "Plugins: state, version, and the formats each provides", 0 },
	{ "rate.fetch", H(h_rate_fetch), A, RPC_ASYNC, "POST /api/v1/rates/fetch",
	  p_none, "Fetch and import [rates] url now (it is also fetched "
	  "daily)", 0 },
	{ "rate.import", H(h_rate_import), A,
	  W | RPC_ASYNC | RPC_NOTX | RPC_UPLOAD, "POST /api/v1/rates/imports",
	  p_rate_import, "Import the ECB's reference rates (daily or history "
	  "file): all or nothing", 0 },
	{ "rate.list", H(h_rate_list), U, RPC_ASYNC, "GET /api/v1/rates",
	  p_rate_list, "Exchange rates: units per EUR, by currency and date", 0 },
	{ "rate.set", H(h_rate_set), A, W, "POST /api/v1/rates", p_rate_set,
	  "Set a currency's rate per EUR for a day (today by default)", 201 },
	{ "recurring.add", H(h_recurring_add), U, W | X, "POST /api/v1/recurring",
	  p_recurring_add, "Add a recurring expense: a rule that creates an "
	  "expense on each of its dates", 201 },
	{ "recurring.configure", H(h_recurring_configure), U, W | X,
	  "PUT,PATCH /api/v1/recurring/settings", p_recurring_configure,
	  "Set how many days ahead occurrences are reminded (0: off)", 0 },
	{ "recurring.delete", H(h_recurring_delete), U,
	  W | X | RPC_ASYNC | RPC_NOTX, "DELETE /api/v1/recurring/{id}",
	  p_recurring_delete, "Delete a recurring rule; the expenses it "
	  "created stay unless delete_created", 0 },
	{ "recurring.get", H(h_recurring_get), U, X, "GET /api/v1/recurring/{id}",
	  p_recurring_get, "Show one recurring rule with its next dates", 0 },
	{ "recurring.list", H(h_recurring_list), U, X | RPC_ASYNC,
	  "GET /api/v1/recurring", p_none,
	  "List the recurring rules with their next dates", 0 },
	{ "recurring.pause", H(h_recurring_pause), U, W | X,
	  "POST /api/v1/recurring/{id}/pause", p_recurring_id,
	  "Pause a rule: the occurrences that fall meanwhile are not created",
	  0 },
	{ "recurring.resume", H(h_recurring_resume), U, W | X,
	  "POST /api/v1/recurring/{id}/resume", p_recurring_id,
	  "Resume a paused (or stopped) rule from today on", 0 },
	{ "recurring.settings", H(h_recurring_settings), U, X,
	  "GET /api/v1/recurring/settings", p_none,
	  "The user's recurring settings (remind_days)", 0 },
	{ "recurring.skip", H(h_recurring_skip), U, W | X,
	  "POST /api/v1/recurring/{id}/skip", p_recurring_id,
	  "Skip a rule's next occurrence", 0 },
	{ "recurring.upcoming", H(h_recurring_upcoming), U, X | RPC_ASYNC,
	  "GET /api/v1/recurring/upcoming", p_recurring_upcoming,
	  "The occurrences still to come in the next days, with their sum", 0 },
	{ "recurring.update", H(h_recurring_update), U, W | X,
	  "PUT,PATCH /api/v1/recurring/{id}", p_recurring_update,
	  "Change a rule; occurrences already created stay as they are", 0 },
	{ "report.run", H(h_report_run), U, X | RPC_ASYNC | RPC_MORE,
	  "GET /api/v1/reports/{name}", p_report,
	  "Run a report plugin; its params are the report's own", 0 },
	{ "rpc.describe", H(h_rpc_describe), P, 0, "GET /api/v1/methods", p_none,
	  "Every method with its role, route, params and summary", 0 },
	{ "rule.add", H(h_rule_add), U, W | X, "POST /api/v1/rules", p_rule_add,
	  "Add a categorisation rule: conditions and actions, in order", 201 },
	{ "rule.apply", H(h_rule_apply), U, W | X | RPC_ASYNC | RPC_NOTX,
	  "POST /api/v1/rules/apply", p_rule_apply, "Run the rules again over "
	  "expenses they or the default categorised; hand-set ones stay", 0 },
	{ "rule.delete", H(h_rule_delete), U, W | X, "DELETE /api/v1/rules/{id}",
	  p_rule_id, "Delete a rule", 0 },
	{ "rule.list", H(h_rule_list), U, X, "GET /api/v1/rules", p_none,
	  "List the rules in the order they run", 0 },
	{ "rule.test", H(h_rule_test), U, X, "POST /api/v1/rules/test",
	  p_rule_test, "What the rules would do to an expense with this "
	  "payee (and note, amount...)", 0 },
	{ "session.list", H(h_session_list), U, X, "GET /api/v1/sessions", p_none,
	  "The user's sessions (devices logged in)", 0 },
	{ "session.rename", H(h_session_rename), U, W | X,
	  "PUT,PATCH /api/v1/sessions/{id}", p_session_rename,
	  "Name the device of one session", 0 },
	{ "session.revoke", H(h_session_revoke), U, W | X,
	  "DELETE /api/v1/sessions/{id}", p_session_revoke, "End one session",
	  0 },
	{ "sync.pull", H(h_sync_pull), U, X | RPC_ASYNC, "GET /api/v1/changes",
	  p_sync_pull, "What changed since a device's last pull: each changed "
	  "entity's state now, or its tombstone", 0 },
	{ "sync.push", H(h_sync_push), U, W | X | RPC_ASYNC | RPC_NOTX,
	  "POST /api/v1/changes", p_sync_push, "Apply a device's offline edits "
	  "once each: applied, merged, or a conflict with both sides", 0 },
	{ "sync.status", H(h_sync_status), U, X, "GET /api/v1/sync", p_none,
	  "The change log's head and floor, and each device with its lag", 0 },
	{ "user.add", H(h_user_add), A, W | RPC_ASYNC | RPC_NOTX,
	  "POST /api/v1/users", p_user_add, "Create a user", 201 },
	{ "user.delete", H(h_user_delete), A, W | RPC_ASYNC | RPC_NOTX,
	  "DELETE /api/v1/users/{name}", p_user_name,
	  "Delete a user and all their data", 0 },
	{ "user.edit", H(h_user_edit), A, W, "PATCH /api/v1/users/{name}",
	  p_user_edit, "Change a user's role, base currency or time zone", 0 },
	{ "user.get", H(h_user_get), A, 0, "GET /api/v1/users/{name}", p_user_name,
	  "Show one user", 0 },
	{ "user.list", H(h_user_list), A, RPC_ASYNC, "GET /api/v1/users", p_none,
	  "List users", 0 },
};

#undef U
#undef A
#undef P
#undef W
#undef X

#define NMETHODS (sizeof(methods) / sizeof(methods[0]))

const struct rpc_method *
rpc_methods(size_t *n)
{
	*n = NMETHODS;
	return methods;
}

static int
cmp_method(const void *key, const void *elem)
{
	return strcmp(key, ((const struct rpc_method *)elem)->name);
}

const struct rpc_method *
rpc_method_find(const char *name)
{
	return bsearch(name, methods, NMETHODS, sizeof(methods[0]), cmp_method);
}

const struct rpc_param *
rpc_param_find(const struct rpc_method *m, const char *name)
{
	for (const struct rpc_param *p = m->params; p && p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}
