# syntax=docker/dockerfile:1
#
# Container image for `sagekey serve` (see deploy/README.md for Kubernetes).
#
#   docker build -t sagekey:dev .
#   docker run --rm -p 8080:8080 \
#     -v "$PWD/sagekey.yaml:/etc/sagekey/sagekey.yaml:ro" \
#     -v "$PWD/auth-token:/var/run/secrets/sagekey/auth-token:ro" \
#     -e SAGEKEY_DB=postgres://... sagekey:dev

# ---- build stage -------------------------------------------------------------
# The Go minor version matches go.mod's `go` line; the 1.26 tag tracks the newest
# 1.26.x patch release, so it always satisfies go.mod's patch-level minimum.
FROM golang:1.26 AS build
WORKDIR /src

# Download modules in their own layer so a source-only change does not refetch
# them. The cache mounts keep the module and build caches across builds.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download

COPY . .
# CGO_ENABLED=0: a fully static binary that needs no libc, so it runs on the
# distroless "static" base (the SQLite driver, modernc.org/sqlite, is pure Go).
# -trimpath drops local file paths from the binary; -s -w drop the symbol table
# and DWARF data (smaller image; stack traces still carry function names).
# .git is not in the build context (.dockerignore), so the version comes from
# the build arguments goreleaser passes (VERSION, COMMIT, DATE), stamped as in
# .goreleaser.yaml; without them the binary says "devel".
ARG VERSION="" COMMIT="" DATE=""
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w \
      -X github.com/sagekey/sagekey/internal/version.version=${VERSION} \
      -X github.com/sagekey/sagekey/internal/version.commit=${COMMIT} \
      -X github.com/sagekey/sagekey/internal/version.date=${DATE}" \
    -o /out/sagekey ./cmd/sagekey

# ---- final stage -------------------------------------------------------------
# distroless/static: CA certificates (needed for the AWS APIs and TLS to
# PostgreSQL), tzdata and /etc/passwd, and nothing else: no shell, no package
# manager, so a compromised process has no tools to work with. The :nonroot
# variant defaults to uid/gid 65532.
FROM gcr.io/distroless/static-debian12:nonroot

COPY --from=build /out/sagekey /sagekey

# Run as the unprivileged "nonroot" user (65532:65532). Kubernetes'
# runAsNonRoot check needs a numeric UID to verify, so the manifests also set
# runAsUser: 65532.
USER 65532:65532

# The HTTP server: dashboard at /, /healthz, /readyz, /metrics, POST /api/scan.
EXPOSE 8080

ENTRYPOINT ["/sagekey"]
# Listening on a non-loopback address is refused without a bearer token, so the
# default command names the file the token is mounted at (a Kubernetes Secret
# volume, or a bind mount with `docker run`). The configuration is read from
# /etc/sagekey/sagekey.yaml via --config in the Deployment; the store's DSN
# (with its password) only ever comes from the SAGEKEY_DB environment variable.
CMD ["serve", "--listen", "0.0.0.0:8080", "--auth-token-file", "/var/run/secrets/sagekey/auth-token"]
