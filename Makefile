# Octoline — two commands on a fresh Debian 12 machine (as root):
#   make run    install what the box needs, build, generate the prompts, run the daemon (Ctrl-C stops)
#   make test   install what the tests need too, build, run the whole suite
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CONFIG ?= var/octoline.conf
# What the daemon needs at run time, and what only the tests need (real peers).
RUN_PKGS  := rtpengine-daemon rtpengine-utils ffmpeg espeak-ng sox libsox-fmt-all
TEST_PKGS := sip-tester baresip systemd iproute2 util-linux tmux

.PHONY: help run test build sounds deps test-deps node-check npm-deps bench typecheck clean

help:
	@echo "make run    install, build, generate prompts, run the daemon with the embedded defaults"
	@echo "make test   install test peers too and run the whole test suite"
	@echo "make build | sounds | typecheck | bench | clean"

run: deps build sounds
	@mkdir -p var
	node dist/daemon/cli/main.js daemon --config $(CONFIG)

test: deps test-deps build sounds
	@mkdir -p var
	node dist/scripts/run-tests.js

build: npm-deps
	npx tsc -p tsconfig.build.json

sounds: build
	node dist/scripts/sounds/generate.js

typecheck: npm-deps
	npx tsc --noEmit -p .

bench: build
	npx tsx bench/sip-parser-fuzz.ts
	npx tsx bench/sip-b2bua.ts
	npx tsx bench/calls-load.ts
	npx tsx bench/ivr-dtmf.ts

node-check:
	@node -e 'const [a]=process.versions.node.split(".").map(Number); if (a < 20) { console.error("Octoline needs Node.js 20 or newer; this is " + process.version + ". See docs/install.md (Node.js)."); process.exit(1) }' \
	  || { command -v node >/dev/null || echo "Node.js is not installed. See docs/install.md (Node.js)." >&2; exit 1; }

# apt only when something is missing, so a second run costs nothing.
deps: node-check
	@missing=$$(for p in $(RUN_PKGS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "Installing: $$missing"; apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; fi

test-deps: node-check
	@missing=$$(for p in $(TEST_PKGS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "Installing: $$missing"; apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; fi

# npm ci only when the lock file changed since the last install.
npm-deps: node_modules/.octoline-installed
node_modules/.octoline-installed: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

clean:
	rm -rf dist sounds/build .tap
