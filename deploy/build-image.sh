#!/usr/bin/env bash
# Builds the container image with its AppCDS archive baked in (start-up about 40 % faster, see docs/benchmarks.md: The container image):
#   1. Jib builds the image (mvn -Pimage) and the engine loads it;
#   2. the image runs once (no network) with -XX:ArchiveClassesAtExit until its routes have started, then stops:
#      the JVM of the image writes the archive of the classes it loaded, for the image's own class path;
#   3. Jib builds the image again with the archive in /app/cds and -XX:SharedArchiveFile: the same layers (Jib's
#      are reproducible: same files, same times), so the archive matches the class path, plus the archive's layer.
# The result is left in target/jib-image.tar and loaded into the engine.
#
#   deploy/build-image.sh [IMAGE] [MAVEN ARGS...]      IMAGE default soar-deferred:VERSION; ENGINE=podman or docker
#   e.g. deploy/build-image.sh registry.example.org/soar/soar-deferred:0.1.0 -Djib.from.image=...
set -euo pipefail
cd "$(dirname "$0")/.."
engine=${ENGINE:-$(command -v podman >/dev/null 2>&1 && echo podman || echo docker)}
image=${1:-}
[ $# -gt 0 ] && shift
version=$(sed -n 's|^  <version>\(.*\)</version>|\1|p' pom.xml | head -1)
image=${image:-soar-deferred:$version}
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
cds=$PWD/target/image-cds
tar=${IMAGE_TAR:-$PWD/target/jib-image.tar}
# compile, the application jar of the image and the image (not package: the service's jar is left alone)
jib() { mvn -B -q ${MAVEN_OPTS_IMAGE:-} -Pimage compile jar:jar@image-app-jar jib:buildTar -Djib.to.image="$image" -Djib.outputPaths.tar="$tar" \
  -Dgit.commit="$commit" "$@"; }

rm -rf "$cds"
jib "$@"
"$engine" load -q -i "$tar" > /dev/null
first=$("$engine" image inspect --format '{{.Id}}' "$image")
mkdir -p "$cds/out"
chmod 777 "$cds/out"   # the image's user (uid 1000) writes the archive
name=soar-cds-$$
"$engine" run -d --name "$name" --network none -v "$cds/out:/cds" \
  -e JAVA_TOOL_OPTIONS=-XX:ArchiveClassesAtExit=/cds/soar-deferred.jsa \
  -e SOAR_DATA_DIR=/tmp/data -e SOAR_INBOX=/tmp/inbox -e SOAR_OUTBOX=/tmp/outbox "$image" > /dev/null
trap '"$engine" rm -f "$name" > /dev/null 2>&1 || true' EXIT
# (the whole log in a string: grep -q would end the pipe early, and pipefail take that for a failure)
started() { [[ $("$engine" logs "$name" 2>&1) == *"started in"* ]]; }
for _ in $(seq 1200); do started && break; sleep 0.1; done
started || { "$engine" logs "$name" >&2; echo "the image did not start" >&2; exit 1; }
"$engine" stop -t 60 "$name" > /dev/null
[ -s "$cds/out/soar-deferred.jsa" ] || { "$engine" logs "$name" >&2; echo "no archive was written" >&2; exit 1; }
"$engine" rm "$name" > /dev/null
mv "$cds/out/soar-deferred.jsa" "$cds/soar-deferred.jsa"
rm -rf "$cds/out"
chmod 644 "$cds/soar-deferred.jsa"
jib -Dimage.cds.dir="$cds" -Dimage.cds.flag=-XX:SharedArchiveFile=/app/cds/soar-deferred.jsa "$@"
"$engine" load -q -i "$tar" > /dev/null
# the first build, now without a name, goes
[ "$("$engine" image inspect --format '{{.Id}}' "$image")" = "$first" ] || "$engine" rmi "$first" > /dev/null 2>&1 || true
echo "$image: with its AppCDS archive ($(du -m "$cds/soar-deferred.jsa" | cut -f1) MB), in $tar"
