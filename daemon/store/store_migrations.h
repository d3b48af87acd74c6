#ifndef SPEND_STORE_MIGRATIONS_H
#define SPEND_STORE_MIGRATIONS_H
/* store_migrations[i] takes the schema from version i to i + 1. Append
 * only: a released migration never changes. */
extern const char *const store_migrations[];
#endif
