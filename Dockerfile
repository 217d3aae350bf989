# sampgen for CPU machines: Node 20 on Debian 12, the locked dependencies, TF.js's CPU backend (tfjs-node,
# libtensorflow 2.9.1) and sampgen's native kernels, built; no browser. For NVIDIA GPUs see Dockerfile.gpu.
#
#   docker build -t sampgen:0.1.0 .
#   docker run --rm -v "$PWD:/work" sampgen:0.1.0 doctor
#   docker run --rm -v "$PWD:/work" sampgen:0.1.0 train /opt/sampgen/configs/ae-small-tanh.yaml
#
# The working directory /work is meant for a volume: relative paths in configs (data.path datasets/snares, output
# runs/ and models/) land there; the shipped configs and grids are in the image under /opt/sampgen.
# Every RUN is scripts/image-steps.sh, which CI runs on its own machine (test/image/image-steps.test.ts).

FROM node:20-bookworm AS build
WORKDIR /opt/sampgen
# Dependencies first (a layer that changes only with the lockfile or native/): npm ci, libtensorflow, native kernels.
COPY package.json package-lock.json ./
COPY scripts/ scripts/
COPY native/ native/
RUN scripts/image-steps.sh --tf cpu deps
COPY . .
RUN scripts/image-steps.sh --tf cpu build prune

FROM node:20-bookworm-slim
COPY --from=build /opt/sampgen /opt/sampgen
RUN cd /opt/sampgen && scripts/image-steps.sh --tf cpu fonts check
WORKDIR /work
# node is PID 1: sampgen installs its SIGTERM handler first thing, so `docker stop` and a pod's deletion checkpoint
# the run (give it the time: docker stop -t 120, terminationGracePeriodSeconds).
ENTRYPOINT ["node", "/opt/sampgen/bin/sampgen"]
CMD ["--help"]
