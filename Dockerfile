# yunqi-bot: a multi-stage build. The first stage compiles the release binary; the image
# that runs holds only the binary and the shipped articles, as a non-root user.
#
#   docker build -t yunqi-bot .
#   docker run -d --name yunqi -e TELOXIDE_TOKEN=... -v yunqi-data:/data -v yunqi-index:/index yunqi-bot
#
# Webhook mode behind an HTTPS reverse proxy (see DEPLOYMENT.md):
#   docker run -d -p 8080:8080 -e TELOXIDE_TOKEN=... -e WEBHOOK_SECRET=... \
#     -e WEBHOOK_URL=https://bot.example.com/telegram -v yunqi-data:/data -v yunqi-index:/index yunqi-bot

FROM rust:1.88-slim-bookworm AS build
WORKDIR /src
# Dependencies first, so that a source change does not rebuild them.
COPY Cargo.toml Cargo.lock ./
COPY benches benches
RUN mkdir src && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && cargo build --release --locked \
    && rm -rf src
COPY src src
# The stub's fingerprints are older than the real sources: touch them so cargo rebuilds.
RUN touch src/main.rs src/lib.rs && cargo build --release --locked

# Debian 12 with glibc and CA certificates, no shell; runs as uid 65532 ("nonroot").
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/yunqi-bot /usr/local/bin/yunqi-bot
# A new named volume mounted at /data starts as a copy of the shipped articles.
COPY --chown=65532:65532 data /data
COPY --chown=65532:65532 index/.gitkeep /index/.gitkeep
ENV DATA_DIR=/data \
    INDEX_DIR=/index \
    LISTEN_ADDR=0.0.0.0:8080 \
    RUST_LOG=info
VOLUME ["/data", "/index"]
# The webhook (with WEBHOOK_URL) and /healthz, /readyz, /metrics.
EXPOSE 8080
USER nonroot
# SIGTERM (docker stop) stops taking updates and finishes those in hand.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/yunqi-bot"]
CMD ["serve"]
