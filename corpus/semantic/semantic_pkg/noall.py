# A module without __all__: a star import takes every name without a leading
# underscore.
PUBLIC = "public"
_PRIVATE = "private"
LIMIT = "LIMIT from noall"
