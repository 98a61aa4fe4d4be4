# Berth: make deps | build | run | test | bench
SHELL := /bin/bash
.DEFAULT_GOAL := build

APT_PACKAGES := runc conmon iptables busybox-static tini docker-registry skopeo apache2-utils docker.io iproute2 docker-compose podman chromium zsh fish
NPM_STAMP := node_modules/.berth-npm-stamp
BERTH_SOCKET ?= /run/berth/berth.sock
BERTHD_LOG ?= /var/log/berthd.log

.PHONY: deps deps-apt deps-npm build run test test-unit test-integration test-compat check bench clean

deps: deps-apt deps-npm

# Installs only what is missing, so a second run costs a few dpkg queries. docker.io (the reference
# dockerd for interoperability tests) and docker-registry (the test registry) ship services: a
# policy-rc.d that says no keeps apt from starting them on this host.
deps-apt:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  guard=""; \
	  if [ ! -e /usr/sbin/policy-rc.d ]; then \
	    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && guard=1; \
	  fi; \
	  apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; rc=$$?; \
	  if [ -n "$$guard" ]; then rm -f /usr/sbin/policy-rc.d; fi; \
	  exit $$rc; \
	fi

deps-npm: $(NPM_STAMP)
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

build: deps-npm
	@node tools/build.mjs

# Starts berthd in the background when none answers on the socket, then runs a container.
run: deps build
	@if ! bin/berth version >/dev/null 2>&1; then \
	  echo "starting berthd (log: $(BERTHD_LOG))"; \
	  nohup bin/berthd >>$(BERTHD_LOG) 2>&1 & \
	  for i in $$(seq 1 100); do [ -S $(BERTH_SOCKET) ] && bin/berth version >/dev/null 2>&1 && break; sleep 0.1; done; \
	fi
	bin/berth run --rm busybox echo hello from berth

check: deps-npm
	npx tsc -p tsconfig.json --noEmit
	npx eslint src test tools bench
	node tools/check-imports.mjs src

test-unit: deps-npm
	node tools/run-tests.mjs unit

test-integration: deps build
	node tools/run-tests.mjs integration

test-compat: deps build
	node tools/run-tests.mjs compat

test: deps build check test-unit test-integration test-compat

bench: deps build
	bench/run-latency

clean:
	rm -rf dist
