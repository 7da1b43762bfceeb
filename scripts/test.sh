#!/usr/bin/env bash
# `npm test`: builds, then runs the whole suite on the rclone RMount ships (vendor/bin, see
# docs/RCLONE.md), then the compatibility run on the oldest rclone the engine supports
# (vitest.compat.config.ts: Debian 12's 1.60 through RMOUNT_RCLONE). Both run even when the first fails;
# the exit status is non-zero when either failed. Arguments go to the main run only, and skip the
# compatibility run (`npm test -- test/engine/s3-mount.test.ts`).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
npm run build && npm run build:renderer || exit 1
npx vitest run "$@"
main=$?
(($#)) && exit "$main"
npx vitest run --config vitest.compat.config.ts
compat=$?
((main == 0 && compat == 0))
