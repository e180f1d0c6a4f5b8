#!/usr/bin/env bash
# Builds the container image as a user would (deploy/build-image.sh: Jib, no daemon, with AppCDS) but on a base made here, as no
# registry can be reached in CI: the installed JDK (its JAVA_HOME) and the libraries ldd finds for it, imported into
# podman and saved as a docker-archive (what Jib's tar:// base needs; an OCI archive fails), then loads the image.
#
#   src/test/container/build-image.sh WORKDIR IMAGE      e.g. /tmp/x localhost/soar-deferred:test
# Needs podman and mvn.
set -euo pipefail
cd "$(dirname "$0")/../../.."
work=$1
image=$2
java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
mkdir -p "$work"
root=$work/base-root
rm -rf "$root"
mkdir -p "$root/opt/java" "$root/tmp" "$root/etc"
chmod 1777 "$root/tmp"
# the JDK with its symbolic links followed (Debian's points into /etc and /usr/share), less the dangling ones (src.zip)
mkdir -p "$root/opt/java/openjdk"
(cd "$java_home" && find . -xtype l > "$work/dangling" && tar -chf - -X "$work/dangling" .) | tar -C "$root/opt/java/openjdk" -xf -
# the shared libraries the JVM and its native libraries need (libc, libz, ...), at the paths ldd names
find "$root/opt/java/openjdk" -name '*.so' -o -path '*/bin/*' -type f | while read -r f; do
  ldd "$f" 2>/dev/null | grep -o '/[^ ]*' || true
done | sort -u | while read -r lib; do
  [ -e "$lib" ] || continue
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
printf 'root:x:0:0:root:/root:/sbin/nologin\nsoar:x:1000:0:soar:/data:/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\n' > "$root/etc/group"
printf 'hosts: files dns\n' > "$root/etc/nsswitch.conf"
tar -C "$root" -cf "$work/base-rootfs.tar" .
rm -rf "$root"
podman import --change 'ENV=PATH=/opt/java/openjdk/bin:/usr/bin:/bin' --change 'ENV=JAVA_HOME=/opt/java/openjdk' \
  "$work/base-rootfs.tar" localhost/soar-test-base:latest > /dev/null
rm -f "$work/base-rootfs.tar" "$work/base.tar"
podman save -q --format docker-archive -o "$work/base.tar" localhost/soar-test-base:latest
# the image as users build it, its AppCDS archive included (deploy/build-image.sh), on the local base
ENGINE=podman IMAGE_TAR="$work/image.tar" MAVEN_OPTS_IMAGE="${SOAR_TEST_MVN_OPTS:-}" \
  deploy/build-image.sh "$image" -Djib.from.image="tar://$work/base.tar"
rm -f "$work/image.tar" "$work/base.tar"
