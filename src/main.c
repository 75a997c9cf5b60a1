/* main.c - process set-up: locale, message catalogue, then the CLI. */
#include "i18n.h"
#include "cli.h"

#include <locale.h>
#include <stdlib.h>

int
main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
#if ENABLE_NLS
	/* MANAGER_LOCALEDIR lets the test suite use the catalogues it built. */
	const char *localedir = getenv("MANAGER_LOCALEDIR");
	bindtextdomain(PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
	bind_textdomain_codeset(PACKAGE, "UTF-8");
	textdomain(PACKAGE);	/* for ngettext */
#endif
	return cli_main(argc, argv);
}
