#!/usr/bin/env bash
# A development/test certificate authority and the certificates signed by it, made with openssl:
#   deploy/tls/dev-certs.sh [DIR]      (default deploy/tls/.cache)
# DIR gets ca.pem (+ ca.key), server.pem/server.key (CN localhost; SAN localhost, 127.0.0.1, ::1),
# client.pem/client.key (CN osprey-client, for mutual TLS) and server.p12 (password in
# server.p12.password) for Java servers such as Kafka. Idempotent: an existing complete set is
# kept. Never use these for production: the CA key sits beside its certificate.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-$here/.cache}
mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9
[ -f "$dir/.complete" ] && exit 0
cd "$dir"
umask 077
days=3650
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days "$days" \
  -subj "/CN=Osprey development CA" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

sign() { # name subject extensions
  openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null
  printf '%s\n' "$3" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" \
    -days "$days" -sha256 -extfile "$1.ext" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}
sign server "/CN=localhost" "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
extendedKeyUsage=serverAuth,clientAuth"
sign client "/CN=osprey-client" "extendedKeyUsage=clientAuth"

openssl rand -hex 16 > server.p12.password
openssl pkcs12 -export -in server.pem -inkey server.key -certfile ca.pem -name server \
  -out server.p12 -passout "file:server.p12.password"
chmod 644 ca.pem server.pem client.pem
touch .complete
