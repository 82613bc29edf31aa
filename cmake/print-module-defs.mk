# Included after a Kamailio module Makefile: prints, one per line, the exact
# preprocessor arguments Kamailio's Makefile.defs gives that module.
im-print-module-defs:
	@printf '%s\n' $(C_DEFS) $(DEFS) $(filter -D%,$(CFLAGS))
