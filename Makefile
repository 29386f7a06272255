# uplift: causal allocation inside PostgreSQL (PGXS build)

EXTENSION = uplift
EXTVERSION = 0.1.0

MODULE_big = uplift
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

# The install script is assembled from one fragment per area (sql/objects/),
# in file-name order.  Upgrade scripts (uplift--X--Y.sql) are written by hand.
DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql
DATA = $(wildcard sql/$(EXTENSION)--*--*.sql)

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

$(DATA_built): $(sort $(wildcard sql/objects/*.sql))
	cat $^ > $@

.PHONY: test demo
test:
	bash scripts/test.sh
demo:
	bash scripts/demo.sh
