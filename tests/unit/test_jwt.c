/* jwt.c: sign and verify, every refusal, the key file and rotation. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "jwt.h"
#include "util.h"

static char dir[64], path[96];

static int
setup(void **state)
{
	(void)state;
	strlcpy(dir, "/tmp/spend-jwt.XXXXXX", sizeof(dir));
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/jwt.key", dir);
	return 0;
}

static int
teardown(void **state)
{
	char tmp[128];

	(void)state;
	unlink(path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	rmdir(dir);
	return 0;
}

static void
claims(struct jwt_claims *c, int64_t now)
{
	memset(c, 0, sizeof(*c));
	strlcpy(c->iss, "spendd", sizeof(c->iss));
	strlcpy(c->aud, "spend", sizeof(c->aud));
	c->sub = 42;
	c->iat = c->nbf = now;
	c->exp = now + 900;
	strlcpy(c->role, "user", sizeof(c->role));
	strlcpy(c->typ, "access", sizeof(c->typ));
	strlcpy(c->sid, "00112233445566778899aabbccddeeff", sizeof(c->sid));
}

static int
verify(const struct jwt_keys *k, const char *tok, int64_t now,
    struct jwt_claims *out)
{
	struct spend_err err;

	return jwt_verify(k, tok, "spendd", "spend", "access", now, out, &err);
}

static void
test_roundtrip(void **state)
{
	struct jwt_keys k;
	struct jwt_claims c, out;
	struct spend_err err;
	char tok[JWT_MAX_LEN + 1];
	struct stat sb;

	(void)state;
	unlink(path);
	assert_int_equal(jwt_keys_load(path, &k, &err), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	claims(&c, 1000);
	assert_int_equal(jwt_sign(&k, &c, tok, sizeof(tok), &err), 0);
	assert_int_equal(strlen(c.jti), 32);
	assert_int_equal(verify(&k, tok, 1000, &out), 0);
	assert_int_equal(out.sub, 42);
	assert_string_equal(out.role, "user");
	assert_string_equal(out.sid, c.sid);
	assert_string_equal(out.jti, c.jti);
	/* the window: nbf inclusive, exp exclusive */
	assert_int_equal(verify(&k, tok, 999, &out), SPEND_EAUTH);
	assert_int_equal(verify(&k, tok, 1899, &out), 0);
	assert_int_equal(verify(&k, tok, 1900, &out), SPEND_EAUTH);
	/* the claims checked against what the caller wants */
	assert_int_equal(jwt_verify(&k, tok, "other", "spend", "access", 1000,
	    &out, &err), SPEND_EAUTH);
	assert_int_equal(jwt_verify(&k, tok, "spendd", "other", "access", 1000,
	    &out, &err), SPEND_EAUTH);
	assert_int_equal(jwt_verify(&k, tok, "spendd", "spend", "refresh", 1000,
	    &out, &err), SPEND_EAUTH);
	assert_int_equal(out.sub, 0);	/* cleared on failure */

	/* the same key comes back from the file */
	struct jwt_keys k2;
	assert_int_equal(jwt_keys_load(path, &k2, &err), 0);
	assert_int_equal(k2.n, 1);
	assert_string_equal(k2.k[0].kid, k.k[0].kid);
	assert_int_equal(verify(&k2, tok, 1000, &out), 0);
	jwt_keys_free(&k);
	jwt_keys_free(&k2);
}

/* Replace part i (0 header, 1 payload, 2 signature) of tok. */
static void
splice(const char *tok, int i, const char *part, char *out, size_t len)
{
	char buf[JWT_MAX_LEN + 1], *p[3], *save = NULL;

	strlcpy(buf, tok, sizeof(buf));
	p[0] = strtok_r(buf, ".", &save);
	p[1] = strtok_r(NULL, ".", &save);
	p[2] = strtok_r(NULL, ".", &save);
	p[i] = (char *)part;
	snprintf(out, len, "%s.%s.%s", p[0], p[1], p[2] ? p[2] : "");
}

static void
test_refusals(void **state)
{
	struct jwt_keys k, other;
	struct jwt_claims c, out;
	struct spend_err err;
	char tok[JWT_MAX_LEN + 1], bad[JWT_MAX_LEN + 64], part[512];
	static const char *const headers[] = {
		"{\"alg\":\"none\",\"kid\":\"%s\"}",
		"{\"alg\":\"None\",\"kid\":\"%s\"}",
		"{\"alg\":\"HS512\",\"kid\":\"%s\"}",
		"{\"alg\":\"hs256\",\"kid\":\"%s\"}",
		"{\"kid\":\"%s\"}",
		"{\"alg\":\"HS256\",\"kid\":\"%s\",\"crit\":[\"x\"]}",
		"{\"alg\":\"HS256\",\"typ\":\"JWE\",\"kid\":\"%s\"}",
		"{\"alg\":\"HS256\",\"alg\":\"none\",\"kid\":\"%s\"}",
		"{\"alg\":\"HS256\",\"kid\":\"x%s\"}",
		"[\"HS256\",\"%s\"]",
	};

	(void)state;
	unlink(path);
	assert_int_equal(jwt_keys_load(path, &k, &err), 0);
	claims(&c, 1000);
	assert_int_equal(jwt_sign(&k, &c, tok, sizeof(tok), &err), 0);
	for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
		char h[128];
		const char *pct = strstr(headers[i], "%s");

		/* headers[i] with the kid in place of its %s */
		snprintf(h, sizeof(h), "%.*s%s%s", (int)(pct - headers[i]),
		    headers[i], k.k[0].kid, pct + 2);
		b64url_encode(h, strlen(h), part, sizeof(part));
		splice(tok, 0, part, bad, sizeof(bad));
		assert_int_equal(verify(&k, bad, 1000, &out), SPEND_EAUTH);
	}
	/* payload altered under the same signature */
	{
		const char *p = "{\"iss\":\"spendd\",\"aud\":\"spend\",\"sub\":\"1\","
		    "\"iat\":1000,\"nbf\":1000,\"exp\":1900,\"jti\":\"x\","
		    "\"role\":\"admin\",\"typ\":\"access\"}";

		b64url_encode(p, strlen(p), part, sizeof(part));
		splice(tok, 1, part, bad, sizeof(bad));
		assert_int_equal(verify(&k, bad, 1000, &out), SPEND_EAUTH);
	}
	/* signatures: stripped, altered, non-canonical, too long */
	splice(tok, 2, "", bad, sizeof(bad));
	assert_int_equal(verify(&k, bad, 1000, &out), SPEND_EAUTH);
	strlcpy(bad, tok, sizeof(bad));
	bad[strlen(bad) - 5] ^= 1;
	assert_int_equal(verify(&k, bad, 1000, &out), SPEND_EAUTH);
	strlcpy(bad, tok, sizeof(bad));
	strlcat(bad, "A", sizeof(bad));
	assert_int_equal(verify(&k, bad, 1000, &out), SPEND_EAUTH);
	strlcpy(bad, tok, sizeof(bad));
	strlcat(bad, ".x", sizeof(bad));
	assert_int_equal(verify(&k, bad, 1000, &out), SPEND_EAUTH);
	assert_int_equal(verify(&k, "", 1000, &out), SPEND_EAUTH);
	assert_int_equal(verify(&k, "..", 1000, &out), SPEND_EAUTH);
	assert_int_equal(verify(&k, "a.b.c", 1000, &out), SPEND_EAUTH);
	/* the right kid but another key: that is a forgery */
	other = k;
	crypto_auth_hmacsha256_keygen(other.k[0].key);
	assert_int_equal(jwt_sign(&other, &c, bad, sizeof(bad), &err), 0);
	assert_int_equal(verify(&k, bad, 1000, &out), SPEND_EAUTH);
	/* bad claims, properly signed */
	c.sub = 0;
	assert_int_equal(jwt_sign(&k, &c, bad, sizeof(bad), &err), 0);
	assert_int_equal(verify(&k, bad, 1000, &out), SPEND_EAUTH);
	claims(&c, 1000);
	strlcpy(c.role, "root", sizeof(c.role));
	assert_int_equal(jwt_sign(&k, &c, bad, sizeof(bad), &err), 0);
	assert_int_equal(verify(&k, bad, 1000, &out), SPEND_EAUTH);
	jwt_keys_free(&k);
	jwt_keys_free(&other);
}

static void
test_rotation(void **state)
{
	struct jwt_keys k, again;
	struct jwt_claims c, out;
	struct spend_err err;
	char t1[JWT_MAX_LEN + 1], t2[JWT_MAX_LEN + 1], t3[JWT_MAX_LEN + 1];
	char t4[JWT_MAX_LEN + 1];

	(void)state;
	unlink(path);
	assert_int_equal(jwt_keys_load(path, &k, &err), 0);
	claims(&c, 1000);
	assert_int_equal(jwt_sign(&k, &c, t1, sizeof(t1), &err), 0);
	assert_int_equal(jwt_keys_rotate(&k, &err), 0);
	assert_int_equal(k.n, 2);
	assert_int_equal(jwt_sign(&k, &c, t2, sizeof(t2), &err), 0);
	assert_int_equal(verify(&k, t1, 1000, &out), 0);
	assert_int_equal(verify(&k, t2, 1000, &out), 0);
	assert_int_equal(jwt_keys_rotate(&k, &err), 0);
	assert_int_equal(jwt_sign(&k, &c, t3, sizeof(t3), &err), 0);
	assert_int_equal(jwt_keys_rotate(&k, &err), 0);
	assert_int_equal(k.n, JWT_MAX_KEYS);
	assert_int_equal(jwt_sign(&k, &c, t4, sizeof(t4), &err), 0);
	/* the oldest key is gone, the others verify, from the file too */
	assert_int_equal(jwt_keys_load(path, &again, &err), 0);
	assert_int_equal(again.n, JWT_MAX_KEYS);
	assert_int_equal(verify(&again, t1, 1000, &out), SPEND_EAUTH);
	assert_int_equal(verify(&again, t2, 1000, &out), 0);
	assert_int_equal(verify(&again, t3, 1000, &out), 0);
	assert_int_equal(verify(&again, t4, 1000, &out), 0);
	jwt_keys_free(&k);
	jwt_keys_free(&again);
}


/* The cache of verified tokens answers what jwt_verify would: the same
 * claims; expired and not-yet tokens refused at each call; a token that
 * differs in a byte, or asked for as another typ, verified afresh (and
 * refused); a token whose key a rotation retired refused though it was
 * cached. */
static void
cached(struct jwt_cache *jc, const struct jwt_keys *k, const char *tok,
    const char *typ, int64_t now, int want)
{
	struct jwt_claims a, b;
	struct spend_err e1, e2;
	int r1 = jwt_verify(k, tok, "spendd", "spend", typ, now, &a, &e1);
	int r2 = jwt_verify_cached(jc, k, tok, "spendd", "spend", typ, now, &b,
	    &e2);

	assert_int_equal(r1, want);
	assert_int_equal(r2, want);
	assert_memory_equal(&a, &b, sizeof(a));
	if (want < 0)
		assert_string_equal(e1.msg, e2.msg);
}

static void
test_cache(void **state)
{
	struct jwt_keys k;
	struct jwt_claims c;
	struct spend_err err;
	struct jwt_cache *jc = jwt_cache_new();
	char tok[JWT_MAX_LEN + 1], bad[JWT_MAX_LEN + 1];
	uint64_t hits;

	(void)state;
	assert_non_null(jc);
	unlink(path);
	assert_int_equal(jwt_keys_load(path, &k, &err), 0);
	claims(&c, 1000);
	assert_int_equal(jwt_sign(&k, &c, tok, sizeof(tok), &err), 0);
	cached(jc, &k, tok, "access", 1000, 0);
	assert_int_equal(jwt_cache_hits(jc), 0);
	cached(jc, &k, tok, "access", 1500, 0);
	assert_int_equal(jwt_cache_hits(jc), 1);
	/* the times, checked again at each call */
	cached(jc, &k, tok, "access", 1900, SPEND_EAUTH);	/* exp */
	cached(jc, &k, tok, "access", 999, SPEND_EAUTH);	/* nbf */
	assert_int_equal(jwt_cache_hits(jc), 3);
	/* another typ: not from the cache, and refused */
	cached(jc, &k, tok, "refresh", 1000, SPEND_EAUTH);
	assert_int_equal(jwt_cache_hits(jc), 3);
	/* a byte of the signature changed: verified, refused */
	strlcpy(bad, tok, sizeof(bad));
	bad[strlen(bad) - 2] = bad[strlen(bad) - 2] == 'A' ? 'B' : 'A';
	cached(jc, &k, bad, "access", 1000, SPEND_EAUTH);
	hits = jwt_cache_hits(jc);
	/* the signing key retired by rotations: its cached token refused */
	for (int i = 0; i < JWT_MAX_KEYS - 1; i++) {
		assert_int_equal(jwt_keys_rotate(&k, &err), 0);
		cached(jc, &k, tok, "access", 1000, 0);	/* still kept */
	}
	assert_int_equal(jwt_cache_hits(jc), hits + JWT_MAX_KEYS - 1);
	assert_int_equal(jwt_keys_rotate(&k, &err), 0);
	cached(jc, &k, tok, "access", 1000, SPEND_EAUTH);
	assert_int_equal(jwt_cache_hits(jc), hits + JWT_MAX_KEYS - 1);
	/* many tokens: each verifies, through slots they share */
	for (int i = 0; i < 3 * JWT_CACHE_SLOTS; i++) {
		claims(&c, 1000 + i % 7);
		assert_int_equal(jwt_sign(&k, &c, tok, sizeof(tok), &err), 0);
		cached(jc, &k, tok, "access", 1010, 0);
		cached(jc, &k, tok, "access", 1010, 0);
	}
	jwt_cache_free(jc);
	jwt_keys_free(&k);
}

static void
test_key_file_checks(void **state)
{
	struct jwt_keys k;
	struct spend_err err;
	FILE *f;

	(void)state;
	unlink(path);
	assert_int_equal(jwt_keys_load(path, &k, &err), 0);
	chmod(path, 0644);
	assert_int_equal(jwt_keys_load(path, &k, &err), SPEND_EINVAL);
	assert_non_null(strstr(err.msg, "chmod 600"));
	unlink(path);
	f = fopen(path, "w");
	fputs("kid not-a-key\n", f);
	fclose(f);
	chmod(path, 0600);
	assert_int_equal(jwt_keys_load(path, &k, &err), SPEND_EINVAL);
	assert_non_null(strstr(err.msg, ":1:"));
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_key_file_checks),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
