/* api_auth.h - the HTTP API's token and listen address. */
#ifndef MGR_API_AUTH_H
#define MGR_API_AUTH_H

#include <netinet/in.h>
#include "error.h"

struct api_addr {
	int family;		/* AF_INET or AF_INET6 */
	int port;
	struct sockaddr_in v4;
	struct sockaddr_in6 v6;
};

/* api.token, else the contents of api.token_file, which is created (0600,
 * 32 random bytes in hex) when missing and refused when others can read it. */
int api_token_load(const char *token, const char *token_file, char **out,
		   struct mgr_error *err);
/* "Bearer TOKEN" against the expected token's digest (sha256_hex, made
 * once at start rather than at every request), in constant time. */
int api_token_matches(const char *expected_digest, const char *authorization);
/* "127.0.0.1:8470", "[::1]:8470", "localhost:8470"; loopback only. */
int api_listen_parse(const char *listen, struct api_addr *out,
		     struct mgr_error *err);

#endif
