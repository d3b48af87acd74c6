/*
 * From a source's text fields to spend_records: shared by the csv, qif and
 * ofx importers (each .so compiles its own copy of ingest.c; no state is
 * shared between plugins).
 *
 * An importer hands raw rows (the text of a date, an amount or a debit and
 * a credit, a payee...) to ingest_row(). Ingest parses dates and amounts
 * the way people write them ("02.01.24", "1/ 2'24", "1.234,56 €",
 * "(12.00)": date.c and amount.c), applies the sign convention and the
 * "credits" option, cleans text fields, and emits the records in order.
 *
 * Some files only tell their date order (DD/MM or MM/DD) or decimal
 * separator late: "01/02/2024" is either, "13/02/2024" is not. Rows that
 * depend on an undecided choice wait in a bounded queue until a later row
 * decides it; if none does by the end (or the queue fills), the fallback
 * applies, or, for dates without one, the import fails naming the first
 * ambiguous line.
 *
 * Import options read here (all optional):
 *	date_format	"YYYY-MM-DD", "DD/MM/YYYY", "MM/DD/YYYY", "DD.MM.YYYY"
 *			(only the order of D, M and Y matters; also "iso",
 *			"dmy", "mdy", "ymd")
 *	decimal_comma	"yes": ',' separates decimals; "no": '.'
 *	sign		"expense-positive": spent is positive, a refund
 *			negative; "bank": negative is money out (an expense),
 *			positive money in
 *	credits		money in: "skip" (default) or "refund"
 *	currency	currency of rows that do not say
 *
 * Rows left out on purpose (a zero amount, money in while credits=skip,
 * a row without any of the fields) are reported to the host with
 * host->import_skip() and one of the INGEST_SKIP_* reasons, so that the
 * import's report accounts for every row; the qif and ofx importers hand
 * what they leave out themselves (transfers, investments) to ingest_row()
 * with skip set to one of the same reasons, so it is reported in order.
 *
 * Memory: struct ingest owns its queue; ingest_free() releases it. Rows
 * passed in are copied if they must wait.
 */
#ifndef SPEND_PLUGIN_INGEST_H
#define SPEND_PLUGIN_INGEST_H

#include <stddef.h>

#include "spend/plugin.h"
#include "date.h"		/* enum date_order */

enum ingest_field {
	IF_DATE,
	IF_AMOUNT,	/* signed, per the "sign" option */
	IF_DEBIT,	/* money out: an expense */
	IF_CREDIT,	/* money in: skipped or a refund, per "credits" */
	IF_CURRENCY,
	IF_CATEGORY,
	IF_NOTE,
	IF_PAYEE,
	IF_TAGS,	/* separated by , ; | or spaces */
	IF_SOURCE_ID,
	IF_N
};

/* "date", "amount", "debit", ... indexed by enum ingest_field. */
extern const char *const ingest_field_name[IF_N];

/* One source row: NULL or "" = absent. line is where it starts. skip:
 * NULL, or an INGEST_SKIP_* reason for a row the importer leaves out
 * itself (a QIF transfer): it is reported in its turn, after the rows
 * before it that wait in the queue, and its fields are not looked at. */
struct ingest_row {
	size_t line;
	const char *f[IF_N];
	const char *skip;
	/* A split (qif): its parts, each "CATEGORY\x1fNOTE\x1fAMOUNT\x1e"
	 * (fields may be empty), amounts signed like IF_AMOUNT's; NULL or
	 * "" = none. Parts of zero are dropped; two or more left go to
	 * host->import_emit_split, one gives the row its category. */
	const char *splits;
};
#define INGEST_PARTS_MAX 32	/* more parts than a split may have */

struct ingest {
	const struct spend_host_api *host;
	struct spend_plugin *self;
	struct spend_import *job;
	int order;		/* enum date_order; AUTO until decided */
	int order_fallback;	/* when nothing decides; AUTO = an error */
	int dsep;		/* '.' or ','; 0 until decided */
	int dsep_fallback;
	int sign_bank;
	int credits_refund;
	char currency[8];	/* default currency, "" = the host's */
	/* rows waiting for a decision, serialised in one buffer */
	char *q;
	size_t qlen, qcap, nq;
	int q_need_order, q_need_dsep;
	size_t ambig_line;
	char ambig_date[40];
	/* counts for the summary line */
	size_t nemitted, nskip_credit, nskip_zero, nskip_empty;
	int failed;
};

/*
 * Read the options above into in. sign_bank is the format's default
 * convention (1 for qif and ofx: negative is money out). order_fallback is
 * used when no row decides DD/MM against MM/DD (ORDER_MDY for qif,
 * ORDER_AUTO for csv: then it is an error); dsep_fallback likewise for the
 * decimal separator. 0, or -1 after import_error().
 */
int ingest_init(struct ingest *in, const struct spend_host_api *host,
    struct spend_plugin *self, struct spend_import *job, int sign_bank,
    int order_fallback, int dsep_fallback);
/*
 * Why a row is left out: the labels of the import report's skipped_why,
 * the same in every importer. Short, fixed texts: spendd counts rows per
 * label (and lumps labels past the 16th together as "other").
 */
#define INGEST_SKIP_ZERO	"zero amount"
#define INGEST_SKIP_CREDIT	"money in"
#define INGEST_SKIP_EMPTY	"no date or amount"	/* none of the fields */
#define INGEST_SKIP_TRANSFER	"transfer"	/* between own accounts */
#define INGEST_SKIP_INVEST	"investment"	/* buys, sells, ... */

/* Tell the host that the source row at line is left out on purpose, for
 * reason (an INGEST_SKIP_*), if it can count it (spendd with
 * import_skip); nothing otherwise. */
void ingest_skip(struct ingest *in, size_t line, const char *reason);
/* Take one row. 0, or -1 after an error was reported. */
int ingest_row(struct ingest *in, const struct ingest_row *row);
/* Flush waiting rows and log what was skipped. 0 or -1. */
int ingest_finish(struct ingest *in);
void ingest_free(struct ingest *in);

#endif
