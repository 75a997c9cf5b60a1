/* i18n.h - gettext glue: _() for text people read, N_() for tables. */
#ifndef MGR_I18N_H
#define MGR_I18N_H

#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#if ENABLE_NLS
#include <libintl.h>
#define _(s) dgettext(PACKAGE, s)
#else
#define _(s) (s)
#define ngettext(a, b, n) ((n) == 1 ? (a) : (b))
#endif
#define N_(s) (s)

#endif
