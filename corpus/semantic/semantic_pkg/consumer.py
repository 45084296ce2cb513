# IMPORT_STAR rebinds names of this module at run time, so nothing here may be
# treated as a module constant: LIMIT is assigned, then replaced by the star
# import from .settings, then by the one from .noall, then assigned again.
from __future__ import print_function

LIMIT = "consumer's own LIMIT"
SCALE = "consumer's own SCALE"
HIDDEN = "consumer's own HIDDEN"
before = (LIMIT, SCALE, HIDDEN)

from .settings import *  # noqa: E402,F401,F403

after_settings = (LIMIT, SCALE, HIDDEN)

from .noall import *  # noqa: E402,F401,F403

after_noall = (LIMIT, SCALE, HIDDEN)


def read_limit():
    return LIMIT


def read_public():
    return PUBLIC  # noqa: F405


def read_private():
    try:
        return _PRIVATE  # noqa: F821
    except NameError as e:
        return type(e).__name__


at_import = read_limit()
LIMIT = "consumer's LIMIT again"
