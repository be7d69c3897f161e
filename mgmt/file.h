/* Reading the management plane's small text files (configuration, trust
 * anchors) whole, with the errors an operator needs: path and reason. */
#ifndef TW_MGMT_FILE_H
#define TW_MGMT_FILE_H

#include <stddef.h>

/* Reads the regular file at path into a NUL-terminated heap buffer (*text, its
 * length *len; the caller frees it), refusing anything larger than max octets
 * (`what` names such a file in the message: "a configuration file"). Returns 0,
 * or -TW_EIO / -TW_ENOMEM with err "PATH: reason". Any thread. */
int tw_mgmt_read_file(const char *path, size_t max, const char *what, char **text, size_t *len,
		      char *err, size_t errcap);

#endif
