# uplift: causal allocation inside PostgreSQL (PGXS build)

EXTENSION = uplift
EXTVERSION = 0.2.0

MODULE_big = uplift
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

# The install script of the version under development is assembled from one
# fragment per area (sql/objects/), in file-name order.  Released install
# scripts (sql/uplift--X.sql) are committed as they were built and never
# edited.  The upgrade script into the version under development is assembled
# the same way from sql/updates/<version>/ (a fragment that only creates new
# objects is a symbolic link to its sql/objects/ fragment, so the two cannot
# differ); older upgrade scripts are committed files.
PREVVERSION = 0.1.0
UPDATE_SCRIPT = sql/$(EXTENSION)--$(PREVVERSION)--$(EXTVERSION).sql
DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql $(UPDATE_SCRIPT)
DATA = $(filter-out $(DATA_built),$(wildcard sql/$(EXTENSION)--*.sql))

# pg_regress runs every sql/<name>.sql that is not an install or upgrade script.
REGRESS = $(sort $(patsubst sql/%.sql,%,$(filter-out sql/$(EXTENSION)--%,$(wildcard sql/*.sql))))
REGRESS_OPTS = --load-extension=$(EXTENSION)

PG_CPPFLAGS = -I$(srcdir)/src
PG_CFLAGS = -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare -Wno-missing-field-initializers
EXTRA_CLEAN = $(DATA_built)

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# src/prefault.c starts a helper thread (pthread_create).
override CFLAGS += $(PTHREAD_CFLAGS)
SHLIB_LINK += $(PTHREAD_LIBS)

# Rebuild every object when a header changes (PGXS does not track headers).
$(OBJS): $(wildcard src/*.h)

sql/$(EXTENSION)--$(EXTVERSION).sql: $(sort $(wildcard sql/objects/*.sql))
	cat $^ > $@

$(UPDATE_SCRIPT): $(sort $(wildcard sql/updates/$(EXTVERSION)/*.sql))
	cat $^ > $@

.PHONY: test demo
test:
	bash scripts/test.sh
demo:
	bash scripts/demo.sh

# The pgTAP files on a running server with uplift installed (PGHOST, PGPORT,
# PGUSER from the environment, as for installcheck): scripts/tapdb.sh
# creates the database $(TAPDB) (dropped first if it exists) with pgtap,
# uplift and the fixtures of test/fixtures/ (after installing the test module
# of test/citus/ that one of them declares), then pg_prove runs $(TESTS):
#   make prove
#   make prove TESTS="test/fit_errors.sql test/model_score.sql"
TAPDB ?= uplift_test
TESTS ?= $(sort $(wildcard test/*.sql))
.PHONY: prove
prove:
	$(MAKE) -C test/citus -s install
	bash scripts/tapdb.sh $(TAPDB)
	pg_prove -d $(TAPDB) $(TESTS)

# C unit tests (test/unit/test_*.c): each is built with the server's
# headers, the src/ files it tests and small stubs of the few server
# functions they call (test/unit/pg_stubs.c), and run without a server.  They
# print TAP.  test_tree tests the tree engine, test_learn the solvers on
# plain arrays, test_trainbuf the training buffer, test_hash the assignment hash, test_eval the merge of the
# evaluation aggregates' sorted runs, test_decimal decimal to double.  bench/tree_bench.c and
# bench/tree_quality.c are built the same way with the tree engine
# (bench/tree.sh, bench/tree_quality.sh).
TREE_ENGINE = src/tree_bins.c src/tree_grow.c src/tree_model.c src/tree_score.c \
	src/tree_split.c src/tree_stats.c src/bytes.c src/exact_sum.c
SOLVERS = src/rowsource.c src/linalg.c src/linear.c src/logistic.c
UNIT_SUPPORT = test/unit/pg_stubs.c test/unit/unit.c
UNIT_CC = $(CC) -O2 -g -Wall -Wno-unused-parameter -pthread -D_GNU_SOURCE -I$(srcdir)/src -I$(srcdir)/test/unit \
	-I$(shell $(PG_CONFIG) --includedir-server)
UNIT_LIBS = -L$(shell $(PG_CONFIG) --pkglibdir) -lpgcommon -lpgport -lm
UNIT_BINS = test/unit/test_tree test/unit/test_learn test/unit/test_trainbuf test/unit/test_hash \
	test/unit/test_eval test/unit/test_decimal
TREE_BENCH = bench/tree_bench bench/tree_quality
EXTRA_CLEAN += $(UNIT_BINS) $(TREE_BENCH)

test/unit/test_tree $(TREE_BENCH): $(TREE_ENGINE)
test/unit/test_learn: $(SOLVERS)
test/unit/test_trainbuf: src/trainbuf.c src/bytes.c src/prefault.c
test/unit/test_hash: src/hash.c
test/unit/test_eval: src/eval_metrics.c
test/unit/test_decimal: src/decimal.c

# A program from its .c file, the src/ files listed as its prerequisites
# above and the stubs.
$(UNIT_BINS) $(TREE_BENCH): %: %.c $(UNIT_SUPPORT) $(wildcard src/*.h test/unit/*.h)
	$(UNIT_CC) -o $@ $(filter %.c,$^) $(UNIT_LIBS)

# Every unit test runs, even after one fails; the target fails if any did.
.PHONY: unittest
unittest: $(UNIT_BINS)
	@status=0; for t in $(UNIT_BINS); do ./$$t || status=1; done; exit $$status
