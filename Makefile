# GoRedis: `make run` builds what changed and starts the server with the
# playground; `make test` runs every test (installing what they need, and
# saying what and why first).

GO        ?= go
BIN       := bin/goredis
WASM_DIR  := playground/wasm
GOROOT    := $(shell $(GO) env GOROOT)
PORT      ?= 6379
HTTP_PORT ?= 8080

.PHONY: all build run lint test test-go test-wasm deps vet fmt-check bench fuzz soak wasm generate clean redis-suite fresh-check

all: build

# Make decides what to rebuild from these file lists, so a second `make
# run` with nothing changed starts the server at once (no go build, no
# brotli). The wasm module depends on the packages it links (engine/,
# netserver/resp/, rdb/, persist/image/, luabridge/, third_party/, wasm/: `GOOS=js GOARCH=wasm go
# list -deps ./wasm`); the binary on every Go source and on the playground
# it embeds.
GO_SOURCES   := $(shell find . -name '*.go' -not -name '*_test.go' -not -path './playground/wasm/*' -not -path './.git/*') go.mod go.sum
WASM_SOURCES := $(shell find engine netserver/resp rdb persist/image luabridge third_party wasm -name '*.go' -not -name '*_test.go') go.mod go.sum
PAGE_FILES   := $(shell find playground -type f \( -name '*.js' -o -name '*.css' -o -name '*.html' -o -name '*.md' -o -name '*.txt' \) -not -path 'playground/wasm/*' -not -path 'playground/test/*')
WASM_OUT     := $(WASM_DIR)/goredis.wasm $(WASM_DIR)/goredis.wasm.gz $(WASM_DIR)/wasm_exec.js
ifneq ($(shell command -v brotli 2>/dev/null),)
WASM_OUT     += $(WASM_DIR)/goredis.wasm.br
endif

build: $(BIN)

$(BIN): $(GO_SOURCES) $(PAGE_FILES) $(WASM_OUT)
	$(GO) build -trimpath -o $(BIN) ./cmd/goredis

# run starts the server on PORT (RESP) and HTTP_PORT (playground and
# WebSocket bridge): make run PORT=6380 HTTP_PORT=8081.
# make run keeps the data in memory only (no save points, no AOF), so a
# playground session leaves no files behind; start bin/goredis with a
# config file (or --save/--appendonly) to persist.
run: build
	./$(BIN) --port $(PORT) --bind 127.0.0.1 -::1 --http-port $(HTTP_PORT) --save "" --appendonly no

# wasm builds the engine for the browser and copies the Go runtime's
# wasm_exec.js from this toolchain (never a stale copy in git).
# WASM_GCFLAGS turn inlining off outside the Go runtime: inlined copies
# are most of the code and compress poorly (brotli 999 KB -> 921 KB);
# pipelined commands run about 15% slower in the page (1.2M -> 1.0M/s),
# and the native server keeps full inlining.
WASM_GCFLAGS := -gcflags=all=-l -gcflags=runtime= -gcflags=internal/runtime/...=
wasm: $(WASM_OUT)

$(WASM_DIR)/goredis.wasm: $(WASM_SOURCES)
	@mkdir -p $(WASM_DIR)
	GOOS=js GOARCH=wasm $(GO) build -trimpath $(WASM_GCFLAGS) -ldflags="-s -w" -o $@ ./wasm

$(WASM_DIR)/wasm_exec.js: $(GOROOT)/lib/wasm/wasm_exec.js
	@mkdir -p $(WASM_DIR)
	cp "$<" $@

$(WASM_DIR)/goredis.wasm.gz: $(WASM_DIR)/goredis.wasm
	gzip -9 -k -f $< && touch $@

$(WASM_DIR)/goredis.wasm.br: $(WASM_DIR)/goredis.wasm
	brotli -q 11 -k -f $< && touch $@

# fresh-check clones the committed tree into a temporary folder and checks
# the first minutes of a new user there: `make run` on free ports until
# ready, redis-cli PING/SET/GET, the playground page in headless Chromium.
fresh-check:
	./scripts/fresh-check.sh

# deps installs what the tests drive, saying once what it installs and
# why, and only when something is missing:
#   apt-get: redis-server and redis-tools (differential tests against real
#            Redis, redis-cli as a client), redis-sentinel (the Sentinel
#            failover test in repl/), chromium (the playground's
#            browser tests), brotli (the compressed wasm the server sends);
#   npm:     ioredis into netserver/testdata/ioredis/node_modules (a Node
#            client test; skipped without node);
#   the Go module proxy: staticcheck, pinned, for `make lint`.
STATICCHECK_VERSION := v0.8.2
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
deps:
	@missing=""; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	command -v redis-cli >/dev/null 2>&1 || missing="$$missing redis-tools"; \
	command -v redis-sentinel >/dev/null 2>&1 || missing="$$missing redis-sentinel"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v brotli >/dev/null 2>&1 || missing="$$missing brotli"; \
	if [ -n "$$missing" ]; then \
		echo "make test needs:$$missing (redis-server/redis-tools: tests against real Redis and redis-cli; redis-sentinel: the failover test; chromium: browser tests; brotli: the compressed wasm)"; \
		if [ "$$(id -u)" = "0" ]; then \
			echo "installing with apt-get:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "run: sudo apt-get install -y$$missing"; exit 1; \
		fi; \
	fi; \
	if command -v npm >/dev/null 2>&1 && [ ! -d netserver/testdata/ioredis/node_modules/ioredis ]; then \
		echo "installing ioredis with npm into netserver/testdata/ioredis/node_modules (the Node client test)"; \
		(cd netserver/testdata/ioredis && npm install --no-audit --no-fund --loglevel=error) || echo "npm install failed: the ioredis test will try again"; \
	fi; \
	if [ ! -d "$$($(GO) env GOMODCACHE)/honnef.co/go/tools@$(STATICCHECK_VERSION)" ]; then \
		echo "make lint will fetch staticcheck $(STATICCHECK_VERSION) and its dependencies through the Go module proxy"; \
	fi

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./engine/... ./wasm/...

# lint runs staticcheck (fetched through the Go module proxy, pinned).
lint:
	$(GO) run $(STATICCHECK) ./...

test: deps fmt-check vet lint wasm test-go test-wasm

test-go:
	$(GO) test -race -count=1 -timeout 20m ./...

# test-wasm runs the engine's tests compiled to WebAssembly under Node.
test-wasm:
	PATH="$$PATH:$(GOROOT)/lib/wasm" GOOS=js GOARCH=wasm $(GO) test -count=1 ./engine/...

bench: build deps
	$(GO) test -run '^$$' -bench . -benchmem ./engine/ ./netserver/ ./netserver/resp/
	@# goredistest against miniredis: start+stop, SET/GET round trips, memory per server
	$(GO) test -run '^$$' -bench . -benchmem ./goredistest/
	$(GO) run ./cmd/redisbench
	$(GO) run ./cmd/persistbench -keys 1000000
	@# replication: SET -P16 with and without a replica, replica lag, full sync of 1M keys
	$(GO) run ./cmd/replbench -keys 1000000
	$(GO) run ./cmd/hostilebench
	$(GO) run ./cmd/evictbench -budget 2097152
	@# SET -P16 with the append-only file on, both servers alike
	$(GO) run ./cmd/redisbench -t set -P 16 -mem-keys 0 -pubsub=false -appendfsync everysec
	$(GO) run ./cmd/redisbench -t set -P 16 -mem-keys 0 -pubsub=false -appendfsync always
	@# SET -P16 of new keys at a 16 MB maxmemory (allkeys-lru): every write evicts, both servers alike
	$(GO) run ./cmd/redisbench -t set -P 16 -r 1000000 -n16 400000 -mem-keys 0 -pubsub=false -stream-entries 0 -stream-mem-entries 0 -maxmemory 16mb
	@# GET and SET -P16 over TLS (redis-benchmark --tls), both servers alike
	$(GO) run ./cmd/redisbench -t set,get -P 16 -mem-keys 0 -pubsub=false -tls
	node playground/test/wasm_bench.mjs
	$(GO) run ./cmd/wsload -peers 1000 -commands 100

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzReader -fuzztime 60s ./netserver/resp/
	$(GO) test -run '^$$' -fuzz FuzzDispatch -fuzztime 60s ./engine/
	$(GO) test -run '^$$' -fuzz FuzzTableArgs -fuzztime 60s ./engine/
	$(GO) test -run '^$$' -fuzz FuzzBitfieldArgs -fuzztime 60s ./engine/
	$(GO) test -run '^$$' -fuzz FuzzRestoreStream -fuzztime 60s ./engine/
	$(GO) test -run '^$$' -fuzz FuzzParseID -fuzztime 60s ./engine/stream/
	$(GO) test -run '^$$' -fuzz FuzzDecode -fuzztime 60s ./engine/hyperloglog/
	$(GO) test -run '^$$' -fuzz FuzzReader -fuzztime 60s ./rdb/
	$(GO) test -run '^$$' -fuzz FuzzLoad -fuzztime 60s ./persist/
	$(GO) test -run '^$$' -fuzz FuzzReader -fuzztime 60s ./aof/

# redis-suite runs Redis 7.0.15's own Tcl test units against GoRedis
# (external mode for unit/*, spawn mode for integration/*); UNITS picks
# units, e.g. make redis-suite UNITS="unit/pubsub integration/rdb".
redis-suite:
	.ci/redis-suite $(UNITS)

# soak runs one server under hostile clients (random valid and invalid
# commands, protocol violations, garbage bytes) for SOAK_DURATION while
# witness clients check their replies; it prints the server's RSS over time
# and fails on a crash, a wrong witness reply or runaway memory. Not part
# of make test.
SOAK_DURATION ?= 10m
soak:
	$(GO) build -trimpath -o $(BIN) ./cmd/goredis
	$(GO) run ./cmd/soak -bin $(BIN) -duration $(SOAK_DURATION)

generate:
	cd engine && $(GO) run ./internal/specgen -in ../../shared/redis-spec/commands.json -out spec_gen.go

clean:
	rm -rf bin $(WASM_DIR)
