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
# uplift and the fixtures of test/fixtures/, then pg_prove runs $(TESTS):
#   make prove
#   make prove TESTS="test/fit_errors.sql test/model_score.sql"
TAPDB ?= uplift_test
TESTS ?= $(sort $(wildcard test/*.sql))
.PHONY: prove
prove:
	bash scripts/tapdb.sh $(TAPDB)
	pg_prove -d $(TAPDB) $(TESTS)

# C unit tests of the tree engine (test/unit/): built with the server's
# headers and small stubs of the few server functions it calls, run without
# a server.  They print TAP.
# bench/tree_bench.c and bench/tree_quality.c are built the same way
# (bench/tree.sh, bench/tree_quality.sh).
TREE_ENGINE = src/tree_bins.c src/tree_grow.c src/tree_model.c src/tree_split.c \
	src/tree_stats.c src/bytes.c test/unit/pg_stubs.c test/unit/unit.c
TREE_DEPS = $(TREE_ENGINE) $(wildcard src/tree_*.h src/bytes.h test/unit/*.h)
TREE_CC = $(CC) -O2 -g -Wall -Wno-unused-parameter -I$(srcdir)/src -I$(srcdir)/test/unit \
	-I$(shell $(PG_CONFIG) --includedir-server)
TREE_LIBS = -L$(shell $(PG_CONFIG) --pkglibdir) -lpgcommon -lpgport -lm
UNIT_BIN = test/unit/test_tree
TREE_BENCH = bench/tree_bench bench/tree_quality
EXTRA_CLEAN += $(UNIT_BIN) $(TREE_BENCH)

$(UNIT_BIN) $(TREE_BENCH): %: %.c $(TREE_DEPS)
	$(TREE_CC) -o $@ $< $(TREE_ENGINE) $(TREE_LIBS)

.PHONY: unittest
unittest: $(UNIT_BIN)
	$(UNIT_BIN)
