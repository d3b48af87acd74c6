/* HS256 JWTs with libsodium; the key file in the data dir. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jwt.h"
#include "log.h"
#include "util.h"

#define HEADER_MAX 256
#define PAYLOAD_MAX 640

static void
key_new(struct jwt_key *k)
{
	unsigned char id[9];

	randombytes_buf(id, sizeof(id));
	b64url_encode(id, sizeof(id), k->kid, sizeof(k->kid));
	crypto_auth_hmacsha256_keygen(k->key);
}

/* Write every key to path.tmp (0600), fsync, rename over path. */
static int
keys_save(const struct jwt_keys *keys, struct spend_err *err)
{
	char tmp[sizeof(keys->path) + 8], line[128], b64[64];
	int fd, saved;
	size_t len = 0;
	char buf[JWT_MAX_KEYS * 128];

	buf[0] = '\0';
	for (int i = 0; i < keys->n; i++) {
		b64url_encode(keys->k[i].key, JWT_KEY_BYTES, b64, sizeof(b64));
		snprintf(line, sizeof(line), "%s %s\n", keys->k[i].kid, b64);
		len = strlcat(buf, line, sizeof(buf));
		sodium_memzero(b64, sizeof(b64));
		sodium_memzero(line, sizeof(line));
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", keys->path);
	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		saved = errno;
		sodium_memzero(buf, sizeof(buf));
		return spend_errf(err, SPEND_EINTERNAL, "", "%s: %s", tmp,
		    strerror(saved));
	}
	if (write(fd, buf, len) != (ssize_t)len || fsync(fd) < 0) {
		saved = errno;
		close(fd);
		unlink(tmp);
		sodium_memzero(buf, sizeof(buf));
		return spend_errf(err, spend_err_errno(saved, SPEND_EINTERNAL), "",
		    "write %s: %s", tmp, strerror(saved));
	}
	sodium_memzero(buf, sizeof(buf));
	close(fd);
	if (rename(tmp, keys->path) < 0) {
		saved = errno;
		unlink(tmp);
		return spend_errf(err, SPEND_EINTERNAL, "", "rename %s: %s", tmp,
		    strerror(saved));
	}
	return 0;
}

static int
keys_parse(struct jwt_keys *keys, char *text, struct spend_err *err)
{
	char *line, *save = NULL;
	int lineno = 0;

	keys->n = 0;
	for (line = strtok_r(text, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save)) {
		char kid[64], b64[64];
		struct jwt_key *k;

		lineno++;
		if (keys->n == JWT_MAX_KEYS)
			break;
		k = &keys->k[keys->n];
		if (sscanf(line, "%63s %63s", kid, b64) != 2 ||
		    strlen(kid) > JWT_KID_MAX ||
		    b64url_decode(b64, k->key, sizeof(k->key)) != JWT_KEY_BYTES) {
			sodium_memzero(b64, sizeof(b64));
			return spend_errf(err, SPEND_EINVAL, "", "%s:%d: expected "
			    "\"KID KEY\" with a 32-byte base64url key",
			    keys->path, lineno);
		}
		sodium_memzero(b64, sizeof(b64));
		strlcpy(k->kid, kid, sizeof(k->kid));
		keys->n++;
	}
	if (keys->n == 0)
		return spend_errf(err, SPEND_EINVAL, "", "%s: no key", keys->path);
	return 0;
}

int
jwt_keys_load(const char *path, struct jwt_keys *keys, struct spend_err *err)
{
	char text[JWT_MAX_KEYS * 128 + 1];
	struct stat sb;
	ssize_t n;
	int fd, r;

	memset(keys, 0, sizeof(*keys));
	if (strlcpy(keys->path, path, sizeof(keys->path)) >= sizeof(keys->path))
		return spend_errf(err, SPEND_EINVAL, "", "key path too long");
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		if (errno != ENOENT)
			return spend_errf(err, SPEND_EINTERNAL, "", "%s: %s", path,
			    strerror(errno));
		key_new(&keys->k[0]);
		keys->n = 1;
		if ((r = keys_save(keys, err)) < 0)
			return r;
		log_info("auth: created the token signing key %s (kid %s)", path,
		    keys->k[0].kid);
		return 0;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    (sb.st_mode & 077) != 0) {
		close(fd);
		return spend_errf(err, SPEND_EINVAL, "", "%s: must be a regular "
		    "file readable only by its owner (chmod 600)", path);
	}
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n < 0)
		return spend_errf(err, SPEND_EINTERNAL, "", "read %s: %s", path,
		    strerror(errno));
	text[n] = '\0';
	r = keys_parse(keys, text, err);
	sodium_memzero(text, sizeof(text));
	return r;
}

int
jwt_keys_rotate(struct jwt_keys *keys, struct spend_err *err)
{
	struct jwt_keys nk = *keys;

	memmove(&nk.k[1], &nk.k[0], sizeof(nk.k[0]) * (JWT_MAX_KEYS - 1));
	key_new(&nk.k[0]);
	if (nk.n < JWT_MAX_KEYS)
		nk.n++;
	if (keys_save(&nk, err) < 0) {
		sodium_memzero(&nk, sizeof(nk));
		return err ? err->code : SPEND_EINTERNAL;
	}
	*keys = nk;
	sodium_memzero(&nk, sizeof(nk));
	log_info("auth: rotated the token signing key (kid %s)", keys->k[0].kid);
	return 0;
}

void
jwt_keys_free(struct jwt_keys *keys)
{
	sodium_memzero(keys, sizeof(*keys));
}

/* b64url(json) into out; returns its length or -1. */
static int
b64_json(json_t *j, char *out, size_t outlen)
{
	char *text = json_dumps(j, JSON_COMPACT);
	int n;

	if (text == NULL)
		return -1;
	n = b64url_encode(text, strlen(text), out, outlen);
	free(text);
	return n;
}

int
jwt_sign(const struct jwt_keys *keys, struct jwt_claims *c, char *out,
    size_t outlen, struct spend_err *err)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES], rnd[16];
	char sub[24];
	json_t *h, *p;
	int hn, pn, sn;

	if (keys->n == 0)
		return spend_errf(err, SPEND_EINTERNAL, "", "no signing key");
	randombytes_buf(rnd, sizeof(rnd));
	hex_encode(rnd, sizeof(rnd), c->jti);
	snprintf(sub, sizeof(sub), "%lld", (long long)c->sub);
	h = json_pack("{s:s, s:s, s:s}", "alg", "HS256", "typ", "JWT", "kid",
	    keys->k[0].kid);
	p = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:s, s:s}",
	    "iss", c->iss, "aud", c->aud, "sub", sub, "iat", (json_int_t)c->iat,
	    "nbf", (json_int_t)c->nbf, "exp", (json_int_t)c->exp, "jti", c->jti,
	    "role", c->role, "typ", c->typ);
	if (h == NULL || p == NULL) {
		json_decref(h);
		json_decref(p);
		return spend_errf(err, SPEND_ENOMEM, "", "out of memory");
	}
	if (c->sid[0])
		json_object_set_new(p, "sid", json_string(c->sid));
	hn = b64_json(h, out, outlen);
	pn = hn < 0 || (size_t)hn + 2 >= outlen ? -1 :
	    b64_json(p, out + hn + 1, outlen - (size_t)hn - 1);
	json_decref(h);
	json_decref(p);
	if (pn < 0)
		return spend_errf(err, SPEND_EINTERNAL, "", "token too long");
	out[hn] = '.';
	crypto_auth_hmacsha256(mac, (const unsigned char *)out,
	    (size_t)hn + 1 + (size_t)pn, keys->k[0].key);
	if ((size_t)(hn + pn) + 2 >= outlen)
		return spend_errf(err, SPEND_EINTERNAL, "", "token too long");
	out[hn + 1 + pn] = '.';
	sn = b64url_encode(mac, sizeof(mac), out + hn + pn + 2,
	    outlen - (size_t)(hn + pn) - 2);
	if (sn < 0)
		return spend_errf(err, SPEND_EINTERNAL, "", "token too long");
	return 0;
}

/* Decode one base64url part holding a JSON object. */
static json_t *
part_json(const char *part, size_t len, size_t max)
{
	char b64[PAYLOAD_MAX * 2], raw[PAYLOAD_MAX + 1];
	int n;

	if (len == 0 || len >= sizeof(b64) || len > max * 4 / 3 + 4)
		return NULL;
	memcpy(b64, part, len);
	b64[len] = '\0';
	if ((n = b64url_decode(b64, raw, sizeof(raw) - 1)) <= 0)
		return NULL;
	raw[n] = '\0';
	if (strlen(raw) != (size_t)n)
		return NULL;
	json_t *j = json_loadb(raw, (size_t)n, JSON_REJECT_DUPLICATES, NULL);
	if (j && !json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static int
claim_str(json_t *p, const char *k, char *buf, size_t size)
{
	const char *s = json_string_value(json_object_get(p, k));

	if (s == NULL || strlcpy(buf, s, size) >= size)
		return -1;
	return 0;
}

static int
claim_int(json_t *p, const char *k, int64_t *out)
{
	json_t *v = json_object_get(p, k);

	if (!json_is_integer(v))
		return -1;
	*out = json_integer_value(v);
	return 0;
}

#define BAD(why) spend_errf(err, SPEND_EAUTH, "token", "invalid token: %s", why)

/* jwt_verify; *used: the key that verified it. */
static int
verify(const struct jwt_keys *keys, const char *token, const char *iss,
    const char *aud, const char *typ, int64_t now, struct jwt_claims *c,
    const struct jwt_key **used, struct spend_err *err)
{
	const char *dot1, *dot2, *s;
	unsigned char sig[crypto_auth_hmacsha256_BYTES + 1];
	const struct jwt_key *key = NULL;
	const char *alg, *kid, *htyp;
	char sub[24], *end;
	json_t *h = NULL, *p = NULL;
	int r = SPEND_EAUTH;

	memset(c, 0, sizeof(*c));
	if (strlen(token) > JWT_MAX_LEN)
		return BAD("too long");
	if ((dot1 = strchr(token, '.')) == NULL ||
	    (dot2 = strchr(dot1 + 1, '.')) == NULL || strchr(dot2 + 1, '.'))
		return BAD("not a signed JWT (header.payload.signature)");
	if ((h = part_json(token, (size_t)(dot1 - token), HEADER_MAX)) == NULL) {
		BAD("header is not base64url JSON");
		goto out;
	}
	alg = json_string_value(json_object_get(h, "alg"));
	kid = json_string_value(json_object_get(h, "kid"));
	htyp = json_string_value(json_object_get(h, "typ"));
	/* alg must be exactly HS256: "none", "None", HS512, RS256... all out */
	if (alg == NULL || strcmp(alg, "HS256") != 0) {
		BAD("algorithm must be HS256");
		goto out;
	}
	if (json_object_get(h, "crit") != NULL ||
	    (json_object_get(h, "typ") && (htyp == NULL || strcmp(htyp, "JWT")))) {
		BAD("unsupported header");
		goto out;
	}
	for (int i = 0; kid && i < keys->n; i++)
		if (strcmp(keys->k[i].kid, kid) == 0)
			key = &keys->k[i];
	if (key == NULL) {
		BAD("unknown key id");
		goto out;
	}
	/* signature: exactly 32 bytes, canonical base64url */
	s = dot2 + 1;
	if (strlen(s) != 43 || b64url_decode(s, sig, sizeof(sig)) !=
	    crypto_auth_hmacsha256_BYTES ||
	    crypto_auth_hmacsha256_verify(sig, (const unsigned char *)token,
	    (size_t)(dot2 - token), key->key) != 0) {
		BAD("bad signature");
		goto out;
	}
	/* only now is the payload trusted enough to parse */
	if ((p = part_json(dot1 + 1, (size_t)(dot2 - dot1 - 1), PAYLOAD_MAX))
	    == NULL) {
		BAD("payload is not base64url JSON");
		goto out;
	}
	if (claim_str(p, "iss", c->iss, sizeof(c->iss)) < 0 ||
	    claim_str(p, "aud", c->aud, sizeof(c->aud)) < 0 ||
	    claim_str(p, "sub", sub, sizeof(sub)) < 0 ||
	    claim_str(p, "jti", c->jti, sizeof(c->jti)) < 0 ||
	    claim_str(p, "role", c->role, sizeof(c->role)) < 0 ||
	    claim_str(p, "typ", c->typ, sizeof(c->typ)) < 0 ||
	    claim_int(p, "iat", &c->iat) < 0 ||
	    claim_int(p, "nbf", &c->nbf) < 0 ||
	    claim_int(p, "exp", &c->exp) < 0) {
		BAD("missing or malformed claim");
		goto out;
	}
	if (json_object_get(p, "sid") &&
	    claim_str(p, "sid", c->sid, sizeof(c->sid)) < 0) {
		BAD("malformed sid");
		goto out;
	}
	if (strcmp(c->iss, iss) || strcmp(c->aud, aud)) {
		BAD("wrong issuer or audience");
		goto out;
	}
	if (strcmp(c->typ, typ)) {
		BAD("wrong token type");
		goto out;
	}
	if (strcmp(c->role, "admin") && strcmp(c->role, "user")) {
		BAD("unknown role");
		goto out;
	}
	errno = 0;
	c->sub = strtoll(sub, &end, 10);
	if (errno || *end || end == sub || sub[0] == '0' || c->sub <= 0) {
		BAD("bad subject");
		goto out;
	}
	if (now >= c->exp) {
		BAD("expired");
		goto out;
	}
	if (now < c->nbf) {
		BAD("not valid yet");
		goto out;
	}
	*used = key;
	r = 0;
out:
	json_decref(h);
	json_decref(p);
	if (r < 0)
		memset(c, 0, sizeof(*c));
	return r;
}

int
jwt_verify(const struct jwt_keys *keys, const char *token, const char *iss,
    const char *aud, const char *typ, int64_t now, struct jwt_claims *c,
    struct spend_err *err)
{
	const struct jwt_key *used;

	return verify(keys, token, iss, aud, typ, now, c, &used, err);
}

/* ---- tokens verified before (jwt.h) ---- */

struct jwt_cache_slot {
	char *token;			/* NULL: empty */
	size_t len;
	struct jwt_claims c;
	struct jwt_key key;		/* the key that verified it */
};

struct jwt_cache {
	struct jwt_cache_slot s[JWT_CACHE_SLOTS];
	uint64_t hits;
};

struct jwt_cache *
jwt_cache_new(void)
{
	return calloc(1, sizeof(struct jwt_cache));
}

void
jwt_cache_free(struct jwt_cache *jc)
{
	if (jc == NULL)
		return;
	for (int i = 0; i < JWT_CACHE_SLOTS; i++)
		free(jc->s[i].token);
	sodium_memzero(jc, sizeof(*jc));
	free(jc);
}

uint64_t
jwt_cache_hits(const struct jwt_cache *jc)
{
	return jc ? jc->hits : 0;
}

/* FNV-1a: a collision only costs a verification */
static size_t
slot_of(const char *token)
{
	uint64_t h = 14695981039346656037ULL;

	for (const unsigned char *p = (const unsigned char *)token; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return (size_t)(h % JWT_CACHE_SLOTS);
}

static bool
key_kept(const struct jwt_keys *keys, const struct jwt_key *k)
{
	for (int i = 0; i < keys->n; i++)
		if (strcmp(keys->k[i].kid, k->kid) == 0 &&
		    sodium_memcmp(keys->k[i].key, k->key, JWT_KEY_BYTES) == 0)
			return true;
	return false;
}

int
jwt_verify_cached(struct jwt_cache *jc, const struct jwt_keys *keys,
    const char *token, const char *iss, const char *aud, const char *typ,
    int64_t now, struct jwt_claims *c, struct spend_err *err)
{
	struct jwt_cache_slot *sl;
	const struct jwt_key *used;
	char *copy;
	size_t len;
	int r;

	if (jc == NULL)
		return jwt_verify(keys, token, iss, aud, typ, now, c, err);
	sl = &jc->s[slot_of(token)];
	len = strlen(token);
	/* in constant time: a token sent is compared with one that holds */
	if (sl->token && sl->len == len &&
	    sodium_memcmp(sl->token, token, len) == 0 &&
	    strcmp(sl->c.iss, iss) == 0 && strcmp(sl->c.aud, aud) == 0 &&
	    strcmp(sl->c.typ, typ) == 0 && key_kept(keys, &sl->key)) {
		jc->hits++;
		memset(c, 0, sizeof(*c));
		if (now >= sl->c.exp)
			return BAD("expired");
		if (now < sl->c.nbf)
			return BAD("not valid yet");
		*c = sl->c;
		return 0;
	}
	if ((r = verify(keys, token, iss, aud, typ, now, c, &used, err)) < 0)
		return r;
	if ((copy = strdup(token)) != NULL) {	/* else: not kept, no harm */
		free(sl->token);
		sl->token = copy;
		sl->len = len;
		sl->c = *c;
		sl->key = *used;
	}
	return 0;
}
