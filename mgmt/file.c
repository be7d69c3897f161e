/* Reading a configuration or trust anchor file whole. */
#include "mgmt/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dns/error.h"

int tw_mgmt_read_file(const char *path, size_t max, const char *what, char **text, size_t *len,
		      char *err, size_t errcap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errcap, "%s: cannot open: %s", path, strerror(errno));
		return -TW_EIO;
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		snprintf(err, errcap, "%s: cannot stat: %s", path, strerror(errno));
		close(fd);
		return -TW_EIO;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errcap, "%s: not a regular file", path);
		close(fd);
		return -TW_EIO;
	}
	if ((unsigned long long)st.st_size > max) {
		snprintf(err, errcap, "%s: larger than %zu bytes: not %s", path, max, what);
		close(fd);
		return -TW_EIO;
	}
	char *buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		snprintf(err, errcap, "%s: out of memory", path);
		close(fd);
		return -TW_ENOMEM;
	}
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errcap, "%s: cannot read: %s", path, strerror(errno));
			free(buf);
			close(fd);
			return -TW_EIO;
		}
		if (r == 0)
			break; /* shrank meanwhile: take what is there */
		got += (size_t)r;
	}
	close(fd);
	buf[got] = 0;
	*text = buf;
	*len = got;
	return 0;
}
