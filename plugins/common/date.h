/*
 * Dates as people write them ("02.01.24", "1/ 2'24", "Jan 2, 2024",
 * "20240102", "2024-01-02T10:00") to "YYYY-MM-DD": shared by the csv, qif
 * and ofx importers through ingest.c (each .so compiles its own copy of
 * date.c; nothing here is exported from the .so). No state, no
 * allocation.
 *
 * Some dates only make sense with an order of day and month: "01/02/2024"
 * is either, "13/02/2024" is not. date_hint() says what a date tells about
 * the order, so that a file's rows can decide it (ingest.c does).
 */
#ifndef SPEND_PLUGIN_DATE_H
#define SPEND_PLUGIN_DATE_H

enum date_order {
	ORDER_AUTO = 0,
	ORDER_YMD,
	ORDER_DMY,
	ORDER_MDY,
};

/*
 * date_parse: text in the given order (AUTO accepts only unambiguous
 * forms) to "YYYY-MM-DD" in out (11 bytes). Returns 0, or -1 with a
 * reason in *why (static text).
 * date_hint: what a date says about the order: ORDER_YMD (year first, no
 * order needed), ORDER_DMY or ORDER_MDY (decides), ORDER_AUTO (either
 * reading works: ambiguous) or -1 (not a date).
 */
int date_parse(const char *s, int order, char out[11], const char **why);
int date_hint(const char *s);
/* A date_format option value ("YYYY-MM-DD", "DD/MM/YYYY", "MM/DD/YYYY",
 * "DD.MM.YYYY": only the order of D, M and Y matters; also "iso") to an
 * enum date_order, or -1. */
int date_order_from_option(const char *s);
/* 1 if s reads as a date (for telling data from headers). */
int date_like(const char *s);

#endif
