# Support package for star_imports.py (not a program: the test compiles it
# beside the programs so they can import it).
PACKAGE_CONSTANT = "package constant"
