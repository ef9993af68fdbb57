/*
 * help.h - --help output of vigil and vigild.  Help texts name documents as
 * "docs/NAME.md"; vigil_help prints them with that prefix replaced by where
 * the documentation really is: <prefix>/share/doc/vigil next to the installed
 * binary, else (a build tree) the source tree's docs/.  So every path a
 * --help shows exists, installed or not, and the man pages made from --help
 * at install time (docs/man/) name the installed files.
 */
#ifndef VIGIL_COMMON_HELP_H
#define VIGIL_COMMON_HELP_H

const char *vigil_docdir(void);
/* printf to stdout, "docs/" replaced by vigil_docdir() + "/" */
void vigil_help(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
