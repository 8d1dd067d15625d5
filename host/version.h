/* The hvflush tool's version string; the git revision comes from the Makefile. */
#ifndef HOST_VERSION_H
#define HOST_VERSION_H

#define HVFLUSH_VERSION "0.1.0"

#ifndef GIT_REV
#define GIT_REV "unknown"
#endif

#endif
