#!/usr/bin/env bash
# make_tls.sh — a throwaway CA and one node certificate for trying the cluster over TLS on one
# machine: writes ca.pem, node.pem and node.key into DIR (default build/cluster-tls). Real
# deployments use their own CA and one certificate per node.
#   examples/cluster/make_tls.sh [DIR]
#   then give every node: --cluster.tls_certificate=DIR/node.pem --cluster.tls_key=DIR/node.key
#                         --cluster.tls_ca_file=DIR/ca.pem
set -euo pipefail
dir=${1:-build/cluster-tls}
mkdir -p "$dir"
cd "$dir"
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=CartMate example CA" \
  -keyout ca.key -out ca.pem 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=cartmate-node" -keyout node.key -out node.csr 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >node.ext
openssl x509 -req -in node.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
  -extfile node.ext -out node.pem 2>/dev/null
rm -f node.csr node.ext ca.srl
chmod 600 ca.key node.key
echo "wrote $(pwd)/{ca.pem,node.pem,node.key}"
