#!/bin/sh
# Accounts and sessions end to end over HTTP: first account is admin,
# closed registration, login, me, refresh (cookie and body), sessions,
# logout, logout everywhere, password change, roles, account deletion,
# user.add with a password, rehash when the Argon2 cost changes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/http-lib.sh"

start_spendd || { not_ok "spendd starts"; done_testing; }
ORIGIN="Origin: http://127.0.0.1:$HTTP_PORT"
JAR=$T/jar

req POST /api/v1/auth/register '{"username":"alice","password":"short"}'
expect "a 5-byte password is refused" 400
like "... naming the field" "$BODY" '"field":"password"'
req POST /api/v1/auth/register '{"username":"alice","password":"alice-pass-1"}'
expect "the first account registers" 201
is "... and is admin" "$(jb role)" admin
req POST /api/v1/auth/register '{"username":"mallory","password":"mallory-pass"}'
expect "registration is closed after that" 403
like "... and says so" "$BODY" "registration is closed"

# an admin adds bob on the socket, with a password (hashed on a worker)
r=$(rpc user.add '{"name":"bob","password":"bob-pass-1"}')
like "user.add with a password" "$r" '"has_password":true'
r=$(rpc user.add '{"name":"carol","password":"1234567"}')
like "user.add refuses a 7-byte password" "$r" '"field":"password"'
r=$(rpc user.add '{"name":"bob","password":"bob-pass-1"}')
like "user.add refuses a taken name" "$r" '"type":"conflict"'

req POST /api/v1/auth/login '{"username":"alice","password":"wrong-password"}'
expect "a wrong password: 401" 401
req POST /api/v1/auth/login '{"username":"nobody","password":"wrong-password"}'
expect "an unknown user: the same 401" 401
like "... the same message" "$BODY" "wrong user name or password"

req POST /api/v1/auth/login '{"username":"alice","password":"alice-pass-1"}' -c "$JAR"
expect "alice logs in" 200
is "token_type Bearer" "$(jb token_type)" Bearer
is "expires_in 15 minutes" "$(jb expires_in)" 900
is "no refresh token in the body for a browser" "$(jb -d null refresh_token)" null
cookie=$(header Set-Cookie)
like "refresh cookie set" "$cookie" "spend_refresh="
like "... HttpOnly" "$cookie" "HttpOnly"
like "... SameSite=Strict" "$cookie" "SameSite=Strict"
like "... only for the auth routes" "$cookie" "Path=/api/v1/auth"
A=$(jb access_token)
as "$A" GET /api/v1/me
expect "GET /api/v1/me" 200
is "... is alice" "$(jb name)" alice

req POST /api/v1/auth/refresh -b "$JAR" -c "$JAR" -H "$ORIGIN" -H "X-Spend-CSRF: 1"
expect "refresh with the cookie" 200
A2=$(jb access_token)
like "... rotates the cookie" "$(header Set-Cookie)" "spend_refresh="
as "$A2" GET /api/v1/me
expect "the new access token works" 200

# an API client: refresh token in the body
login bob bob-pass-1; B=$TOKEN
RB=$REFRESH
isnt "bob logs in, refresh token in the body" "$RB" ""
is "... 43 characters" "${#RB}" 43
req POST /api/v1/auth/refresh "{\"refresh_token\":\"$RB\"}"
expect "bob refreshes with it" 200
RB2=$(jb refresh_token)
B2=$(jb access_token)
[ "$RB" != "$RB2" ] && ok "... and gets a new one" || not_ok "... and gets a new one"

# roles
as "$B2" GET /api/v1/users
expect "a user may not list users" 403
as "$B2" GET /api/v1/status
expect "nor see the server status" 403
as "$A2" GET /api/v1/users
expect "the admin may" 200
as "$A2" GET /api/v1/expenses?user=bob
expect "an admin over HTTP acts only for themself" 403
as "$A2" POST /api/v1/auth/rotate-key
expect "the admin rotates the signing key" 200
as "$A2" GET /api/v1/me
expect "tokens signed with the old key stay valid" 200
as "$B2" POST /api/v1/auth/rotate-key
expect "a user may not rotate it" 403

# sessions
login bob bob-pass-1; B3=$TOKEN
RB3=$REFRESH
S3=$SESSION
as "$B3" GET /api/v1/sessions
expect "bob lists his sessions" 200
is "... two of them" "$(jb count)" 2
is "... this one is marked current" "$(jb 'items[current].0.id')" "$S3"
S2=$(jb 'items[!current].0.id')
as "$B3" DELETE "/api/v1/sessions/$S2"
expect "bob ends his other session" 200
as "$B2" GET /api/v1/me
expect "its access token stops working" 401
req POST /api/v1/auth/refresh "{\"refresh_token\":\"$RB2\"}"
expect "its refresh token too" 401
as "$A2" DELETE "/api/v1/sessions/$S3"
expect "alice cannot end bob's session" 404
as "$B3" GET /api/v1/me
expect "... which still works" 200

# logout
req POST /api/v1/auth/logout "{\"refresh_token\":\"$RB3\"}"
expect "logout" 200
req POST /api/v1/auth/refresh "{\"refresh_token\":\"$RB3\"}"
expect "after logout the refresh token is dead" 401
as "$B3" GET /api/v1/me
expect "... and the access token" 401

# password change ends every session and logs this one in again
login bob bob-pass-1; B4=$TOKEN; RB4=$REFRESH
login bob bob-pass-1; B5=$TOKEN
as "$B5" POST /api/v1/auth/password '{"password":"not-it-at-all","new_password":"bob-pass-2"}'
expect "password change with a wrong current password: 401" 401
as "$B5" POST /api/v1/auth/password '{"password":"bob-pass-1","new_password":"short"}'
expect "... to a too short one: 400" 400
as "$B5" POST /api/v1/auth/password '{"password":"bob-pass-1","new_password":"bob-pass-2","refresh_in_body":true}'
expect "password changed" 200
B6=$(jb access_token)
as "$B6" GET /api/v1/me
expect "... this device is logged in again" 200
as "$B4" GET /api/v1/me
expect "... the other sessions are over" 401
req POST /api/v1/auth/refresh "{\"refresh_token\":\"$RB4\"}"
expect "... refresh tokens too" 401
req POST /api/v1/auth/login '{"username":"bob","password":"bob-pass-1"}'
expect "the old password no longer works" 401
login bob bob-pass-2; B7=$TOKEN
as "$B7" GET /api/v1/me
expect "the new one does" 200

# logout everywhere
login bob bob-pass-2; B8=$TOKEN; RB8=$REFRESH
as "$B7" POST /api/v1/auth/logout-all
expect "logout everywhere" 200
as "$B8" GET /api/v1/me
expect "... every access token dies" 401
req POST /api/v1/auth/refresh "{\"refresh_token\":\"$RB8\"}"
expect "... every refresh token dies" 401
login bob bob-pass-2; B9=$TOKEN
as "$B9" GET /api/v1/me
expect "a new login right after works" 200

# delete own account
as "$B9" POST /api/v1/expenses '{"amount":"3.00","category":"food"}'
as "$B9" DELETE /api/v1/me '{"password":"bob-pass-1"}'
expect "deleting the account needs the current password" 401
as "$B9" DELETE /api/v1/me '{"password":"bob-pass-2"}'
expect "bob deletes his account" 200
as "$B9" GET /api/v1/me
expect "... his token is dead" 401
req POST /api/v1/auth/login '{"username":"bob","password":"bob-pass-2"}'
expect "... he cannot log in" 401
r=$(rpc user.get '{"name":"bob"}')
like "... he is gone with his data" "$r" '"type":"not_found"'

# rehash: a stronger cost at the next start rehashes at login
stop_spendd
start_spendd -o auth.argon2_opslimit=2 -o auth.argon2_memlimit=16k ||
    { not_ok "spendd restarts"; done_testing; }
req POST /api/v1/auth/login '{"username":"alice","password":"alice-pass-1"}'
expect "login after the cost changed" 200
like "... the password was rehashed" "$(cat "$T/spendd.log")" 'rehashed the password of "alice"'
req POST /api/v1/auth/login '{"username":"alice","password":"alice-pass-1"}'
expect "... and still works" 200
done_testing
