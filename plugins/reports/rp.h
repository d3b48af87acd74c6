/*
 * The reports plugin's shared code (rp_common.c): a JSON text builder,
 * calendar arithmetic (ISO weeks), periods from the report's parameters,
 * the bookkeeping of conversion (unconverted amounts, older rates),
 * shares and changes in basis points, and each category's colour.
 *
 * Arithmetic: money is int64 minor units of the user's base currency;
 * every division rounds half to even (rp_div), never a float.
 */
#ifndef SPEND_RP_H
#define SPEND_RP_H

#include <stddef.h>
#include <stdint.h>

#include "spend/plugin.h"

extern const struct spend_host_api *rp_host;

#define RP_NONE INT64_MIN	/* a share or change that does not exist */
#define RP_OLDER_MAX 100	/* older_rates listed (all are counted) */

/* ---- JSON text ---- */
struct jbuf {
	char *s;
	size_t len, cap;
	int failed;
};
void jb_put(struct jbuf *b, const char *p, size_t n);
void jb_puts(struct jbuf *b, const char *s);
/* A JSON string (escaped). */
void jb_str(struct jbuf *b, const char *s);
void jb_int(struct jbuf *b, int64_t v);
/* "name": preceded by a comma unless first in its object. */
void jb_key(struct jbuf *b, const char *name);
/* A comma unless first in its array. */
void jb_elem(struct jbuf *b);
/* Minor units of currency as a decimal string ("12.50"). */
void jb_amount(struct jbuf *b, int64_t minor, const char *currency);
/* Basis points as a decimal string with two decimals ("-12.05"), or
 * null for RP_NONE. */
void jb_bp(struct jbuf *b, int64_t bp);
/* The text (the caller frees it), or NULL if memory ran out. */
char *jb_done(struct jbuf *b);

/* ---- numbers ---- */
/* num / den rounded half to even (den > 0). */
int64_t rp_div(__int128 num, int64_t den);
/* (cur - prev) / |prev| in basis points, half to even; RP_NONE when
 * prev is 0. */
int64_t rp_change_bp(int64_t cur, int64_t prev);
/* Shares of n amounts in basis points: the positive ones share 10000 by
 * largest remainder (ties to the larger amount, then the earlier), so a
 * pie adds up to 100.00 %; amounts <= 0 get RP_NONE. */
void rp_shares(const int64_t *amount, size_t n, int64_t *bp);
/* "#rrggbb" for category id: its hue walks the golden angle (137.508
 * degrees) from red, saturation 65 %, lightness 50 %; the same id
 * always gets the same colour. */
void rp_color(int64_t id, char out[8]);

/* ---- dates (days since 1970-01-01, proleptic Gregorian) ---- */
int64_t rp_days(int y, int m, int d);
void rp_civil(int64_t days, int *y, int *m, int *d);
void rp_date(int64_t days, char out[11]);
/* "YYYY-MM-DD" that is a real date: 0, else -1. */
int rp_parse_date(const char *s, int64_t *days);
/* "YYYY-MM", years 1900..2999 (budgets' months): 0, else -1. */
int rp_parse_month(const char *s, int *y, int *m);
int rp_weekday(int64_t days);			/* Monday 0 ... Sunday 6 */
void rp_iso_week(int64_t days, int *year, int *week);
int rp_iso_weeks(int year);			/* 52 or 53 */
int64_t rp_iso_week_start(int year, int week);	/* its Monday */
int rp_month_days(int y, int m);

/* ---- periods ---- */
enum rp_kind { RP_RANGE, RP_WEEK, RP_MONTH, RP_YEAR };

struct rp_period {
	enum rp_kind kind;
	char from[11], to[11];		/* "" = open */
	int64_t dfrom, dto;		/* when closed */
	char label[16];			/* "2024-03", "2026-W01", "2024",
					 * or "FROM..TO" */
	int valid;			/* comparisons: 0 = none */
};
/*
 * The period of the report's parameters: week (YYYY-Www or a date in the
 * week), month (YYYY-MM), year (YYYY), period (week|month|year: the
 * current one, in the user's time zone), or from/to (a range; open ends
 * allowed if allow_open). 0, or -1 after an error naming the parameter.
 */
int rp_period_params(struct spend_report_job *job, struct rp_period *p,
    int allow_open);
/* The period before (as long; the month, week or year before) and the
 * same period a year before (a week: the same week number, W52 for a
 * W53 the year before lacks; a range: the same dates, 29 February as
 * the 28th). out->valid = 0 when p is open or the result leaves the
 * calendar. */
void rp_period_previous(const struct rp_period *p, struct rp_period *out);
void rp_period_year_before(const struct rp_period *p, struct rp_period *out);

/* ---- conversion bookkeeping ---- */
struct rp_unconv {
	char currency[4];
	int64_t count, sum;
};
struct rp_older {
	char currency[4];
	char date[11], rate_date[11];
};
struct rp_conv {
	struct rp_unconv *un;
	size_t nun;
	struct rp_older *older;
	size_t nolder, olderc;
	int failed;
};
/* Note a cell: an unconverted one is added to its currency's total, one
 * converted with an older rate is listed. Returns 1 if c is converted,
 * 0 if not, -1 if memory ran out. */
int rp_conv_note(struct rp_conv *cv, const struct spend_cell *c);
/* "unconverted": [{"currency","count","sum"}...] (by currency) and
 * "older_rates": [{"currency","date","rate_date"}...] (by date and
 * currency, each once, the first RP_OLDER_MAX), "older_rates_count". */
void rp_conv_json(struct jbuf *b, struct rp_conv *cv);
void rp_conv_free(struct rp_conv *cv);

/* ---- categories met in cells ---- */
struct rp_cat {
	int64_t id;
	char name[72];
	char color[8];
	int64_t amount, count;		/* converted */
	int64_t prev, year_before;	/* the comparison periods' */
	int64_t bp;			/* share */
};
struct rp_cats {
	struct rp_cat *v;		/* by id */
	size_t n, cap;
};
/* The entry of c's category (added at 0 if new), or NULL without
 * memory. */
struct rp_cat *rp_cat_of(struct rp_cats *cs, int64_t id, const char *name);
/* Sort by amount descending, then name. */
void rp_cats_by_amount(struct rp_cats *cs);
void rp_cats_free(struct rp_cats *cs);

/* Report a failure to allocate. */
void rp_nomem(struct spend_report_job *job, const char *report);

/* The reports (summary.c, breakdown.c, trend.c, payees.c). */
extern const struct spend_report rp_summary, rp_breakdown, rp_trend,
    rp_payees;
/* forecast.c, budgets.c: budgets and recurring rules (the host's
 * report_upcoming and report_budget_status). */
extern const struct spend_report rp_forecast, rp_budget;

#endif
