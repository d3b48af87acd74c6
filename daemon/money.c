/* Exact decimal money in int64 minor units. No floating point anywhere. */
#include <stdio.h>
#include <string.h>

#include "money.h"

/* ISO 4217 active currencies (list one, 2024 edition) with their minor
 * units. Fund and metal codes without a minor unit are left out. Sorted by
 * code for bsearch. */
static const struct currency currencies[] = {
	{ "AED", 2, "UAE Dirham" }, { "AFN", 2, "Afghani" },
	{ "ALL", 2, "Lek" }, { "AMD", 2, "Armenian Dram" },
	{ "ANG", 2, "Netherlands Antillean Guilder" }, { "AOA", 2, "Kwanza" },
	{ "ARS", 2, "Argentine Peso" }, { "AUD", 2, "Australian Dollar" },
	{ "AWG", 2, "Aruban Florin" }, { "AZN", 2, "Azerbaijan Manat" },
	{ "BAM", 2, "Convertible Mark" }, { "BBD", 2, "Barbados Dollar" },
	{ "BDT", 2, "Taka" }, { "BGN", 2, "Bulgarian Lev" },
	{ "BHD", 3, "Bahraini Dinar" }, { "BIF", 0, "Burundi Franc" },
	{ "BMD", 2, "Bermudian Dollar" }, { "BND", 2, "Brunei Dollar" },
	{ "BOB", 2, "Boliviano" }, { "BOV", 2, "Mvdol" },
	{ "BRL", 2, "Brazilian Real" }, { "BSD", 2, "Bahamian Dollar" },
	{ "BTN", 2, "Ngultrum" }, { "BWP", 2, "Pula" },
	{ "BYN", 2, "Belarusian Ruble" }, { "BZD", 2, "Belize Dollar" },
	{ "CAD", 2, "Canadian Dollar" }, { "CDF", 2, "Congolese Franc" },
	{ "CHE", 2, "WIR Euro" }, { "CHF", 2, "Swiss Franc" },
	{ "CHW", 2, "WIR Franc" }, { "CLF", 4, "Unidad de Fomento" },
	{ "CLP", 0, "Chilean Peso" }, { "CNY", 2, "Yuan Renminbi" },
	{ "COP", 2, "Colombian Peso" }, { "COU", 2, "Unidad de Valor Real" },
	{ "CRC", 2, "Costa Rican Colon" }, { "CUP", 2, "Cuban Peso" },
	{ "CVE", 2, "Cabo Verde Escudo" }, { "CZK", 2, "Czech Koruna" },
	{ "DJF", 0, "Djibouti Franc" }, { "DKK", 2, "Danish Krone" },
	{ "DOP", 2, "Dominican Peso" }, { "DZD", 2, "Algerian Dinar" },
	{ "EGP", 2, "Egyptian Pound" }, { "ERN", 2, "Nakfa" },
	{ "ETB", 2, "Ethiopian Birr" }, { "EUR", 2, "Euro" },
	{ "FJD", 2, "Fiji Dollar" }, { "FKP", 2, "Falkland Islands Pound" },
	{ "GBP", 2, "Pound Sterling" }, { "GEL", 2, "Lari" },
	{ "GHS", 2, "Ghana Cedi" }, { "GIP", 2, "Gibraltar Pound" },
	{ "GMD", 2, "Dalasi" }, { "GNF", 0, "Guinean Franc" },
	{ "GTQ", 2, "Quetzal" }, { "GYD", 2, "Guyana Dollar" },
	{ "HKD", 2, "Hong Kong Dollar" }, { "HNL", 2, "Lempira" },
	{ "HTG", 2, "Gourde" }, { "HUF", 2, "Forint" },
	{ "IDR", 2, "Rupiah" }, { "ILS", 2, "New Israeli Sheqel" },
	{ "INR", 2, "Indian Rupee" }, { "IQD", 3, "Iraqi Dinar" },
	{ "IRR", 2, "Iranian Rial" }, { "ISK", 0, "Iceland Krona" },
	{ "JMD", 2, "Jamaican Dollar" }, { "JOD", 3, "Jordanian Dinar" },
	{ "JPY", 0, "Yen" }, { "KES", 2, "Kenyan Shilling" },
	{ "KGS", 2, "Som" }, { "KHR", 2, "Riel" },
	{ "KMF", 0, "Comorian Franc" }, { "KPW", 2, "North Korean Won" },
	{ "KRW", 0, "Won" }, { "KWD", 3, "Kuwaiti Dinar" },
	{ "KYD", 2, "Cayman Islands Dollar" }, { "KZT", 2, "Tenge" },
	{ "LAK", 2, "Lao Kip" }, { "LBP", 2, "Lebanese Pound" },
	{ "LKR", 2, "Sri Lanka Rupee" }, { "LRD", 2, "Liberian Dollar" },
	{ "LSL", 2, "Loti" }, { "LYD", 3, "Libyan Dinar" },
	{ "MAD", 2, "Moroccan Dirham" }, { "MDL", 2, "Moldovan Leu" },
	{ "MGA", 2, "Malagasy Ariary" }, { "MKD", 2, "Denar" },
	{ "MMK", 2, "Kyat" }, { "MNT", 2, "Tugrik" },
	{ "MOP", 2, "Pataca" }, { "MRU", 2, "Ouguiya" },
	{ "MUR", 2, "Mauritius Rupee" }, { "MVR", 2, "Rufiyaa" },
	{ "MWK", 2, "Malawi Kwacha" }, { "MXN", 2, "Mexican Peso" },
	{ "MXV", 2, "Mexican Unidad de Inversion" },
	{ "MYR", 2, "Malaysian Ringgit" }, { "MZN", 2, "Mozambique Metical" },
	{ "NAD", 2, "Namibia Dollar" }, { "NGN", 2, "Naira" },
	{ "NIO", 2, "Cordoba Oro" }, { "NOK", 2, "Norwegian Krone" },
	{ "NPR", 2, "Nepalese Rupee" }, { "NZD", 2, "New Zealand Dollar" },
	{ "OMR", 3, "Rial Omani" }, { "PAB", 2, "Balboa" },
	{ "PEN", 2, "Sol" }, { "PGK", 2, "Kina" },
	{ "PHP", 2, "Philippine Peso" }, { "PKR", 2, "Pakistan Rupee" },
	{ "PLN", 2, "Zloty" }, { "PYG", 0, "Guarani" },
	{ "QAR", 2, "Qatari Rial" }, { "RON", 2, "Romanian Leu" },
	{ "RSD", 2, "Serbian Dinar" }, { "RUB", 2, "Russian Ruble" },
	{ "RWF", 0, "Rwanda Franc" }, { "SAR", 2, "Saudi Riyal" },
	{ "SBD", 2, "Solomon Islands Dollar" }, { "SCR", 2, "Seychelles Rupee" },
	{ "SDG", 2, "Sudanese Pound" }, { "SEK", 2, "Swedish Krona" },
	{ "SGD", 2, "Singapore Dollar" }, { "SHP", 2, "Saint Helena Pound" },
	{ "SLE", 2, "Leone" }, { "SOS", 2, "Somali Shilling" },
	{ "SRD", 2, "Surinam Dollar" }, { "SSP", 2, "South Sudanese Pound" },
	{ "STN", 2, "Dobra" }, { "SVC", 2, "El Salvador Colon" },
	{ "SYP", 2, "Syrian Pound" }, { "SZL", 2, "Lilangeni" },
	{ "THB", 2, "Baht" }, { "TJS", 2, "Somoni" },
	{ "TMT", 2, "Turkmenistan New Manat" }, { "TND", 3, "Tunisian Dinar" },
	{ "TOP", 2, "Pa'anga" }, { "TRY", 2, "Turkish Lira" },
	{ "TTD", 2, "Trinidad and Tobago Dollar" },
	{ "TWD", 2, "New Taiwan Dollar" }, { "TZS", 2, "Tanzanian Shilling" },
	{ "UAH", 2, "Hryvnia" }, { "UGX", 0, "Uganda Shilling" },
	{ "USD", 2, "US Dollar" }, { "USN", 2, "US Dollar (Next day)" },
	{ "UYI", 0, "Uruguay Peso en Unidades Indexadas" },
	{ "UYU", 2, "Peso Uruguayo" }, { "UYW", 4, "Unidad Previsional" },
	{ "UZS", 2, "Uzbekistan Sum" }, { "VED", 2, "Bolivar Soberano" },
	{ "VES", 2, "Bolivar Soberano" }, { "VND", 0, "Dong" },
	{ "VUV", 0, "Vatu" }, { "WST", 2, "Tala" },
	{ "XAF", 0, "CFA Franc BEAC" }, { "XCD", 2, "East Caribbean Dollar" },
	{ "XCG", 2, "Caribbean Guilder" }, { "XOF", 0, "CFA Franc BCEAO" },
	{ "XPF", 0, "CFP Franc" }, { "YER", 2, "Yemeni Rial" },
	{ "ZAR", 2, "Rand" }, { "ZMW", 2, "Zambian Kwacha" },
	{ "ZWG", 2, "Zimbabwe Gold" },
};

#define NCUR (sizeof(currencies) / sizeof(currencies[0]))

const struct currency *
money_currency(const char *code)
{
	size_t lo = 0, hi = NCUR;

	if (code == NULL || strlen(code) != 3)
		return NULL;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(code, currencies[mid].code);

		if (c == 0)
			return &currencies[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct currency *
money_currency_at(size_t i)
{
	return i < NCUR ? &currencies[i] : NULL;
}

static int
bad_field(struct spend_err *err, const char *field, const char *s,
    const char *why)
{
	int cut = 40;

	/* never cut a UTF-8 character in half: the message goes into JSON */
	if (strlen(s) > 40)
		while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
			cut--;
	return spend_errf(err, SPEND_EINVAL, field, "%s \"%.*s%s\": %s",
	    field, cut, s, strlen(s) > 40 ? "..." : "", why);
}

int
money_parse(const char *s, int exponent, bool decimal_comma, int64_t *out,
    struct spend_err *err)
{
	return money_parse_field(s, exponent, decimal_comma, MONEY_MAX_MINOR,
	    "amount", out, err);
}

int
money_parse_field(const char *s, int exponent, bool decimal_comma,
    int64_t limit, const char *field, int64_t *out, struct spend_err *err)
{
	const char *p = s;
	char sep = decimal_comma ? ',' : '.';
	bool neg = false, seen_sep = false;
	int int_digits = 0, frac_digits = 0;
	int64_t v = 0;

	if (s == NULL || *s == '\0')
		return bad_field(err, field, "", "empty");
	if (*p == '-' || *p == '+') {
		neg = *p == '-';
		p++;
	}
	if (*p == '\0')
		return bad_field(err, field, s, "not a decimal number");
	/* the characters first, so "1.000,00" is called grouping rather
	 * than "too many decimals" */
	for (const char *q = p; *q; q++) {
		if ((*q >= '0' && *q <= '9') || *q == sep)
			continue;
		if (*q == 'e' || *q == 'E')
			return bad_field(err, field, s, "exponents are not allowed");
		if (*q == ',' || *q == '.')
			return bad_field(err, field, s, decimal_comma ?
			    "not a decimal number (decimal comma expected, "
			    "no grouping)" :
			    "not a decimal number (use '.' for decimals, "
			    "no grouping)");
		return bad_field(err, field, s, "not a decimal number");
	}
	for (; *p; p++) {
		if (*p == sep) {
			if (seen_sep)
				return bad_field(err, field, s, "more than one decimal "
				    "separator");
			seen_sep = true;
			continue;
		}
		if (seen_sep) {
			if (++frac_digits > exponent) {
				if (exponent == 0)
					return bad_field(err, field, s, "this currency has "
					    "no decimals");
				char why[64];
				snprintf(why, sizeof(why), "too many decimals "
				    "(this currency has %d)", exponent);
				return bad_field(err, field, s, why);
			}
		} else
			int_digits++;
		if (v > (limit - (*p - '0')) / 10)
			return bad_field(err, field, s, "too large");
		v = v * 10 + (*p - '0');
	}
	if (int_digits == 0 && frac_digits == 0)
		return bad_field(err, field, s, "not a decimal number");
	if (seen_sep && frac_digits == 0)
		return bad_field(err, field, s, "no digits after the decimal separator");
	for (; frac_digits < exponent; frac_digits++) {
		if (v > limit / 10)
			return bad_field(err, field, s, "too large");
		v *= 10;
	}
	if (v > limit)
		return bad_field(err, field, s, "too large");
	*out = neg ? -v : v;
	return 0;
}

int
money_format(int64_t minor, int exponent, char *buf, size_t len)
{
	char digits[32], *d = digits + sizeof(digits);
	uint64_t u;
	int n, o = 0;
	size_t need;

	if (exponent < 0 || exponent + 1 > (int)sizeof(digits))
		return -1;
	/* magnitude as unsigned: -INT64_MIN is not representable; its
	 * digits, at least exponent + 1 of them, written from the right (as
	 * "%0*llu" would, without printf's cost on every amount of a list) */
	u = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
	do {
		*--d = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	while (digits + sizeof(digits) - d < exponent + 1)
		*--d = '0';
	n = (int)(digits + sizeof(digits) - d);
	need = (size_t)n + (minor < 0) + (exponent > 0) + 1;
	if (need > len)
		return -1;
	if (minor < 0)
		buf[o++] = '-';
	memcpy(buf + o, d, (size_t)(n - exponent));
	o += n - exponent;
	if (exponent > 0) {
		buf[o++] = '.';
		memcpy(buf + o, d + n - exponent, (size_t)exponent);
		o += exponent;
	}
	buf[o] = '\0';
	return o;
}

int64_t
money_scale_e4(int64_t minor, int exponent)
{
	static const int64_t pow10[] = { 10000, 1000, 100, 10, 1 };

	if (exponent < 0 || exponent > 4)
		return minor;
	return minor * pow10[exponent];
}

int
money_add(int64_t a, int64_t b, int64_t *out)
{
	if (__builtin_add_overflow(a, b, out))
		return SPEND_EINVAL;
	return 0;
}

int
money_rate_parse(const char *s, const char *field, int64_t *out,
    struct spend_err *err)
{
	int64_t v;
	int r;

	/* a rate is a 6-decimal amount: the same exact parser */
	if ((r = money_parse_field(s, 6, false, RATE_MAX, field, &v, err)) < 0)
		return r;
	if (v <= 0)
		return spend_errf(err, SPEND_EINVAL, field, "%s \"%.40s\": a "
		    "rate must be more than zero", field, s);
	*out = v;
	return 0;
}

void
money_rate_format(int64_t rate, char *buf, size_t len)
{
	size_t n;

	if (money_format(rate, 6, buf, len) < 0) {
		snprintf(buf, len, "?");
		return;
	}
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
}

int
money_convert(int64_t amount, int ea, int64_t ra, int eb, int64_t rb,
    int64_t *out)
{
	static const __int128 pow10[] = { 1, 10, 100, 1000, 10000 };
	__int128 num, den, q, rem;
	bool neg = amount < 0;

	if (ra <= 0 || rb <= 0 || ea < 0 || ea > 4 || eb < 0 || eb > 4)
		return SPEND_EINVAL;
	num = (__int128)(neg ? -amount : amount) * rb * pow10[eb];
	den = (__int128)ra * pow10[ea];
	q = num / den;
	rem = num % den;
	/* half to even: exactly half goes to the even neighbour */
	if (rem * 2 > den || (rem * 2 == den && (q & 1)))
		q++;
	if (q > MONEY_MAX_MINOR)
		return SPEND_EINVAL;
	*out = neg ? -(int64_t)q : (int64_t)q;
	return 0;
}
