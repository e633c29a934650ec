# syntax=docker/dockerfile:1
#
# Builds the otelcol-auth0 distribution with ocb and ships it on distroless.
# CI runs the same steps outside Docker (make build), since it has no engine.

FROM golang:1.26 AS build
# Static binary: the runtime image has no libc.
ENV CGO_ENABLED=0
RUN go install go.opentelemetry.io/collector/cmd/builder@v0.161.0
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build \
    --mount=type=cache,target=/go/pkg/mod \
    builder --config=builder-config.yaml
# distroless has no shell to mkdir/chown, so the queue directory is made here
# and copied with the runtime user's ownership; a fresh volume inherits it.
RUN mkdir -p /out/queue

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /src/_build/otelcol-auth0 /otelcol-auth0
COPY otelcol-config.yaml /etc/otelcol-auth0/config.yaml
COPY --from=build --chown=65532:65532 /out/queue /var/lib/otelcol-auth0/queue
ENV AUTH0_QUEUE_DIR=/var/lib/otelcol-auth0/queue
# The persistent sending queue must outlive the container.
VOLUME ["/var/lib/otelcol-auth0/queue"]
USER 65532:65532
# 8383: Auth0 log stream receiver; 13133: health_check extension.
EXPOSE 8383 13133
# The config is CMD, not part of ENTRYPOINT, so the Helm chart and the
# Operator can pass their own --config without the baked one being merged in.
ENTRYPOINT ["/otelcol-auth0"]
CMD ["--config=/etc/otelcol-auth0/config.yaml"]
