// Verify spendd's access tokens with an independent JWT implementation
// (jose). Usage: node verify-jwt.mjs KEYFILE TOKEN...
// Prints one JSON line per token: {"ok":true,"header":...,"payload":...}
// or {"ok":false,"error":"..."}. The key file is spendd's DATA_DIR/jwt.key
// ("KID BASE64URL-KEY" lines); the token's kid picks the key.
import { readFileSync } from 'node:fs';
import { jwtVerify, decodeProtectedHeader, base64url } from 'jose';

const [keyfile, ...tokens] = process.argv.slice(2);
const keys = new Map(readFileSync(keyfile, 'utf8').trim().split('\n')
    .map((l) => l.split(' ')).map(([kid, k]) => [kid, base64url.decode(k)]));

for (const token of tokens) {
	try {
		const header = decodeProtectedHeader(token);
		const key = keys.get(header.kid);
		if (!key)
			throw new Error(`unknown kid ${header.kid}`);
		const { payload, protectedHeader } = await jwtVerify(token, key, {
			algorithms: ['HS256'], issuer: 'spendd', audience: 'spend',
			typ: 'JWT', requiredClaims: ['sub', 'exp', 'iat', 'nbf', 'jti'],
		});
		console.log(JSON.stringify({ ok: true, header: protectedHeader, payload }));
	} catch (e) {
		console.log(JSON.stringify({ ok: false, error: String(e.code || e.message) }));
	}
}
