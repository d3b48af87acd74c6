/*
 * Spend plugin ABI.
 *
 * A plugin is a shared object exporting one symbol:
 *
 *	int spend_plugin_init(const struct spend_host_api *host,
 *	    struct spend_plugin *self);
 *
 * spendd calls it once, on the event loop thread, after checking nothing
 * but the file's safety. Inside, the plugin checks host->abi (major) and
 * host->size, fills self->version and self->description, and registers one
 * or more const vtables with host->register_*(). It returns 0, or -1 after
 * logging why: a plugin that fails its init is skipped and spendd keeps
 * serving.
 *
 * Compatibility: SPEND_PLUGIN_ABI changes only when something here changes
 * incompatibly; spendd refuses a plugin built for another major.
 * struct spend_host_api only grows at its end and starts with its size: a
 * plugin built against a newer header must check host->size before using
 * a member the running spendd may not have (SPEND_HOST_HAS()). Each vtable
 * starts with a version; the host accepts every version it knows.
 *
 * Threads: importers, exporters and reports run on worker threads, one
 * context per job, and must not touch the event loop. Notifiers run on the
 * event loop and must not block. Host functions taking a context may only
 * be called from the thread running that context's job; the others are
 * thread-safe unless noted.
 *
 * Ownership: strings the host passes in are valid only during the call
 * unless noted; copy what you keep. Records a plugin emits are copied by
 * the host before emit() returns. self->data belongs to the plugin; the
 * host calls self->free_func(self), if set, when unloading (also after a
 * failed init, so free what you allocated or leave free_func unset).
 *
 * Money: never a float. Amounts travel as decimal strings ("12.50",
 * "-3", "1000" for JPY) and are parsed exactly by the host.
 *
 * Build: cc -shared -fPIC $(pkg-config --cflags --libs spend-plugin) \
 *	-fvisibility=hidden -o myplugin.so myplugin.c
 * and mark spend_plugin_init with SPEND_PLUGIN_EXPORT.
 */
#ifndef SPEND_PLUGIN_H
#define SPEND_PLUGIN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SPEND_PLUGIN_ABI 1
#define SPEND_PLUGIN_ENTRY "spend_plugin_init"
#define SPEND_PLUGIN_EXPORT __attribute__((visibility("default")))

/*
 * Put SPEND_PLUGIN_DECLARE; once at file scope of a plugin. It exports the
 * ABI the plugin was built for, so spendd refuses a mismatch with a clear
 * log line before it calls spend_plugin_init. Without it, only the
 * plugin's own check of host->abi in init stands between a stale plugin
 * and a crash.
 */
#define SPEND_PLUGIN_ABI_SYMBOL "spend_plugin_abi"
#define SPEND_PLUGIN_DECLARE						\
	SPEND_PLUGIN_EXPORT extern const unsigned spend_plugin_abi;	\
	SPEND_PLUGIN_EXPORT const unsigned spend_plugin_abi = SPEND_PLUGIN_ABI

#define SPEND_IMPORTER_V1 1
#define SPEND_EXPORTER_V1 1
#define SPEND_REPORT_V1 1
#define SPEND_NOTIFIER_V1 1
#define SPEND_NOTIFIER_V2 2	/* deliveries with an outcome (deliver) */

/* True if the running host's API struct has member m. */
#define SPEND_HOST_HAS(host, m) \
	((host)->size >= offsetof(struct spend_host_api, m) + sizeof((host)->m))

enum spend_log_level {
	SPEND_LOG_DEBUG = 0,
	SPEND_LOG_INFO = 1,
	SPEND_LOG_WARN = 2,
};

struct spend_plugin;
struct spend_import;	/* one import job, host-owned */
struct spend_export;	/* one export job, host-owned */
struct spend_report_job;
struct event_base;

/*
 * One expense as text fields. Importers fill what the source has (NULL or
 * "" = absent) and the host validates, defaults and de-duplicates.
 * Exporters receive every field filled.
 */
struct spend_record {
	const char *date;	/* YYYY-MM-DD */
	const char *amount;	/* decimal string, '.' separator: spent is
				 * positive, a refund negative */
	const char *currency;	/* ISO 4217; NULL = the user's base currency */
	const char *category;	/* name; NULL = the import's default */
	const char *note;
	const char *payee;
	const char *const *tags;
	size_t ntags;
	/* A stable id of this row in its source (OFX FITID, a bank's
	 * reference). With it, importing the same statement twice adds
	 * nothing. NULL: the host derives one from the row's content. */
	const char *source_id;
	size_t line;		/* source line (importers), for errors */
	/* exporters only: */
	int64_t id;
	int64_t amount_minor;	/* amount in minor units */
	int exponent;		/* decimals of currency */
	int64_t version;
	const char *created_at, *updated_at;	/* RFC 3339 UTC */
};

/* One part of a split record: importers give them to import_emit_split,
 * exporters read them with export_parts. */
struct spend_part {
	const char *amount;	/* decimal string, '.' separator, of the
				 * record's sign; the parts sum exactly to
				 * the record's amount */
	const char *category;	/* name; NULL = the import's default */
	const char *note;	/* NULL or "" = none */
	/* exporters only: */
	int64_t amount_minor;
	int64_t category_id;
};

/* What an export covers: for headers, titles and file names. */
struct spend_export_info {
	const char *user;	/* owner's name */
	const char *base_currency;
	const char *from, *to;	/* period, "" = open */
	const char *generated_at;	/* RFC 3339 UTC */
	const char *filter_text;	/* human summary of the filters, "" = none */
};

/* Aggregate rows for reports (and exporters that want totals). */
struct spend_total {
	const char *key;	/* category name, month "YYYY-MM" or day */
	const char *currency;
	int64_t count;
	int64_t sum_minor;
	int exponent;
};

enum spend_group {
	SPEND_GROUP_CATEGORY = 0,
	SPEND_GROUP_MONTH = 1,
	SPEND_GROUP_DAY = 2,
};

/* What host->report_cells walks. */
enum spend_cells {
	SPEND_CELLS_DAY = 0,	/* (day, category, currency) */
	SPEND_CELLS_PAYEE = 1,	/* (payee, day, currency) */
};

/*
 * One cell of a report: the expenses of one day in one currency (and one
 * category, or one payee), their sum converted once to the user's base
 * currency. That sum is the rounding unit: sums of cells are exact.
 */
struct spend_cell {
	const char *day;	/* "YYYY-MM-DD" */
	int64_t category_id;	/* day cells; 0 in payee cells */
	const char *category;	/* its name; "" in payee cells */
	const char *payee;	/* payee cells (as first spelt); "" in day
				 * cells and for expenses without one */
	const char *currency;	/* the expenses' own */
	int exponent;		/* its decimals */
	int64_t count;
	int64_t sum_minor;	/* in currency */
	/* 1: base_minor is sum_minor in the base currency. 0: no rate on
	 * or before day for currency (or the base): never guessed. */
	int converted;
	int64_t base_minor;
	/* the date of the (older) rate used: == day when published that
	 * day, earlier when the nearest earlier one served; "" when
	 * currency is the base or not converted */
	const char *rate_date;
};

/*
 * One budget's month (host->report_budget_status), amounts in minor units
 * of the user's base currency: what budget.status shows for it.
 */
struct spend_budget_line {
	const char *category;	/* its name; "total" for the overall one */
	int64_t category_id;	/* 0: the overall budget (every category) */
	int rollover;		/* 1: what is left carries into the next */
	int64_t limit;		/* the month's amount (its own or the default) */
	int64_t carry;		/* rolled over from the months before */
	int64_t available;	/* limit + carry */
	int64_t spent;		/* the month's expenses, converted */
	int64_t spent_to_date;	/* those dated today or before */
	int64_t to_come;	/* what recurring rules will still create */
	int64_t projected;	/* by the month's end (budget.status's) */
	int has_percent;	/* available > 0 */
	int64_t percent;	/* spent / available, rounded down */
	const char *state;	/* "ok", "near" or "over" */
};

/* An amount a budget's month left out: no rate converts it. */
struct spend_budget_unconverted {
	const char *category;	/* its budget's name ("total": overall) */
	int64_t category_id;
	const char *month;	/* "YYYY-MM" */
	const char *currency;
	int exponent;
	int64_t amount_minor;	/* in currency */
	const char *what;	/* "spent", "to come", "limit" */
};

/*
 * A month of the user's budgets (host->report_budget_status). The arrays
 * hold pointers, so each struct may grow at its end without moving them.
 */
struct spend_budget_month {
	const char *month;	/* "YYYY-MM" */
	const char *today;	/* the user's today */
	const char *currency;	/* the base */
	int exponent;
	const char *period;	/* "past", "current" or "future" */
	int day, days;		/* today's day of the month (past: days,
				 * future: 0), the month's days */
	const struct spend_budget_line *const *lines;	/* budgets with an
							 * amount that month */
	size_t nlines;
	const struct spend_budget_unconverted *const *unconverted;
	size_t nunconverted;
};

/* ---- plugin vtables ---- */

struct spend_importer {
	unsigned version;		/* SPEND_IMPORTER_V1 */
	const char *name;		/* format name: "csv", "ofx" */
	const char *description;	/* one line */
	const char *extensions;		/* "csv,tsv": for --format auto */
	/*
	 * Read the whole source with host->import_read() and call
	 * host->import_emit() for every expense, in order. Return 0 at the
	 * end, or -1 after host->import_error() said what and where. Runs on
	 * a worker thread. Memory must stay bounded: stream, do not slurp.
	 */
	int (*run)(struct spend_plugin *self, struct spend_import *job);
};

struct spend_exporter {
	unsigned version;		/* SPEND_EXPORTER_V1 */
	const char *name;		/* "csv", "pdf" */
	const char *description;
	const char *mime_type;		/* "text/csv; charset=utf-8" */
	const char *extension;		/* "csv" */
	/*
	 * Pull records with host->export_next() until it returns 0 and write
	 * bytes with host->export_write(). Return 0, or -1 after
	 * host->export_error(). Worker thread.
	 */
	int (*run)(struct spend_plugin *self, struct spend_export *job);
};

struct spend_report {
	unsigned version;		/* SPEND_REPORT_V1 */
	const char *name;
	const char *description;
	/*
	 * Build a JSON text from host->report_param() and the host's
	 * aggregates (host->report_totals()); return it as a malloc'd,
	 * NUL-terminated string the host frees, or NULL after
	 * host->report_error(). Worker thread.
	 */
	char *(*run)(struct spend_plugin *self, struct spend_report_job *job);
};

/* Events for notifiers. */
enum spend_event_type {
	SPEND_EVENT_BUDGET_THRESHOLD = 1,
	SPEND_EVENT_RECURRING_CREATED = 2,
	SPEND_EVENT_IMPORT_DONE = 3,
	SPEND_EVENT_OUTBOX = 4,	/* a delivery of an outbox event (V2): see kind */
};

struct spend_event {
	enum spend_event_type type;
	const char *user;
	const char *json;	/* event details as a JSON object text; for a
				 * delivery the whole event: {"id", "kind",
				 * "user", "created_at", "data": {...}} */
	/* Deliveries (deliver, SPEND_NOTIFIER_V2) only; broadcasts to
	 * notify() leave them NULL and 0. */
	const char *kind;	/* "alert", "reminder", "test", ... */
	int64_t id;		/* the event's id: the same on every attempt
				 * and every channel (receivers de-duplicate
				 * by it) */
	const char *target;	/* the user's address on this channel: an
				 * email address, a URL; "" if none */
	const char *secret;	/* the user's signing secret for this
				 * channel, "" if none */
	int attempt;		/* 1 for the first attempt */
	int max_attempts;	/* the last attempt is attempt == max_attempts */
	const char *created_at;	/* RFC 3339 UTC */
};

/* One attempt of a delivery: host-owned, valid until delivery_done. */
struct spend_delivery;

/* What became of an attempt (host->delivery_done). */
enum spend_delivery_result {
	SPEND_DELIVERED = 0,		/* the receiver took it */
	SPEND_DELIVERY_RETRY = 1,	/* not now: the host tries again on
					 * its schedule ([notify] retry) */
	SPEND_DELIVERY_FAILED = 2,	/* never will (a refused address):
					 * no retry */
};

/* What a user gives for a channel (notify.set's target). */
enum spend_notify_target {
	SPEND_TARGET_NONE = 0,		/* nothing (log, exec) */
	SPEND_TARGET_EMAIL = 1,		/* an email address */
	SPEND_TARGET_URL = 2,		/* an http(s) URL that [notify]
					 * webhook_allow allows */
};

/* spend_notifier.flags */
#define SPEND_NOTIFY_SECRET 1u	/* users get a signing secret (ev->secret) */

struct spend_notifier {
	unsigned version;		/* SPEND_NOTIFIER_V1 or _V2 */
	const char *name;		/* the channel users choose: "webhook" */
	const char *description;
	/* Broadcasts (SPEND_EVENT_IMPORT_DONE): fire and forget. Event loop
	 * thread: must not block (use the event base for I/O). Required in
	 * V1, may be NULL in V2. A V1 notifier is also a channel: its
	 * deliveries count as delivered once notify() returns. */
	void (*notify)(struct spend_plugin *self, const struct spend_event *ev);
	/* ---- SPEND_NOTIFIER_V2 ---- */
	/* Deliver one attempt of an outbox event (ev->type
	 * SPEND_EVENT_OUTBOX) and report its outcome exactly once with
	 * host->delivery_done(d, ...), now or later, on the event loop
	 * thread. Must not block: use host->http_request, host->mail_send
	 * or the event base. ev and its strings live only during the call.
	 * The host stops waiting after [notify] timeout plus a minute (a
	 * retry); a late delivery_done is then ignored. */
	void (*deliver)(struct spend_plugin *self, const struct spend_event *ev,
	    struct spend_delivery *d);
	unsigned target;		/* enum spend_notify_target */
	unsigned flags;			/* SPEND_NOTIFY_* */
};

/* Outgoing HTTP and mail (host->http_request, host->mail_send): one
 * libcurl multi handle on the event loop, shared by every plugin. */
struct spend_http_request {
	const char *method;		/* "POST", "PUT", "GET" */
	const char *url;		/* must match [notify] webhook_allow */
	const char *const *headers;	/* "Name: value", NULL-ended, or NULL */
	const void *body;		/* copied by the host */
	size_t body_len;
	long timeout_ms;		/* 0: [notify] timeout */
};

struct spend_mail {
	const char *server;		/* "smtp://host:587" or "smtps://host" */
	int starttls;			/* smtp://: 2 required, 1 if offered, 0 no */
	const char *ca_file;		/* NULL: the system's CAs */
	const char *username;		/* NULL: no AUTH */
	const char *password;
	const char *from;		/* envelope sender address */
	const char *to;			/* one recipient address */
	const char *message;		/* RFC 5322 text with CRLF line ends,
					 * headers included; copied */
	size_t len;
	long timeout_ms;		/* 0: [notify] timeout */
};

/* The outcome of a transfer, valid during the callback only. */
struct spend_transfer {
	int ok;			/* the transfer completed (any HTTP status) */
	long status;		/* HTTP status, or the last SMTP reply code */
	const char *error;	/* why not ok, "" if ok */
	const char *body;	/* the response body (at most 64 KiB) */
	size_t body_len;
};

typedef void (*spend_transfer_fn)(void *arg, const struct spend_transfer *t);

/* ---- what the host gives ---- */

struct spend_host_api {
	size_t size;			/* sizeof(struct spend_host_api) in the host */
	unsigned abi;			/* SPEND_PLUGIN_ABI of the host */
	const char *host_version;	/* "0.1.0" */

	/* Registration: only inside spend_plugin_init. The vtable must stay
	 * valid until unload (make it static const). 0, or -1 with a log
	 * line if its version is unknown or the name is taken. */
	int (*register_importer)(struct spend_plugin *self,
	    const struct spend_importer *vt);
	int (*register_exporter)(struct spend_plugin *self,
	    const struct spend_exporter *vt);
	int (*register_report)(struct spend_plugin *self,
	    const struct spend_report *vt);
	int (*register_notifier)(struct spend_plugin *self,
	    const struct spend_notifier *vt);

	/* Log a line prefixed with the plugin's name. Any thread. */
	void (*log)(struct spend_plugin *self, enum spend_log_level level,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
	/* A key of this plugin's own [plugin NAME] section, or NULL. The
	 * string lives until the next reload; copy it in init. (spendd
	 * snapshots the section at load, so today it lives until unload.) */
	const char *(*config_get)(struct spend_plugin *self, const char *key);

	/* Money and dates, exact. Any thread. */
	/* Decimals of an ISO 4217 code, or -1 if unknown. */
	int (*currency_exponent)(const char *code);
	/* Parse a decimal string (decimal_comma: ',' separates decimals)
	 * into minor units of currency. 0, or -1 with a reason in errbuf. */
	int (*money_parse)(const char *text, const char *currency,
	    int decimal_comma, int64_t *minor, char *errbuf, size_t errlen);
	/* Format minor units of currency; returns length or -1. */
	int (*money_format)(int64_t minor, const char *currency, char *buf,
	    size_t len);
	/* 1 if "YYYY-MM-DD" is a real calendar date. */
	int (*date_valid)(const char *date);

	/* The event loop (notifiers only, event loop thread). */
	struct event_base *(*event_base)(struct spend_plugin *self);

	/* ---- import jobs ---- */
	/* Read up to len bytes of the source; returns the count, 0 at the
	 * end, -1 on an I/O error (already reported). */
	long (*import_read)(struct spend_import *job, void *buf, size_t len);
	/* An option of this import ("delimiter", "date_format",
	 * "decimal_comma", "map.amount" for --map COLUMN=amount...), or NULL.
	 * Values are strings; booleans are "yes"/"no". */
	const char *(*import_option)(struct spend_import *job, const char *key);
	/* Hand over one record. 0 = taken (or skipped as a duplicate), -1 =
	 * invalid: the host has set the job's error (line and field) and the
	 * importer must return -1. The host may also answer 0 for an invalid
	 * record, counting it as rejected, so that one run reports several
	 * bad lines; the import then fails as a whole all the same. */
	int (*import_emit)(struct spend_import *job,
	    const struct spend_record *rec);
	/* Say what failed and where; the importer then returns -1. field may
	 * be NULL. */
	void (*import_error)(struct spend_import *job, size_t line,
	    const char *field, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));

	/* ---- export jobs ---- */
	/* Next record in the export's order into *rec (valid until the next
	 * call): 1, or 0 at the end, or -1 on error. */
	int (*export_next)(struct spend_export *job, struct spend_record *rec);
	/* Start over from the first record (for two-pass formats). */
	int (*export_rewind)(struct spend_export *job);
	/* Append bytes to the output; 0 or -1. */
	int (*export_write)(struct spend_export *job, const void *buf,
	    size_t len);
	const struct spend_export_info *(*export_info)(struct spend_export *job);
	/* Totals of the export's filtered set grouped by group, one callback
	 * per (key, currency), keys ascending. 0 or -1. */
	int (*export_totals)(struct spend_export *job, enum spend_group group,
	    int (*cb)(void *arg, const struct spend_total *t), void *arg);
	void (*export_error)(struct spend_export *job, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

	/* ---- report jobs ---- */
	const char *(*report_param)(struct spend_report_job *job,
	    const char *key);
	/* Totals over the report's user, between from and to (inclusive,
	 * "" = open), grouped. */
	int (*report_totals)(struct spend_report_job *job, const char *from,
	    const char *to, enum spend_group group,
	    int (*cb)(void *arg, const struct spend_total *t), void *arg);
	void (*report_error)(struct spend_report_job *job, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

	/* Say that the source row at line was left out on purpose, not by
	 * mistake (a zero amount, money in while credits=skip, a transfer):
	 * the host counts it under reason in the import's report, so every
	 * row of the source is accounted for. Check SPEND_HOST_HAS(host,
	 * import_skip) first. */
	void (*import_skip)(struct spend_import *job, size_t line,
	    const char *reason);

	/* ---- notifier deliveries (SPEND_NOTIFIER_V2), event loop thread;
	 * check SPEND_HOST_HAS(host, delivery_done) first ---- */
	/* The outcome of attempt d (given to deliver): exactly once. error
	 * says why it was not delivered ("HTTP 500", "connection refused"),
	 * NULL or "" when delivered; the host logs it and shows it to the
	 * user. d is gone after the call. */
	void (*delivery_done)(struct spend_delivery *d,
	    enum spend_delivery_result result, const char *error);
	/* Start an HTTP request on the host's libcurl multi handle. The
	 * URL must match [notify] webhook_allow (scheme, host, port, path);
	 * redirects are never followed. 0: done(arg, t) will run once,
	 * later, never inside this call; -1: refused or not started, with
	 * the reason in errbuf (done never runs). */
	int (*http_request)(struct spend_plugin *self,
	    const struct spend_http_request *req, spend_transfer_fn done,
	    void *arg, char *errbuf, size_t errlen);
	/* Send a mail over SMTP (libcurl: STARTTLS, AUTH). Same contract as
	 * http_request; t->ok means the server accepted the message. */
	int (*mail_send)(struct spend_plugin *self, const struct spend_mail *m,
	    spend_transfer_fn done, void *arg, char *errbuf, size_t errlen);
	/* HMAC-SHA-256 of msg with key (any length) into out. Any thread. */
	void (*hmac_sha256)(const void *key, size_t keylen, const void *msg,
	    size_t len, unsigned char out[32]);
	/* ---- reports in the user's base currency (check
	 * SPEND_HOST_HAS(host, report_cells) first) ---- */
	/* The user's base currency ("EUR") and today's date in the user's
	 * time zone ("YYYY-MM-DD"); valid for the whole job. */
	const char *(*report_base_currency)(struct spend_report_job *job);
	const char *(*report_today)(struct spend_report_job *job);
	/* Every parameter given is one of known (NULL-terminated): 0, or
	 * -1 after setting the job's error, which names the stray one. */
	int (*report_params_only)(struct spend_report_job *job,
	    const char *const *known);
	/* report_error naming the parameter at fault (the error's field). */
	void (*report_error_field)(struct spend_report_job *job,
	    const char *field, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
	/*
	 * The report user's spending between from and to (inclusive, "" =
	 * open) as cells, each converted once to the base currency at the
	 * rate of its day or the nearest earlier one (exact, half to even;
	 * struct spend_cell): SPEND_CELLS_DAY gives one cell per (day,
	 * category, currency) in that order, SPEND_CELLS_PAYEE one per
	 * (payee, day, currency) ordered by payee (ASCII case-insensitive).
	 * cb returns 0 to go on; non-zero stops the walk and the call
	 * returns -1. 0, or -1 with the job's error set.
	 */
	int (*report_cells)(struct spend_report_job *job, const char *from,
	    const char *to, enum spend_cells by,
	    int (*cb)(void *arg, const struct spend_cell *c), void *arg);
	/* The same for an export's user, whatever the export's filters:
	 * for exporters that show converted totals (the pdf statement). The
	 * base currency is export_info()->base_currency. Worker thread, the
	 * export's snapshot. */
	int (*export_cells)(struct spend_export *job, const char *from,
	    const char *to, enum spend_cells by,
	    int (*cb)(void *arg, const struct spend_cell *c), void *arg);

	/* ---- budgets and recurring rules in reports (check
	 * SPEND_HOST_HAS(host, report_budget_status) first) ---- */
	/*
	 * What the report user's active recurring rules will still create
	 * between from and to (inclusive, both required: "YYYY-MM-DD"), one
	 * cell per occurrence (count 1; payee: the rule's), in date order
	 * then rule, each converted to the base currency at the rate of its
	 * date or the nearest earlier one (exact, half to even). No rate:
	 * converted = 0, never guessed. Paused rules and rules stopped by an
	 * error create nothing; occurrences already created are expenses, not
	 * upcoming (a rule's next date may be before today while the
	 * scheduler catches up: pass tomorrow as from for what is still to
	 * come). cb as report_cells. 0, or -1 with the job's error set.
	 */
	int (*report_upcoming)(struct spend_report_job *job, const char *from,
	    const char *to, int (*cb)(void *arg, const struct spend_cell *c),
	    void *arg);
	/*
	 * The report user's budgets in month ("YYYY-MM") as budget.status
	 * computes them as of report_today (rollover chains, conversion at
	 * each day's rate, the projection with what recurring rules will
	 * still create): cb(arg, m) once, m valid during the call. cb's
	 * non-zero return makes the call return -1. 0, or -1 with the job's
	 * error set.
	 */
	int (*report_budget_status)(struct spend_report_job *job,
	    const char *month,
	    int (*cb)(void *arg, const struct spend_budget_month *m),
	    void *arg);

	/* ---- splits (check SPEND_HOST_HAS(host, import_emit_split)
	 * first) ---- */
	/* import_emit for a record split into nparts parts (2..32), each
	 * with its own amount and category: rec->category is not used; a
	 * part's category that does not exist is handled like a record's
	 * (the import's default, created with create_categories, or the
	 * row refused). The parts must sum exactly to rec->amount, each of
	 * its sign. Same return as import_emit. */
	int (*import_emit_split)(struct spend_import *job,
	    const struct spend_record *rec, const struct spend_part *parts,
	    size_t nparts);
	/* The parts of the record export_next gave last (valid until the
	 * next export_next): their number, 0 when it is not split. */
	size_t (*export_parts)(struct spend_export *job,
	    const struct spend_part **parts);

	/* Appended members go here, never above. */
};

/* The host's record of a loaded plugin. */
struct spend_plugin {
	size_t size;			/* sizeof(struct spend_plugin) in the host */
	const char *name;		/* from the file name: "csv" for csv.so */
	const char *version;		/* set by the plugin in init */
	const char *description;	/* set by the plugin in init */
	void *data;			/* the plugin's own */
	void (*free_func)(struct spend_plugin *self);	/* called at unload */
	void *host_private;		/* do not touch */
};

typedef int (*spend_plugin_init_fn)(const struct spend_host_api *host,
    struct spend_plugin *self);

#ifdef __cplusplus
}
#endif

#endif
