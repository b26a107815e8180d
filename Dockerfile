# syntax=docker/dockerfile:1
# vwe-lint's own image: a static binary on scratch, run as a non-root user.
#   docker build -t vwe/vwe-lint:0.1.0 .
#   docker run --rm -v "$PWD:/src:ro" vwe/vwe-lint:0.1.0

FROM ubuntu:22.04 AS build
ARG RUSTUP_VERSION=1.28.2
ARG RUST_TOOLCHAIN=1.95.0
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl gcc libc6-dev musl-tools \
 && rm -rf /var/lib/apt/lists/*
ENV RUSTUP_HOME=/usr/local/rustup CARGO_HOME=/usr/local/cargo PATH=/usr/local/cargo/bin:$PATH
# rustup-init is fetched at a pinned version and run as a file, never piped into a shell.
RUN curl --proto '=https' --tlsv1.2 -fsSL -o /tmp/rustup-init \
      "https://static.rust-lang.org/rustup/archive/${RUSTUP_VERSION}/x86_64-unknown-linux-gnu/rustup-init" \
 && chmod 0755 /tmp/rustup-init \
 && /tmp/rustup-init -y --no-modify-path --profile minimal --default-toolchain "${RUST_TOOLCHAIN}" \
      --target x86_64-unknown-linux-musl \
 && rm /tmp/rustup-init
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY rules ./rules
COPY schemas ./schemas
RUN cargo build --release --locked --target x86_64-unknown-linux-musl \
 && cp target/x86_64-unknown-linux-musl/release/vwe-lint /vwe-lint

FROM scratch
COPY --from=build /vwe-lint /usr/local/bin/vwe-lint
USER 65532:65532
WORKDIR /src
ENTRYPOINT ["/usr/local/bin/vwe-lint"]
CMD ["."]
