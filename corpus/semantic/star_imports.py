# Star imports between modules of a package (semantic_pkg): __all__ honoured,
# underscore names skipped without __all__, names bound before a star import
# replaced by it, functions reading names that a star import bound, and a
# module constant of semantic_pkg.settings rebound from outside
# (`settings.LIMIT = 99`). That last rebinding is invisible in settings'
# bytecode, which is exactly what -O3's final-globals assumption assumes
# never happens: the lines that observe it are marked "~final-globals:".
# observes: final-globals
from __future__ import print_function

import semantic_pkg
from semantic_pkg import consumer, settings
from semantic_pkg.settings import *  # noqa: F401,F403

print("package:", semantic_pkg.PACKAGE_CONSTANT)
print("before:", consumer.before)
print("after settings:", consumer.after_settings)
print("after noall:", consumer.after_noall)
print("at import:", consumer.at_import)
print("now:", consumer.read_limit(), consumer.read_public(), consumer.read_private())
print("star here:", LIMIT, SCALE, greet("main"), limit_here(), Shape.sides)  # noqa: F405
try:
    HIDDEN  # noqa: F821
except NameError:
    print("HIDDEN is not exported")
settings.LIMIT = 99
print("this module's LIMIT is its own copy:", LIMIT)  # noqa: F405
print("~final-globals: settings.limit_here() after the outside rebinding:", settings.limit_here())
print("~final-globals: greet after the outside rebinding:", greet("again"))  # noqa: F405
print("attribute read:", settings.LIMIT)
print("done")
