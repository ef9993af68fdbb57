# Exporter security (issue 10.11): --web.config.file in the Prometheus
# exporter-toolkit format.  Bad files are refused with one sentence; with TLS
# and basic auth, curl gets 401 without or with a wrong password and the exact
# numbers with the right one; plain HTTP gets nothing; a real Prometheus
# scrapes over TLS with basic auth (PromQL returns the workload's exact
# calls); with client_auth_type RequireAndVerifyClientCert a client without a
# certificate of the CA is refused.  Certificates are made here with openssl.
. "$(dirname "$0")/lib.sh"
for t in openssl prometheus python3; do command -v $t >/dev/null || fail "$t is not installed (scripts/install-deps.sh test)"; done
U=$(id -un)
C="$T/pki"; mkdir "$C"
ossl() { openssl "$@" >>"$T/openssl.log" 2>&1 || fail "openssl $1: $(tail -3 "$T/openssl.log")"; }
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$C/ca.key" -out "$C/ca.crt" -days 2 -subj "/CN=vigil test CA"
for n in server client; do
	ossl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$C/$n.key" -out "$C/$n.csr" -subj "/CN=$n"
	printf 'subjectAltName=IP:127.0.0.1\n' >"$C/$n.ext"
	ossl x509 -req -in "$C/$n.csr" -CA "$C/ca.crt" -CAkey "$C/ca.key" -CAcreateserial -out "$C/$n.crt" -days 2 -extfile "$C/$n.ext"
done
HASH=$(python3 -W ignore -c 'import crypt; print(crypt.crypt("s3cret", crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))')
case $HASH in '$2'*) ;; *) fail "no bcrypt hash from python3: $HASH" ;; esac

# refused configurations: one sentence, exit 1, nothing started
bad() { # bad NAME 'yaml' 'expected words'
	printf '%s\n' "$2" >"$T/$1.yml"
	if "$VIGILD" --listen 127.0.0.1:$(free_port) --dir "$SEG" --state-dir "$T/bad-$1" --socket none \
		--web.config.file "$T/$1.yml" >/dev/null 2>"$T/$1.err"; then fail "$1: started"; fi
	[ "$(wc -l <"$T/$1.err")" = 1 ] && grep -q "$3" "$T/$1.err" || fail "$1: $(cat "$T/$1.err")"
}
bad unknown "tls_server_config: { cert_file: $C/server.crt, key_file: $C/server.key }
basic_auth_user: { prom: '$HASH' }" "unknown key 'basic_auth_user'"
bad tlskey "tls_server_config: { cert_file: $C/server.crt, key_file: $C/server.key, min_versio: TLS12 }" "unknown key 'min_versio' in tls_server_config"
bad notbcrypt "basic_auth_users: { prom: plain }" "not a bcrypt hash"
bad nokey "tls_server_config: { cert_file: $C/server.crt }" "needs both cert_file and key_file"
bad authtype "tls_server_config: { cert_file: $C/server.crt, key_file: $C/server.key, client_auth_type: Sometimes }" "unknown client_auth_type"
bad yaml "tls_server_config: [ unclosed" "not valid YAML"

start_tls() { # start_tls CONFIG: vigild on TLS (lib.sh's start_vigild polls plain HTTP)
	PORT=$(free_port)
	"$VIGILD" --listen 127.0.0.1:$PORT --dir "$SEG" --state-dir "$STATE" --profile-dir "$PROF" --socket none \
		--interval 0.05 --web.config.file "$1" >>"$T/vigild.log" 2>&1 &
	VD_PID=$!
	wait_for sh -c "curl -s -o /dev/null --cacert '$C/ca.crt' https://127.0.0.1:$PORT/ ${2:-}" || fail "vigild on TLS did not start"
}
cat >"$T/web.yml" <<YML
tls_server_config:
  cert_file: $C/server.crt
  key_file: $C/server.key
basic_auth_users:
  prom: '$HASH'
YML
start_tls "$T/web.yml"
"$SEGTOOL" "$SEG" jobS --op write --calls 37 --bytes 3
code() { curl -s -o "$T/body" -w '%{http_code}' --cacert "$C/ca.crt" "$@" "https://127.0.0.1:$PORT/metrics"; }
[ "$(code)" = 401 ] || fail "no credentials: $(code)"
[ "$(code -u prom:wrong)" = 401 ] || fail "wrong password: $(code -u prom:wrong)"
[ "$(code -u nobody:s3cret)" = 401 ] || fail "unknown user"
has37() { [ "$(code -u prom:s3cret)" = 200 ] && grep -qx "vigil_io_operations_total{jobid=\"jobS\",user=\"$U\",layer=\"posix\",op=\"write\"} 37" "$T/body"; }
wait_for has37 || fail "right password: $(code -u prom:s3cret) $(grep jobS "$T/body" | head -2)"
! curl -sf -m 5 "http://127.0.0.1:$PORT/metrics" >/dev/null 2>&1 || fail "plain HTTP answered"
# a real Prometheus over TLS with basic auth
PP=$(free_port)
cat >"$T/prom.yml" <<YML
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: vigil
    scheme: https
    tls_config: { ca_file: $C/ca.crt }
    basic_auth: { username: prom, password: s3cret }
    static_configs: [ { targets: ["127.0.0.1:$PORT"] } ]
YML
prometheus --config.file="$T/prom.yml" --storage.tsdb.path="$T/tsdb" --web.listen-address=127.0.0.1:$PP >"$T/prom.log" 2>&1 &
PIDS="$PIDS $!"
q() { curl -sf -m 5 --get "http://127.0.0.1:$PP/api/v1/query" --data-urlencode "query=$1" | jq -r '.data.result[0].value[1] // empty'; }
got() { [ "$(q "$1")" = "$2" ]; }
wait_for got 'vigil_io_operations_total{jobid="jobS",op="write"}' 37 || wait_for got 'vigil_io_operations_total{jobid="jobS",op="write"}' 37 ||
	fail "PromQL over TLS: $(q 'vigil_io_operations_total{jobid="jobS",op="write"}'); $(curl -s "http://127.0.0.1:$PP/api/v1/targets" | jq -c '.data.activeTargets[0] | {health, lastError}')"
got "count(vigil_job_info{jobid=\"jobS\",user=\"$U\"})" 1 || fail "an authenticated scraper sees the user label"
kill $VD_PID; wait $VD_PID || true
# client certificates: RequireAndVerifyClientCert
cat >"$T/mtls.yml" <<YML
tls_server_config:
  cert_file: $C/server.crt
  key_file: $C/server.key
  client_ca_file: $C/ca.crt
  client_auth_type: RequireAndVerifyClientCert
YML
start_tls "$T/mtls.yml" "--cert '$C/client.crt' --key '$C/client.key'"
[ "$(code --cert "$C/client.crt" --key "$C/client.key")" = 200 ] || fail "client certificate refused: $(code --cert "$C/client.crt" --key "$C/client.key")"
c=$(code); case $c in 200) fail "no client certificate, yet 200" ;; esac
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$C/other.key" -out "$C/other.crt" -days 2 -subj "/CN=other"
c=$(code --cert "$C/other.crt" --key "$C/other.key"); case $c in 200) fail "a certificate of another CA, yet 200" ;; esac
echo ok
