#!/usr/bin/env bash
# Builds the base images that the Dockerfile's NODE_BUILD_IMAGE / NODE_RUNTIME_IMAGE arguments
# take, on a machine that cannot pull node:24-bookworm from a registry (docs/deploy.md):
#   heartbeats-base-runtime  Debian bookworm (debootstrap --variant=minbase, from the mirror apt
#                            uses here), Node 24 from the npm registry, the user node (uid 1000)
#   heartbeats-base-build    the runtime plus npm, python3, make, g++ and Node's headers for native
#                            modules, and THIS machine's npm registry, proxy and CA bundle, so that
#                            npm inside a build reaches the registry as the host does. Those settings
#                            exist only in this local image: never in the repository, nor in the
#                            final image (its runtime stage starts from heartbeats-base-runtime).
# An image that exists already is kept (REBUILD=1 rebuilds both). Needs root, podman, debootstrap.
#   bin/image/make-base.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$here/containers.conf}"
export PATH="$PATH:/usr/sbin:/sbin"
BUILD_IMAGE=heartbeats-base-build
RUNTIME_IMAGE=heartbeats-base-runtime
NODE_SPEC="${NODE_SPEC:-node@24}"
NPM_SPEC="${NPM_SPEC:-npm@11}"

if [ -z "${REBUILD:-}" ] && podman image exists "$BUILD_IMAGE" && podman image exists "$RUNTIME_IMAGE"; then
  echo "$BUILD_IMAGE and $RUNTIME_IMAGE exist (REBUILD=1 rebuilds them)"
  exit 0
fi

# The first bookworm source of apt's lists, one-line or deb822 format; MIRROR overrides it.
debian_mirror() {
  { cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null || true; } |
    awk '/^deb / { sub(/\[[^]]*\] */, ""); if ($3 == "bookworm") { print $2; exit } }
         /^URIs:/ { uris = $2 }
         /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm" && uris) { print uris; exit } }
         /^$/ { uris = "" }'
}
mirror="${MIRROR:-$(debian_mirror)}"
mirror="${mirror:-http://deb.debian.org/debian}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
start=$SECONDS

echo "== Node ($NODE_SPEC) and npm ($NPM_SPEC) from $(npm config get registry)"
npm install --prefix "$work/npm" --no-save --no-package-lock --no-audit --no-fund "$NODE_SPEC" "$NPM_SPEC" >/dev/null
node_pkg="$(dirname "$(readlink -f "$work/npm/node_modules/node/bin/node")")/.."
[ -d "$node_pkg/include/node" ] || node_pkg="$(ls -d "$work"/npm/node_modules/node/node_modules/node-linux-* | head -1)"
"$node_pkg/bin/node" --version

echo "== Debian bookworm (minbase) from $mirror"
rootfs="$work/rootfs"
debootstrap --variant=minbase --include=libstdc++6 bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" ||
  { tail -20 "$work/debootstrap.log"; exit 1; }
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
install -m 0755 "$node_pkg/bin/node" "$rootfs/usr/local/bin/node"
# The user node (uid 1000), as in the official node images, so USER 1000 has a name and a home.
echo 'node:x:1000:1000::/home/node:/bin/sh' >>"$rootfs/etc/passwd"
echo 'node:x:1000:' >>"$rootfs/etc/group"
echo 'node:*:19000:0:99999:7:::' >>"$rootfs/etc/shadow"
install -d -o 1000 -g 1000 "$rootfs/home/node"
tar -C "$rootfs" -c . | podman import --change 'CMD ["node"]' - "$RUNTIME_IMAGE" >/dev/null
echo "$RUNTIME_IMAGE: $((SECONDS - start)) s"

echo "== $BUILD_IMAGE"
ctx="$work/build"
mkdir -p "$ctx"
cp -a "$work/npm/node_modules/npm" "$ctx/npm"
cp -a "$node_pkg/include" "$ctx/include"
# This machine's way to the registry: read at run time, written only into the build base.
cp "$(npm config get cafile | grep -vx null || echo /etc/ssl/certs/ca-certificates.crt)" "$ctx/ca-certificates.crt"
{
  echo "registry=$(npm config get registry)"
  for key in proxy https-proxy noproxy; do
    value="$(npm config get "$key")"
    [ -n "$value" ] && [ "$value" != null ] && echo "$key=$value"
  done
  echo "cafile=/etc/ssl/certs/ca-certificates.crt"
} >"$ctx/npmrc"
cat >"$ctx/Containerfile" <<'CONTAINERFILE'
FROM heartbeats-base-runtime
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      python3 make g++ \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb
COPY npm /usr/local/lib/node_modules/npm
COPY include /usr/local/include
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY npmrc /usr/local/etc/npmrc
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && ln -s ../local/include/node /usr/include/node \
 && npm --version
# Node-gyp finds the headers under /usr/local (and /usr, where this project's .npmrc points)
# instead of downloading them, which it cannot; HTTP(S)_PROXY reach what npm's own settings do not (git, curl in install scripts).
ENV npm_config_nodedir=/usr/local
CONTAINERFILE
proxy_args=()
for var in HTTP_PROXY HTTPS_PROXY NO_PROXY http_proxy https_proxy no_proxy; do
  [ -n "${!var:-}" ] && proxy_args+=(--env "$var=${!var}")
done
podman build --isolation chroot --network host --runtime runc --format docker "${proxy_args[@]}" \
  -t "$BUILD_IMAGE" "$ctx" >"$work/build.log" || { tail -30 "$work/build.log"; exit 1; }
echo "$BUILD_IMAGE: $((SECONDS - start)) s in all"
