#!/usr/bin/env bash
# Regenerates the client code under clients/ from proto/: Python (messages,
# type stubs, gRPC stubs), TypeScript (protoc-gen-es v2: messages and service
# descriptors for Connect) and Go (protoc-gen-go, protoc-gen-go-grpc).
#
# Installs nothing: it checks that its tools are there, at the versions the
# committed code was made with, and says how to get them when they are not.
# The generated directories are deleted first, so a file that should no longer
# exist shows up as a diff. Running it twice changes nothing.
#
# Templates: buf.gen.yaml (our protos, every language) and
# buf.gen.google-rpc.yaml (the vendored google.rpc protos, TypeScript only).
set -euo pipefail
cd "$(dirname "$0")/.."

# The versions the committed code was generated with. Another version writes
# different code (Python embeds the protobuf and grpcio versions), so CI would
# see a diff: install these, or regenerate and commit with the new ones.
GRPCIO_TOOLS_VERSION=1.85.1
PROTOC_GEN_GO_VERSION="protoc-gen-go v1.28.1"
PROTOC_GEN_GO_GRPC_VERSION="protoc-gen-go-grpc 1.0"

missing=0
need() { echo "gen-clients: $*" >&2; missing=1; }

command -v buf >/dev/null || need "buf not found: npm install --global @bufbuild/buf"

if ! tools_version=$(python3 -c 'import importlib.metadata as m; print(m.version("grpcio-tools"))' 2>/dev/null); then
    need "grpcio-tools not found: pip install grpcio-tools==$GRPCIO_TOOLS_VERSION"
elif [ "$tools_version" != "$GRPCIO_TOOLS_VERSION" ]; then
    need "grpcio-tools is $tools_version, the clients are generated with $GRPCIO_TOOLS_VERSION: pip install grpcio-tools==$GRPCIO_TOOLS_VERSION"
fi

[ -x clients/ts/node_modules/.bin/protoc-gen-es ] \
    || need "protoc-gen-es not found in clients/ts/node_modules: (cd clients/ts && npm ci)"

check_go_plugin() { # name, expected --version output, Debian package
    local found
    if ! command -v "$1" >/dev/null; then
        need "$1 not found: apt-get install $3 (Debian 12)"
        return
    fi
    found=$("$1" --version 2>&1 || true)
    [ "$found" = "$2" ] \
        || need "$1 --version says '$found'; the clients are generated with '$2' (Debian 12's package $3)"
}
check_go_plugin protoc-gen-go "$PROTOC_GEN_GO_VERSION" protoc-gen-go
check_go_plugin protoc-gen-go-grpc "$PROTOC_GEN_GO_GRPC_VERSION" protoc-gen-go-grpc

[ "$missing" -eq 0 ] || exit 1

rm -rf clients/python/shop clients/ts/src/gen clients/go/gen

buf generate --template buf.gen.yaml
buf generate --template buf.gen.google-rpc.yaml

# buf runs only protoc's built-in generators and plugin executables; the gRPC
# Python generator exists only inside grpcio-tools' protoc, so it runs here,
# on the files that declare a service.
grpc_tools_protos=$(python3 -c 'import grpc_tools, os; print(os.path.join(os.path.dirname(grpc_tools.__file__), "_proto"))')
mapfile -t service_protos < <(grep -rl --include='*.proto' '^service ' proto/shop | LC_ALL=C sort)
python3 -m grpc_tools.protoc -I proto -I "$grpc_tools_protos" \
    --grpc_python_out=clients/python "${service_protos[@]}"

# Regular packages, so `import shop.cart.v1.cart_pb2` works with clients/python
# on sys.path. google.rpc is not generated for Python: googleapis-common-protos
# has it, as grpcio-status uses it.
find clients/python/shop -type d -exec touch {}/__init__.py \;

echo "gen-clients: clients/ regenerated from proto/"
