/* The public JSON shape of a user (shapes.h): used by the user.* and
 * auth.* handlers alike, so neither needs the other's file. */
#include "jsonp.h"
#include "shapes.h"

json_t *
user_json(const struct user *u)
{
	return jp_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:I, s:s, s:s}",
	    "id", (json_int_t)u->id, "name", u->name, "role", u->role,
	    "currency", u->currency, "timezone", u->timezone,
	    "has_password", u->has_password, "version", (json_int_t)u->version,
	    "created_at", u->created_at, "updated_at", u->updated_at);
}
