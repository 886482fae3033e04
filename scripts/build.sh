#!/usr/bin/env bash
# Compiles the station into dist/, which bin/station.js runs; `npm ci` runs it through `prepare`.
set -euo pipefail
cd "$(dirname "$0")/.."

# From scratch: a source file deleted since the last build must not live on as stale JavaScript.
rm -rf dist
node_modules/.bin/tsc -p tsconfig.build.json
cp -r src/dashboard/public dist/src/dashboard/
# The command list, so that `station --help` and each command start without loading every module.
node --input-type=module -e "await (await import('./dist/src/cli/commands/index.js')).writeCommandListing()"
# The configuration check as one plain function, so that a command does not load TypeBox to start.
node --input-type=module -e "(await import('./dist/src/config/config-check.js')).writeCompiledCheck()"
